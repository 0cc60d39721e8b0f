package dev.ra.lincheck;

import dev.ra.RaException;
import java.util.function.Supplier;

/**
 * Calls to a cluster recorded in a {@link History} the way a client knows their outcome: a write that fails with a
 * {@link RaException} (a timeout, a lost leader, a node gone) may or may not have taken effect, so it is unknown; a
 * read that fails had no effect, so it is failed.
 */
public final class RecordedCalls
{
    private RecordedCalls()
    {
    }

    /**
     * @param history to record in.
     * @param client  the calling client's id.
     * @param key     written.
     * @param value   written.
     * @param call    that writes it, returning once the write is acknowledged.
     * @return whether the write was acknowledged.
     */
    public static boolean write(final History history, final int client, final String key, final String value,
        final Runnable call)
    {
        final OperationHandle op = history.invokeWrite(client, key, value);
        try
        {
            call.run();
            history.ok(op);
            return true;
        }
        catch (final RaException ex)
        {
            history.unknown(op);
            return false;
        }
    }

    /**
     * @param history to record in.
     * @param client  the calling client's id.
     * @param key     read.
     * @param call    that reads it.
     */
    public static void read(final History history, final int client, final String key, final Supplier<String> call)
    {
        final OperationHandle op = history.invokeRead(client, key);
        try
        {
            history.ok(op, call.get());
        }
        catch (final RaException ex)
        {
            history.fail(op);
        }
    }
}
