package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The host's thread for a driver epoch: what it does when a pass fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DriverHostTest
{
    private final InJvmCluster nodes = new InJvmCluster(1);
    private final ServerId local = new ServerId("coordinator", "n1");

    @AfterEach
    void close()
    {
        nodes.close();
    }

    /**
     * A pass that fails outside any transaction (the member's state could not be read, a timeout under load) used to
     * end the driver, leaving every unfinished transaction undriven until another transaction began; the driver now
     * passes again at its next poll while its member leads.
     */
    @Test
    void aPassThatFailsIsTriedAgainWhileTheMemberLeads()
    {
        final AtomicInteger passes = new AtomicInteger();
        final DriverHost host = new DriverHost(local, Map.of(), DriverCheckpoint.NONE,
            (system, member, epoch, participants, checkpoint) -> new DriverPasses()
            {
                @Override
                public boolean isCurrent()
                {
                    return true;
                }

                @Override
                public void runOnce()
                {
                    if (1 == passes.incrementAndGet())
                    {
                        throw new IllegalStateException("the first pass could not read the coordinator's state");
                    }
                }
            });
        final RaSystem system = nodes.first();
        host.attach(system);

        host.accept(new DriverSignal(local, 1));

        try
        {
            InJvmCluster.await(() -> passes.get() >= 3, Duration.ofSeconds(30), "the driver to pass again");
            assertThat(host.runningEpoch()).isEqualTo(1);
        }
        finally
        {
            host.close();
        }
    }

    /** A driver whose member no longer leads its epoch ends, and the host says none runs. */
    @Test
    void aDriverEndsOnceItsEpochIsNoLongerCurrent()
    {
        final AtomicInteger checks = new AtomicInteger();
        final DriverHost host = new DriverHost(local, Map.of(), DriverCheckpoint.NONE,
            (system, member, epoch, participants, checkpoint) -> new DriverPasses()
            {
                @Override
                public boolean isCurrent()
                {
                    return checks.incrementAndGet() < 3;
                }

                @Override
                public void runOnce()
                {
                }
            });
        host.attach(nodes.first());

        host.accept(new DriverSignal(local, 1));

        InJvmCluster.await(() -> 0 == host.runningEpoch() && checks.get() >= 3, Duration.ofSeconds(30),
            "the driver to end");
        host.close();
    }
}
