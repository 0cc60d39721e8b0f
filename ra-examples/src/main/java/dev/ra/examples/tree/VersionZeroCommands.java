package dev.ra.examples.tree;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;

/**
 * The command codec of {@link TreeMachine} version 0: the generic codec, refusing {@link TreeOp.DeleteCreated} (alone
 * or in a multi), which version 0 did not have. A leader whose cluster is still at version 0 checks every command
 * with it, so such a command is refused to its caller instead of reaching a log that members of the older build
 * cannot decode.
 */
final class VersionZeroCommands implements Codec<Object>
{
    /** The codec. */
    static final VersionZeroCommands CODEC = new VersionZeroCommands();
    /** Why a guarded delete is refused at version 0. */
    static final String REFUSAL = "TreeOp.DeleteCreated needs machine version 1 of TreeMachine; the cluster is at " +
        "version 0 until every member runs a build that has it";

    private final Codec<Object> generic = Codecs.generic();

    private VersionZeroCommands()
    {
    }

    @Override
    public void encode(final Object value, final BufferWriter out)
    {
        if (guardedDelete(value))
        {
            throw new CodecException(REFUSAL);
        }
        generic.encode(value, out);
    }

    @Override
    public Object decode(final BufferReader in)
    {
        final Object value = generic.decode(in);
        if (guardedDelete(value))
        {
            throw new CodecException(REFUSAL);
        }
        return value;
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
