package dev.ra;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How the blocking forms of {@link RaSystem}'s calls wait for their future: they throw the call's own failure (a
 * {@link RaException} subtype, or the argument check's exception), not the {@link ExecutionException} or
 * {@link CompletionException} wrapped around it.
 */
final class Futures
{
    /**
     * Slack beyond a call's own timeout before the waiting thread gives up: the call times itself out, so this only
     * guards against a runtime bug leaving the future pending.
     */
    private static final long GUARD_MILLIS = 5_000;

    private Futures()
    {
    }

    static <T> T await(final CompletableFuture<T> future, final Duration timeout)
    {
        try
        {
            return future.get(guardedMillis(timeout), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RaException("interrupted while waiting", ex);
        }
        catch (final ExecutionException ex)
        {
            throw rethrow(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new RaTimeoutException("no answer within " + timeout);
        }
    }

    /**
     * @return the call's timeout and the guard, in milliseconds; a timeout too long to count in them (a timeout is
     *     any positive duration) waits without a limit.
     */
    private static long guardedMillis(final Duration timeout)
    {
        try
        {
            return Math.addExact(timeout.toMillis(), GUARD_MILLIS);
        }
        catch (final ArithmeticException tooLong)
        {
            return Long.MAX_VALUE;
        }
    }

    static Throwable unwrap(final Throwable error)
    {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && null != t.getCause())
        {
            t = t.getCause();
        }
        return t;
    }

    private static RuntimeException rethrow(final Throwable cause)
    {
        final Throwable t = unwrap(cause);
        if (t instanceof RuntimeException runtimeException)
        {
            return runtimeException;
        }
        if (t instanceof Error error)
        {
            throw error;
        }
        return new RaException(String.valueOf(t), t);
    }
}
