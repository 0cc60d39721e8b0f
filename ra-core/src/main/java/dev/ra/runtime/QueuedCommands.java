package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.core.CoreConfig;
import dev.ra.protocol.UserCommand;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commands in a server's mailbox that its event loop has not taken yet, bounded like what its leader holds
 * appended and not applied ({@code RaSystemBuilder.maxUncommittedBytes}). The leader refuses a command past its own
 * limit only once its loop takes it; a caller faster than the loop (an application thread on the leader's node, many
 * remote callers, a loop held by a slow {@code apply}) would otherwise fill the mailbox until the node ran out of
 * heap. Past the limit a command is refused at the call, as the leader refuses it.
 *
 * <p>Any thread: one atomic add when a command is queued and one when it is taken, no lock.
 */
final class QueuedCommands
{
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final long limit;

    /**
     * @param limit most bytes queued, counted as the leader counts what it holds.
     */
    QueuedCommands(final long limit)
    {
        this.limit = limit;
    }

    /**
     * Count a command about to be queued, unless the queue is full. One command is taken whatever its size when none
     * is queued, as the leader takes one when it holds none.
     *
     * @param command encoded on the caller's thread (its size, if not, counts as nothing but the overhead).
     * @return the bytes counted, to {@link #taken} when the loop takes it, or -1 if
     *     it is refused: nothing was counted nor queued.
     */
    long reserve(final UserCommand command)
    {
        final long counted = CoreConfig.uncommittedBytesOf(command);
        final long after = bytes.addAndGet(counted);
        if (after > limit && after != counted)
        {
            bytes.addAndGet(-counted);
            refused.incrementAndGet();
            return -1;
        }
        return counted;
    }

    /**
     * @param counted what {@link #reserve} counted for a command the loop took. One the loop never takes, dropped by
     *                a stopped server, stays counted: this count ends with the server (a restart counts afresh).
     */
    void taken(final long counted)
    {
        bytes.addAndGet(-counted);
    }

    /** @return the commands refused so far. */
    long refused()
    {
        return refused.get();
    }

    /**
     * @param server whose mailbox is full.
     * @return why a command was refused, for its caller.
     */
    String refusal(final ServerId server)
    {
        return server + " is overloaded: commands of " + bytes.get() + " bytes wait in its mailbox, not yet taken, " +
            "the most it may queue (maxUncommittedBytes " + limit + ", RaSystemBuilder.maxUncommittedBytes); " +
            "commands arrive faster than it takes them: retry later";
    }
}
