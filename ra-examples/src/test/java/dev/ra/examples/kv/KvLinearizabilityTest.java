package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.lincheck.CheckResult;
import dev.ra.lincheck.History;
import dev.ra.lincheck.LinearizabilityChecker;
import dev.ra.lincheck.OperationHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrent clients on every node run random puts, CASes and linearizable gets against ten registers while the
 * leader is killed in the middle; the recorded history must be linearizable (checked with ra-core's WGL checker),
 * in the spirit of Ra's Jepsen register workload.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KvLinearizabilityTest
{
    /**
     * Many keys and a bounded number of operations per client keep every key's history short enough for the
     * checker to decide it on a slow, shared machine.
     */
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    private static final int MAX_OPERATIONS_PER_CLIENT = 500;
    private static final List<String> VALUES = List.of("1", "2", "3", "4");

    private final ToolboxCluster world = ToolboxCluster.start("kvlin", KvMachine::new);

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void shouldStayLinearizableAcrossALeaderFailover() throws Exception
    {
        final History history = new History(System::nanoTime);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        final AtomicInteger completed = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(ToolboxCluster.RA_NODES.size());
        try
        {
            final List<Future<?>> clients = new ArrayList<>();
            int clientId = 0;
            for (final String node : ToolboxCluster.RA_NODES)
            {
                final int id = clientId++;
                final KvClient kv = new KvClient(world.system(node), world.members());
                clients.add(pool.submit(() -> runClient(id, kv, () -> world.isUp(node), history, end, completed)));
            }
            Thread.sleep(1_500);
            final ServerId killed = world.killLeader();
            for (final Future<?> client : clients)
            {
                client.get(60, TimeUnit.SECONDS);
            }
            assertThat(killed).isNotNull();
        }
        finally
        {
            pool.shutdownNow();
        }

        final CheckResult result = new LinearizabilityChecker().check(history);
        assertThat(completed.get()).as("operations completed").isGreaterThan(50);
        assertThat(result.linearizable()).as(result.explanation()).isTrue();
    }

    private static Void runClient(final int id, final KvClient kv, final BooleanSupplier nodeUp,
        final History history, final long end, final AtomicInteger completed)
    {
        final SplittableRandom random = new SplittableRandom(id);
        int operations = 0;
        while (System.nanoTime() < end && nodeUp.getAsBoolean() && operations++ < MAX_OPERATIONS_PER_CLIENT)
        {
            // Paced so that the bounded run spans the leader failover at 1.5 s.
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(4 + random.nextInt(6)));
            final String key = KEYS.get(random.nextInt(KEYS.size()));
            final int dice = random.nextInt(10);
            OperationHandle op = null;
            try
            {
                if (dice < 4)
                {
                    op = history.invokeRead(id, key);
                    history.ok(op, kv.get(key).orElse(null));
                }
                else if (dice < 8)
                {
                    final String value = VALUES.get(random.nextInt(VALUES.size()));
                    op = history.invokeWrite(id, key, value);
                    kv.put(key, value);
                    history.ok(op);
                }
                else
                {
                    final String expected = VALUES.get(random.nextInt(VALUES.size()));
                    final String update = VALUES.get(random.nextInt(VALUES.size()));
                    op = history.invokeCas(id, key, expected, update);
                    history.ok(op, kv.cas(key, expected, update).swapped());
                }
                completed.incrementAndGet();
            }
            catch (final RuntimeException ex)
            {
                // The client does not know whether the operation took effect (a failed read constrains nothing).
                if (null != op)
                {
                    history.unknown(op);
                }
            }
        }
        return null;
    }
}
