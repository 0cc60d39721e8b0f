package dev.ra.examples.tasks;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;

/**
 * The command codecs of {@link TaskQueueMachine} versions 0 to 3: the generic codec, refusing the commands those
 * versions did not have ({@link Codecs#refusing}): version 0 had neither the dead-letter commands
 * ({@link TaskCommand.RequeueDeadLetters}, {@link TaskCommand.PurgeDeadLetters}) nor {@link TaskCommand.Configure};
 * version 1 had no {@link TaskCommand.Configure}; versions 0 to 2 had no {@link TaskCommand.CompleteOnce}; versions
 * 0 to 3 had no numbered commands ({@link TaskCommand.NumberedGrab}, {@link TaskCommand.NumberedComplete}).
 */
final class OlderCommands
{
    /** Why a dead-letter command is refused at version 0. */
    static final String REFUSAL = "the dead-letter commands need machine version 1 of TaskQueueMachine; the cluster " +
        "is at version 0 until every member runs a build that has it";
    /** Why a {@link TaskCommand.Configure} is refused before version 2. */
    static final String CONFIGURE_REFUSAL = "the configure command needs machine version 2 of TaskQueueMachine; the " +
        "cluster is at an older version until every member runs a build that has it";
    /** Why a {@link TaskCommand.CompleteOnce} is refused before version 3. */
    static final String COMPLETE_ONCE_REFUSAL = "TaskCommand.CompleteOnce needs machine version 3 of " +
        "TaskQueueMachine; the cluster is at an older version until every member runs a build that has it";
    /** Why a numbered command is refused before version 4. */
    static final String NUMBERED_REFUSAL = "TaskCommand.NumberedGrab and NumberedComplete need machine version 4 of " +
        "TaskQueueMachine; the cluster is at an older version until every member runs a build that has it";
    /** The codec of version 3. */
    static final Codec<Object> VERSION_THREE = Codecs.refusing(TaskQueueCodec.DECLARED,
        command -> command instanceof TaskCommand.NumberedGrab || command instanceof TaskCommand.NumberedComplete,
        NUMBERED_REFUSAL);
    /** The codec of version 2. */
    static final Codec<Object> VERSION_TWO = Codecs.refusing(VERSION_THREE,
        TaskCommand.CompleteOnce.class::isInstance, COMPLETE_ONCE_REFUSAL);
    /** The codec of version 1. */
    static final Codec<Object> VERSION_ONE = Codecs.refusing(VERSION_TWO,
        command -> command instanceof TaskCommand.Configure, CONFIGURE_REFUSAL);
    /** The codec of version 0. */
    static final Codec<Object> VERSION_ZERO = Codecs.refusing(VERSION_ONE, OlderCommands::newInVersionOne, REFUSAL);

    private OlderCommands()
    {
    }

    /**
     * @param command any command.
     * @return whether version 0 lacks it.
     */
    static boolean newInVersionOne(final Object command)
    {
        return command instanceof TaskCommand.RequeueDeadLetters || command instanceof TaskCommand.PurgeDeadLetters;
    }
}
