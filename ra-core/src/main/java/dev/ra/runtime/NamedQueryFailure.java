package dev.ra.runtime;

import dev.ra.RaException;
import dev.ra.RaTimeoutException;
import java.util.List;

/**
 * Why a named query failed on its member, carried in its answer ({@code [false, 0, 0, message, kind]}, see
 * {@link dev.ra.protocol.ServerRequest.NamedQuery}) so that the caller, on any node, gets the exception a query
 * function run there would have got: a query that waited too long is a timeout, a member that cannot answer is a
 * runtime failure, and only a query the machine refused (it threw, or the argument or result does not fit the
 * codec) is an {@link IllegalArgumentException}. A member that stopped holding the query answers as any stopped
 * server does. An answer without a kind (an older release) counts as a refusal, as it always did.
 */
final class NamedQueryFailure
{
    /** The machine refused the query. */
    static final String REFUSED = "refused";
    /** The member waited too long for the index the query waits for. */
    static final String TIMEOUT = "timeout";
    /** The member cannot answer (it stopped applying, or the entry the query expects was overwritten). */
    static final String FAILED = "failed";

    private NamedQueryFailure()
    {
    }

    /**
     * @param error a named query failed with on its member.
     * @return its kind, for the answer.
     */
    static String kindOf(final Throwable error)
    {
        if (error instanceof RaTimeoutException)
        {
            return TIMEOUT;
        }
        return error instanceof RaException ? FAILED : REFUSED;
    }

    /**
     * @param answer a failed named query's answer.
     * @return the exception for its caller.
     */
    static RuntimeException toException(final List<?> answer)
    {
        final String message = String.valueOf(answer.get(3));
        final Object kind = answer.size() > 4 ? answer.get(4) : REFUSED;
        if (TIMEOUT.equals(kind))
        {
            return new RaTimeoutException(message);
        }
        if (FAILED.equals(kind))
        {
            return new RaException(message);
        }
        return new IllegalArgumentException("query refused: " + message);
    }
}
