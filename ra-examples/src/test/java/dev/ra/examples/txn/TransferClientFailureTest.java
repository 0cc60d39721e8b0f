package dev.ra.examples.txn;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.RaTimeoutException;
import dev.ra.ServerStoppedException;
import org.junit.jupiter.api.Test;

/**
 * A begin whose outcome is unknown fails with the type the caller catches, its message naming the transfer.
 */
class TransferClientFailureTest
{
    private static final String WHAT = "transfer tx-1 (a -> b, 5)";

    @Test
    void aStoppedServerStaysAServerStoppedException()
    {
        final RuntimeException named = TransferClient.withId(WHAT,
            new ServerStoppedException("coordinator@n1 stopped"));

        assertInstanceOf(ServerStoppedException.class, named);
        assertTrue(named.getMessage().contains("tx-1"), named.getMessage());
    }

    @Test
    void theOtherUnknownOutcomesKeepTheirTypes()
    {
        assertInstanceOf(RaTimeoutException.class, TransferClient.withId(WHAT, new RaTimeoutException("late")));
        assertInstanceOf(CommandOutcomeUnknownException.class,
            TransferClient.withId(WHAT, new CommandOutcomeUnknownException("lost", null)));
    }

    @Test
    void aRefusalIsPassedOnAsItIs()
    {
        final IllegalArgumentException refusal = new IllegalArgumentException("bad legs");

        assertSame(refusal, TransferClient.withId(WHAT, refusal));
    }
}
