package dev.ra.examples.tasks;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;

/**
 * The command codec of {@link TaskQueueMachine} version 0: the generic codec, refusing the dead-letter commands
 * ({@link TaskCommand.RequeueDeadLetters}, {@link TaskCommand.PurgeDeadLetters}), which version 0 did not have
 * ({@link Codecs#refusing}).
 */
final class VersionZeroCommands
{
    /** Why a dead-letter command is refused at version 0. */
    static final String REFUSAL = "the dead-letter commands need machine version 1 of TaskQueueMachine; the cluster " +
        "is at version 0 until every member runs a build that has it";
    /** The codec. */
    static final Codec<Object> CODEC = Codecs.refusing(Codecs.generic(), VersionZeroCommands::newInVersionOne,
        REFUSAL);

    private VersionZeroCommands()
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
