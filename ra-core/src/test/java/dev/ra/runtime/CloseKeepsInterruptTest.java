package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.protocol.NodeMessage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The close of a system keeps its caller's interrupt, whether it came before the close or while the close was under
 * way: only the interrupts the close gives itself, stopping the node's pools, are not the caller's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseKeepsInterruptTest
{
    /**
     * A thread interrupted while its close is under way (a worker told to stop as it closes what it opened) keeps the
     * interrupt: the close goes on to its end, and the worker then sees it was told to stop.
     */
    @Test
    void aCloserInterruptedDuringTheCloseKeepsTheInterrupt() throws Exception
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final SlowToClose transport = new SlowToClose(network.newTransport());
            final RaSystem system = RaSystem.builder().nodeId("interrupted").transport(transport)
                .storage(new InMemoryStorage()).build();
            final CompletableFuture<Boolean> keptInterrupt = new CompletableFuture<>();
            final Thread closer = new Thread(() ->
            {
                system.close();
                keptInterrupt.complete(Thread.currentThread().isInterrupted());
            }, "interrupted-closer");
            closer.start();
            assertThat(transport.closing.await(30, TimeUnit.SECONDS)).as("the close reached the transport").isTrue();
            closer.interrupt();
            transport.mayClose.countDown();

            assertThat(keptInterrupt.get(30, TimeUnit.SECONDS)).as("the closer's interrupt kept").isTrue();
            closer.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** A transport whose close waits (deaf to interrupts, as a socket's may) until the test lets it go on. */
    private static final class SlowToClose implements Transport
    {
        final CountDownLatch closing = new CountDownLatch(1);
        final CountDownLatch mayClose = new CountDownLatch(1);
        private final Transport transport;

        SlowToClose(final Transport transport)
        {
            this.transport = transport;
        }

        @Override
        public void start(final String localNode, final TransportListener listener)
        {
            transport.start(localNode, listener);
        }

        @Override
        public void send(final String node, final NodeMessage message)
        {
            transport.send(node, message);
        }

        @Override
        public boolean isReachable(final String node)
        {
            return transport.isReachable(node);
        }

        @Override
        public void close()
        {
            closing.countDown();
            boolean interrupted = false;
            while (true)
            {
                try
                {
                    if (mayClose.await(30, TimeUnit.SECONDS))
                    {
                        break;
                    }
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
            transport.close();
        }
    }
}
