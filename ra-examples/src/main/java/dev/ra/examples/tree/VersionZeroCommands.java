package dev.ra.examples.tree;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;

/**
 * The command codecs of {@link TreeMachine} versions 0 to 4: the generic codec, refusing the commands those versions
 * did not have ({@link Codecs#refusing}): {@link TreeOp.DeleteCreated} (alone or in a multi) at version 0,
 * {@link TreeCommand.Configure} at versions 0 and 1, {@link TreeOp.CheckChildren} (alone or in a multi) at
 * versions 0 to 2, {@link NumberedWrite} at versions 0 to 3, and a {@link NumberedWrite} carrying a
 * {@link TreeCommand.Reregister} or a {@link TreeCommand.RemoveWatches} at version 4.
 */
final class VersionZeroCommands
{
    /** Why a guarded delete is refused at version 0. */
    static final String REFUSAL = "TreeOp.DeleteCreated needs machine version 1 of TreeMachine; the cluster is at " +
        "version 0 until every member runs a build that has it";
    /** Why a {@link TreeCommand.Configure} is refused before version 2. */
    static final String CONFIGURE_REFUSAL = "TreeCommand.Configure needs machine version 2 of TreeMachine; the " +
        "cluster is at an older version until every member runs a build that has it";
    /** Why a {@link TreeOp.CheckChildren} is refused before version 3. */
    static final String CHECK_CHILDREN_REFUSAL = "TreeOp.CheckChildren needs machine version 3 of TreeMachine; the " +
        "cluster is at an older version until every member runs a build that has it";
    /** Why a {@link NumberedWrite} is refused before version 4. */
    static final String NUMBERED_REFUSAL = "NumberedWrite needs machine version 4 of TreeMachine; the cluster is at " +
        "an older version until every member runs a build that has it";
    /** Why a {@link NumberedWrite} carrying a watch call is refused before version 5. */
    static final String NUMBERED_WATCH_CALL_REFUSAL = "a NumberedWrite carrying a TreeCommand.Reregister or " +
        "RemoveWatches needs machine version 5 of TreeMachine; the cluster is at an older version until every " +
        "member runs a build that has it (send the plain command meanwhile)";
    /** The codec of version 4. */
    static final Codec<Object> VERSION_FOUR = Codecs.refusing(TreeCodec.DECLARED,
        command -> command instanceof NumberedWrite numbered && NumberedWrite.isWatchCall(numbered.write()),
        NUMBERED_WATCH_CALL_REFUSAL);
    /** The codec of version 3. */
    static final Codec<Object> VERSION_THREE = Codecs.refusing(VERSION_FOUR, NumberedWrite.class::isInstance,
        NUMBERED_REFUSAL);
    /** The codec of version 2. */
    static final Codec<Object> VERSION_TWO = Codecs.refusing(VERSION_THREE, VersionZeroCommands::childCheck,
        CHECK_CHILDREN_REFUSAL);
    /** The codec of version 1. */
    static final Codec<Object> VERSION_ONE = Codecs.refusing(VERSION_TWO, TreeCommand.Configure.class::isInstance,
        CONFIGURE_REFUSAL);
    /** The codec of version 0. */
    static final Codec<Object> CODEC = Codecs.refusing(VERSION_ONE, VersionZeroCommands::guardedDelete, REFUSAL);

    private VersionZeroCommands()
    {
    }

    /**
     * @param command any command.
     * @return whether it is, or a multi holds, a {@link TreeOp.CheckChildren}.
     */
    static boolean childCheck(final Object command)
    {
        return command instanceof TreeOp.CheckChildren || command instanceof TreeCommand.Multi multi &&
            multi.ops().stream().anyMatch(TreeOp.CheckChildren.class::isInstance);
    }

    /**
     * @param command any command.
     * @return whether it is, or a multi holds, a {@link TreeOp.DeleteCreated}.
     */
    static boolean guardedDelete(final Object command)
    {
        return command instanceof TreeOp.DeleteCreated || command instanceof TreeCommand.Multi multi &&
            multi.ops().stream().anyMatch(TreeOp.DeleteCreated.class::isInstance);
    }
}
