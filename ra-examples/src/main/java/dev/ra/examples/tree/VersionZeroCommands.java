package dev.ra.examples.tree;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;

/**
 * The command codec of {@link TreeMachine} version 0: the generic codec, refusing {@link TreeOp.DeleteCreated} (alone
 * or in a multi), which version 0 did not have ({@link Codecs#refusing}).
 */
final class VersionZeroCommands
{
    /** Why a guarded delete is refused at version 0. */
    static final String REFUSAL = "TreeOp.DeleteCreated needs machine version 1 of TreeMachine; the cluster is at " +
        "version 0 until every member runs a build that has it";
    /** The codec. */
    static final Codec<Object> CODEC = Codecs.refusing(Codecs.generic(), VersionZeroCommands::guardedDelete, REFUSAL);

    private VersionZeroCommands()
    {
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
