package dev.ra.examples.lease;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.watch.WatchCommand;

/**
 * The command codecs of {@link LeasedKvMachine} versions 0 to 4: the generic codec, refusing the commands those
 * versions did not have ({@link Codecs#refusing}): {@link WatchCommand.NumberedRegister} before version 5 (on its
 * refusal {@link dev.ra.examples.watch.Watcher} sends the plain {@link WatchCommand.Register}),
 * {@link LeasedKvCommand.Numbered} before version 4,
 * {@link LeasedKvCommand.Configure} before version 3, and
 * {@link WatchCommand.CancelOwn} before version 2; on the refusal of the latter
 * ({@link dev.ra.InvalidCommandException}) {@link dev.ra.examples.watch.Watcher} sends {@link WatchCommand.Cancel}
 * instead.
 */
final class VersionOneCommands
{
    /** Why an owner-checked cancel is refused before version 2. */
    static final String REFUSAL = "WatchCommand.CancelOwn needs machine version 2 of LeasedKvMachine; the cluster is " +
        "at an older version until every member runs a build that has it (send WatchCommand.Cancel meanwhile)";
    /** Why a {@link LeasedKvCommand.Configure} is refused before version 3. */
    static final String CONFIGURE_REFUSAL = "LeasedKvCommand.Configure needs machine version 3 of LeasedKvMachine; " +
        "the cluster is at an older version until every member runs a build that has it";
    /** Why a {@link LeasedKvCommand.Numbered} is refused before version 4. */
    static final String NUMBERED_REFUSAL = "LeasedKvCommand.Numbered needs machine version 4 of LeasedKvMachine; " +
        "the cluster is at an older version until every member runs a build that has it (send the plain command " +
        "meanwhile)";
    /** Why a {@link WatchCommand.NumberedRegister} is refused before version 5. */
    static final String NUMBERED_REGISTER_REFUSAL = "WatchCommand.NumberedRegister needs machine version 5 of " +
        "LeasedKvMachine; the cluster is at an older version until every member runs a build that has it (send " +
        "WatchCommand.Register meanwhile)";
    /** The codec of version 4. */
    static final Codec<Object> VERSION_FOUR = Codecs.refusing(LeasedKvCodec.DECLARED,
        WatchCommand.NumberedRegister.class::isInstance, NUMBERED_REGISTER_REFUSAL);
    /** The codec of version 3. */
    static final Codec<Object> VERSION_THREE = Codecs.refusing(VERSION_FOUR,
        LeasedKvCommand.Numbered.class::isInstance, NUMBERED_REFUSAL);
    /** The codec of version 2. */
    static final Codec<Object> VERSION_TWO = Codecs.refusing(VERSION_THREE,
        LeasedKvCommand.Configure.class::isInstance, CONFIGURE_REFUSAL);
    /** The codec of versions 0 and 1. */
    static final Codec<Object> CODEC = Codecs.refusing(VERSION_TWO, WatchCommand.CancelOwn.class::isInstance,
        REFUSAL);

    private VersionOneCommands()
    {
    }
}
