package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a client-side {@link Lease}: twice (try-with-resources after an explicit close), and from its own
 * {@code onLost} callback, the natural place to stop a lease found lost.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LeaseCloseTest
{
    private static final Duration TTL = Duration.ofMillis(1_500);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final LeaseWorld world = new LeaseWorld(10_000);

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void closingALeaseAgainReturnsQuietly()
    {
        final Lease lease = world.clientOn(ToolboxCluster.APP_NODE).grant(TTL, () -> { });
        lease.close();
        assertThatCode(lease::close).doesNotThrowAnyException();
    }

    @Test
    void closingALeaseFromItsOnLostCallbackReturnsWithoutWaitingForItsOwnThread()
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final AtomicReference<Lease> self = new AtomicReference<>();
        final AtomicLong closeTookMs = new AtomicLong(-1);
        final Lease lease = kv.grant(TTL, () ->
        {
            final long start = System.nanoTime();
            self.get().close();
            closeTookMs.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        });
        self.set(lease);
        kv.revoke(lease.id());

        InJvmCluster.await(() -> closeTookMs.get() >= 0, WAIT, "onLost to run and close the lease");
        // A close that waited for its own thread would give up only after its 10 s bound.
        assertThat(closeTookMs.get()).as("ms that close() took inside onLost").isLessThan(5_000);
        assertThat(lease.isAlive()).isFalse();
        assertThatCode(lease::close).doesNotThrowAnyException();
    }
}
