package dev.ra.examples.tree;

import dev.ra.ProcessRef;
import dev.ra.examples.support.CommandNumber;
import java.util.Objects;

/**
 * A write ({@link TreeOp} or {@link TreeCommand.Multi}) numbered by its client
 * ({@link dev.ra.examples.support.ClientSequences}): a retry of a write applied already gets its first reply (the
 * sequential node it created, not a second one; {@code Created}, not {@code NodeExists}; {@code DataSet}, not
 * {@code BadVersion}), and an attempt that comes after its client went on with later calls (a late first attempt of
 * a setData after the client's next setData) is answered {@link dev.ra.examples.support.StaleCommand} and changes
 * nothing. Machine version 4 of {@link TreeMachine}; a cluster at an older version refuses it before the log.
 *
 * <p>From version 5 it may carry a {@link TreeCommand.Reregister} or a {@link TreeCommand.RemoveWatches} too (version
 * 4 refuses those before the log): a copy of one held up on its way then changes nothing when it lands after its
 * client set a watch again, where the plain ones take that watch unseen (a late re-registration fires it with an older
 * change, which the client drops as older than the watch; a late removal removes it).
 *
 * @param write  the write, applied as it is when sent alone, or (version 5) a re-registration or removal of the
 *               caller's watches.
 * @param caller the process the calls are about: the {@link TreeClient}'s own (its watch process), so that the calls
 *               of one client are compared with each other.
 * @param number of the call, the same for each of its attempts.
 */
public record NumberedWrite(TreeCommand write, ProcessRef caller, CommandNumber number) implements TreeMachineCommand
{
    /** Checks that the parts are not null and the write is one. */
    public NumberedWrite
    {
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(number, "number");
        if (!isWrite(write) && !isWatchCall(write))
        {
            throw new IllegalArgumentException("a numbered tree write takes a TreeOp, a Multi, a Reregister or a " +
                "RemoveWatches, got " + write.getClass().getName());
        }
    }

    /**
     * @param command any command.
     * @return whether it is a write a {@link NumberedWrite} may carry.
     */
    static boolean isWrite(final TreeCommand command)
    {
        return command instanceof TreeOp || command instanceof TreeCommand.Multi;
    }

    /**
     * @param command any command.
     * @return whether it is a watch call a {@link NumberedWrite} may carry from machine version 5.
     */
    static boolean isWatchCall(final Object command)
    {
        return command instanceof TreeCommand.Reregister || command instanceof TreeCommand.RemoveWatches;
    }
}
