package dev.ra.examples.tasks;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;

/**
 * The command codec of {@link TaskQueueMachine} version 0: the generic codec, refusing the dead-letter commands
 * ({@link TaskCommand.RequeueDeadLetters}, {@link TaskCommand.PurgeDeadLetters}), which version 0 did not have. A
 * leader whose cluster is still at version 0 checks every command with it, so such a command is refused to its caller
 * instead of reaching a log that members of the older build cannot decode.
 */
final class VersionZeroCommands implements Codec<Object>
{
    /** The codec. */
    static final VersionZeroCommands CODEC = new VersionZeroCommands();
    /** Why a dead-letter command is refused at version 0. */
    static final String REFUSAL = "the dead-letter commands need machine version 1 of TaskQueueMachine; the cluster " +
        "is at version 0 until every member runs a build that has it";

    private final Codec<Object> generic = Codecs.generic();

    private VersionZeroCommands()
    {
    }

    @Override
    public void encode(final Object value, final BufferWriter out)
    {
        if (newInVersionOne(value))
        {
            throw new CodecException(REFUSAL);
        }
        generic.encode(value, out);
    }

    @Override
    public Object decode(final BufferReader in)
    {
        final Object value = generic.decode(in);
        if (newInVersionOne(value))
        {
            throw new CodecException(REFUSAL);
        }
        return value;
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
