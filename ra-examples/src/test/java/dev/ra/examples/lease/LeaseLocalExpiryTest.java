package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client cut off from the whole cluster hears nothing, not even that its session is unknown: its {@link Lease}
 * declares itself lost once a TTL passes without an acknowledged keep-alive, as etcd's and Curator's clients do,
 * while a lease whose keep-alives are answered lives on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LeaseLocalExpiryTest
{
    private static final Duration TTL = Duration.ofMillis(1_500);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final LeaseWorld world = new LeaseWorld(10_000);

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void aLeaseCutOffFromTheWholeClusterIsLostOnceItsTtlPasses() throws InterruptedException
    {
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger keptLost = new AtomicInteger();
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        try (Lease lease = kv.grant(TTL, lost::incrementAndGet);
            Lease kept = world.clientOn("n1").grant(TTL, keptLost::incrementAndGet))
        {
            world.cluster().isolateAppNode();
            try
            {
                InJvmCluster.await(() -> lost.get() > 0 ? true : null, WAIT,
                    "the cut-off lease to be declared lost");
                assertThat(lease.isAlive()).isFalse();
                assertThat(lost.get()).as("onLost runs").isEqualTo(1);
                // The cluster expires the session too, a TTL after the last keep-alive it heard.
                InJvmCluster.await(() -> world.clientOn("n1").session(lease.id()).isEmpty() ? true : null, WAIT,
                    "the session to expire on the cluster");
            }
            finally
            {
                world.cluster().reconnectAppNode();
            }
            assertThat(kept.isAlive()).as("a lease whose keep-alives are answered").isTrue();
            assertThat(keptLost.get()).isZero();
            assertThat(lost.get()).as("onLost runs once").isEqualTo(1);
        }
    }
}
