package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.ThreadPerTask;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Opening a server's storage syncs files, which takes the disk's time: a start runs it on the node's starter threads,
 * so the caller (the application's thread, or a transport's thread for a start asked by another node) is not held,
 * and a node starting thousands of servers opens several at once.
 */
class StartOffCallerThreadTest
{
    @Test
    void aStartReturnsWhileItsStorageIsStillOpening() throws Exception
    {
        final CountDownLatch opening = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Storage slow = new SlowToOpen(new InMemoryStorage(), opening, release);
        try (InJvmNetwork network = new InJvmNetwork();
            RaSystem node = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(slow).build())
        {
            final ServerId member = new ServerId("slow", "a");
            final CompletableFuture<CompletableFuture<ServerId>> asked = CompletableFuture.supplyAsync(() ->
                node.startClusterAsync("slow", new CounterMachine(), List.of(member)), ThreadPerTask.EXECUTOR);
            assertThat(opening.await(60, TimeUnit.SECONDS)).as("the storage is being opened").isTrue();
            final CompletableFuture<ServerId> started = asked.get(60, TimeUnit.SECONDS);
            assertThat(started).as("not started while its storage is opening").isNotDone();
            release.countDown();
            assertThat(started.get(60, TimeUnit.SECONDS)).isEqualTo(member);
        }
        finally
        {
            release.countDown();
        }
    }

    /** A storage whose {@code open} waits until released. */
    private static final class SlowToOpen extends ForwardingStorage
    {
        private final CountDownLatch opening;
        private final CountDownLatch release;

        SlowToOpen(final Storage inner, final CountDownLatch opening, final CountDownLatch release)
        {
            super(inner);
            this.opening = opening;
            this.release = release;
        }

        @Override
        public ServerStorage open(final ServerId id, final LogListener listener)
        {
            opening.countDown();
            try
            {
                release.await(120, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return inner.open(id, listener);
        }
    }
}
