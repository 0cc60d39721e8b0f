package dev.ra.examples.watch;

import dev.ra.ProcessRef;
import dev.ra.examples.lease.LeasedKvMachineCommand;
import dev.ra.examples.support.CommandNumber;
import java.util.Objects;

/**
 * The watch commands of a machine that embeds a {@link WatchHub}. A watch id belongs to the watcher process that
 * registered it: another watcher can neither take it over ({@link Register}) nor end it ({@link CancelOwn}).
 */
public sealed interface WatchCommand extends LeasedKvMachineCommand
{
    /**
     * Register (or resume) a watch. Replies {@link WatchReply.Watching}, {@link WatchReply.Compacted} when the
     * history no longer reaches back to {@code startRevision}, or {@link WatchReply.Refused} when the id is another
     * watcher's.
     *
     * @param watchId       chosen by the client, unique among its watches; the same id again from the same watcher
     *                      replaces the watch (a resume), from another watcher is refused with
     *                      {@link WatchReply.Refused} (machine version 1 of {@code LeasedKvMachine} on).
     * @param watcher       process that receives the {@link WatchNotification}s.
     * @param prefix        of the keys to watch; the empty prefix watches everything.
     * @param startRevision first revision to deliver; 0 means "changes after now".
     */
    record Register(String watchId, ProcessRef watcher, String prefix, long startRevision) implements WatchCommand
    {
        /** Checks that the id, watcher and prefix are not null and the start revision is not negative. */
        public Register
        {
            Objects.requireNonNull(watchId, "watchId");
            Objects.requireNonNull(watcher, "watcher");
            Objects.requireNonNull(prefix, "prefix");
            if (startRevision < 0)
            {
                throw new IllegalArgumentException("start revision must be >= 0, got " + startRevision);
            }
        }
    }

    /**
     * A {@link Register} (or resume) numbered by its client ({@link dev.ra.examples.support.ClientSequences}, machine
     * version 5 of {@code LeasedKvMachine}): a retry of one applied already gets its first reply and changes nothing,
     * and an attempt numbered below its client's first unanswered call, a copy held up on its way that lands after
     * its retry registered the watch, is answered {@link dev.ra.examples.support.StaleCommand} and changes nothing.
     * Unnumbered, such a copy registered the watch again from its older start, and when that start had been compacted
     * away since, ended the live watch with a {@link WatchReply.Compacted} its watcher never saw. A machine at an
     * older version refuses it before the log ({@link dev.ra.InvalidCommandException}), and {@link Watcher} then
     * sends the plain {@link Register}.
     *
     * @param register the registration.
     * @param number   of the call, the same in every attempt of it.
     */
    record NumberedRegister(Register register, CommandNumber number) implements WatchCommand
    {
        /** Checks that the registration and the number are given. */
        public NumberedRegister
        {
            Objects.requireNonNull(register, "register");
            Objects.requireNonNull(number, "number");
        }
    }

    /**
     * Remove a watch of one's own. Replies {@code Boolean.TRUE} if a watch of that id held by {@code watcher} was
     * removed (a live one, or the tombstone of one that expired while its watcher was unreachable: either way the id
     * is free again and nothing more is sent for it), {@code Boolean.FALSE} if there was none of that id, or
     * {@link WatchReply.Refused} if the id is another watcher's, which is left as it was. Machine version 2 of
     * {@code LeasedKvMachine} on; a cluster still at an older version refuses it before the log
     * ({@link dev.ra.InvalidCommandException}), and {@link Watcher} then sends {@link Cancel}.
     *
     * @param watchId of the watch.
     * @param watcher that registered it.
     */
    record CancelOwn(String watchId, ProcessRef watcher) implements WatchCommand
    {
        /** Checks that the id and watcher are not null. */
        public CancelOwn
        {
            Objects.requireNonNull(watchId, "watchId");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * Remove a watch, whoever registered it: the cancel of machine versions 0 and 1 of {@code LeasedKvMachine}, kept
     * for a cluster still at one of them (it replies {@code Boolean.TRUE} if a live watch of that id existed, and
     * removes the tombstone of an expired one too). From version 2 on it names no watcher, so it could end another
     * client's watch: it is refused with {@link WatchReply.Refused} and changes nothing; send {@link CancelOwn}.
     *
     * @param watchId of the watch.
     */
    record Cancel(String watchId) implements WatchCommand
    {
        /** Checks that the id is not null. */
        public Cancel
        {
            Objects.requireNonNull(watchId, "watchId");
        }
    }
}
