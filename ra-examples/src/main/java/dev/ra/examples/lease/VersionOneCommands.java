package dev.ra.examples.lease;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.watch.WatchCommand;

/**
 * The command codec of {@link LeasedKvMachine} versions 0 and 1: the generic codec, refusing
 * {@link WatchCommand.CancelOwn}, which those versions did not have ({@link Codecs#refusing}); on that refusal
 * ({@link dev.ra.InvalidCommandException}) {@link dev.ra.examples.watch.Watcher} sends {@link WatchCommand.Cancel}
 * instead.
 */
final class VersionOneCommands
{
    /** Why an owner-checked cancel is refused before version 2. */
    static final String REFUSAL = "WatchCommand.CancelOwn needs machine version 2 of LeasedKvMachine; the cluster is " +
        "at an older version until every member runs a build that has it (send WatchCommand.Cancel meanwhile)";
    /** The codec. */
    static final Codec<Object> CODEC = Codecs.refusing(Codecs.generic(), WatchCommand.CancelOwn.class::isInstance,
        REFUSAL);

    private VersionOneCommands()
    {
    }
}
