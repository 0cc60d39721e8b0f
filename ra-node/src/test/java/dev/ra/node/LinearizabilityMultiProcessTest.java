package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.lincheck.CheckResult;
import dev.ra.lincheck.History;
import dev.ra.lincheck.LinearizabilityChecker;
import dev.ra.lincheck.OperationHandle;
import dev.ra.lincheck.RecordedCalls;
import dev.ra.lincheck.Verdict;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole product under faults, as a property: three node JVMs on loopback with ra-log storage and Netty, two
 * clusters on them, clients in this JVM (a node hosting no member) writing and reading a few keys of each through any
 * member (commands awaited or pipelined with a notice, consistent named queries, reads through the log), while a
 * nemesis ({@link ProbingNemesis}) kills nodes with {@code kill -9} and restarts them from their data directories,
 * pauses the leader's JVM with SIGSTOP for longer than an election timeout, cuts a node off from its peers (connections
 * closed), silences it (connections up, frames lost both ways, as a network losing packets: only silence tells), and
 * removes its member and adds it back under the same id. While a node is paused, cut off or silenced, the nemesis
 * writes a key through the others and reads it through that node: a former leader that answered before learning of its
 * successor would read stale. The recorded history must be linearizable: every acknowledged write survives, no read
 * returns a stale or never-written value. Operations whose outcome the client could not know count as such. Once
 * healed, every member of both clusters must come to hold what a consistent read returns. What the simulation checks of
 * the core after every step, this checks of the runtime, the transport and the log together.
 *
 * <p>The nemesis is seeded and bounded: {@code -Dra.test.lincheck.rounds=N} (default 10) faults, each kind once per
 * five rounds, in an order and on targets chosen from {@code -Dra.test.lincheck.seed} (default 1; both printed on
 * failure). The clients' own timing is not reproducible.
 */
class LinearizabilityMultiProcessTest
{
    /** Two clusters on the same nodes, so on the same WALs: the nemesis aims at the first, the other is hit too. */
    private static final List<String> CLUSTERS = List.of("kv", "kv2");
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
    private static final String KEY_WRITTEN_LAST = CLUSTERS.get(0) + "/" + KEYS.get(0);
    private static final int CLIENTS = 4;
    /** Per round of faults: bounds each key's history, so that the checker decides it on a slow, shared machine. */
    private static final int OPERATIONS_PER_CLIENT_AND_ROUND = 100;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void kvHistoryAcrossJvmsUnderKillsPausesAndPartitionsIsLinearizable() throws Exception
    {
        final long seed = Long.getLong("ra.test.lincheck.seed", 1);
        final int rounds = Integer.getInteger("ra.test.lincheck.rounds", 10);
        try (Deployment d = new Deployment(3, "lincheck", List.of()))
        {
            for (final String cluster : CLUSTERS)
            {
                d.client.startCluster(cluster, "kv", d.members(cluster));
                d.awaitLeader(cluster, List.of());
            }
            final History history = new History(System::nanoTime);
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<Throwable> clientFailure = new AtomicReference<>();
            final List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++)
            {
                final int clientId = c;
                final Thread client = new Thread(() ->
                {
                    try
                    {
                        runClient(d, clientId, OPERATIONS_PER_CLIENT_AND_ROUND * rounds, history, running);
                    }
                    catch (final Throwable ex)
                    {
                        clientFailure.set(ex);
                    }
                }, "lincheck-client-" + c);
                clients.add(client);
                client.start();
            }
            final ProbingNemesis nemesis = new ProbingNemesis(d, history, keysOf(CLUSTERS.get(0)), seed);
            try
            {
                nemesis.run(rounds);
            }
            finally
            {
                running.set(false);
                for (final Thread client : clients)
                {
                    client.join();
                }
            }
            assertThat(clientFailure.get()).as("a client thread's failure").isNull();

            // Healed: the cluster serves again, and the history is checked as a whole.
            writeUntilAcknowledged(d.client, d.members(CLUSTERS.get(0)).get(0), history);
            final CheckResult result = new LinearizabilityChecker().check(history);
            final String context = "seed " + seed + ", " + rounds + " rounds: " + nemesis.faults() + "; " +
                history.size() + " operations " + history.operations().stream()
                .collect(Collectors.groupingBy(op -> op.kind() + " " + op.outcome(), TreeMap::new,
                    Collectors.counting()));
            System.out.printf("linearizability across JVMs: %s%n", context);
            assertThat(history.size()).as(context).isGreaterThan(200);
            assertThat(result.verdict()).as(context + "; " + result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
            for (final String cluster : CLUSTERS)
            {
                assertConverged(d, cluster);
            }
        }
    }

    /**
     * Liveness once the faults stop: every member of the cluster comes to hold, in its own state, the value of every
     * key a consistent read returns.
     */
    private static void assertConverged(final Deployment d, final String cluster)
    {
        final List<ServerId> members = d.members(cluster);
        for (final String key : keysOf(cluster))
        {
            final Object agreed = InJvmCluster.await(() ->
            {
                try
                {
                    return Optional.ofNullable(d.client.namedQuery(members.get(0), "get", key, true, CALL_TIMEOUT)
                        .result());
                }
                catch (final RaException ex)
                {
                    return null;
                }
            }, WAIT, "a consistent read of " + key).orElse(null);
            for (final ServerId member : members)
            {
                InJvmCluster.await(() -> Objects.equals(agreed, d.client.namedQuery(member, "get", key, false,
                    CALL_TIMEOUT).result()) ? Boolean.TRUE : null, WAIT, member + " to hold " + key + "=" + agreed);
            }
        }
    }

    /**
     * @return the keys clients use in that cluster, named after it, so that one history holds both clusters'.
     */
    private static List<String> keysOf(final String cluster)
    {
        return KEYS.stream().map(key -> cluster + "/" + key).toList();
    }

    private static void runClient(final Deployment d, final int clientId, final int maxOperations,
        final History history, final AtomicBoolean running)
    {
        final RaSystem client = d.client;
        final SplittableRandom random = new SplittableRandom(1000 + clientId);
        final BlockingQueue<Object> notices = new LinkedBlockingQueue<>();
        try (RaProcess notified = client.spawn(notices::add))
        {
            int sequence = 0;
            int operations = 0;
            while (running.get() && operations++ < maxOperations)
            {
                pause(10 + random.nextInt(20));
                final String cluster = CLUSTERS.get(random.nextInt(CLUSTERS.size()));
                final String key = keysOf(cluster).get(random.nextInt(KEYS.size()));
                final List<ServerId> members = d.members(cluster);
                final ServerId to = members.get(random.nextInt(members.size()));
                final String value = clientId + "-" + sequence++;
                switch (random.nextInt(4))
                {
                    case 0 -> RecordedCalls.write(history, clientId, key, value,
                        () -> client.processCommand(to, new KvMachine.Put(key, value), CALL_TIMEOUT));
                    case 1 -> pipelinedWrite(client, to, new KvMachine.Put(key, value), notified, notices,
                        history.invokeWrite(clientId, key, value), history);
                    case 2 -> RecordedCalls.read(history, clientId, key,
                        () -> client.<String>namedQuery(to, "get", key, true, CALL_TIMEOUT).result());
                    default -> RecordedCalls.read(history, clientId, key,
                        () -> client.<String>processCommand(to, new KvMachine.Get(key), CALL_TIMEOUT).reply());
                }
            }
        }
    }

    /**
     * A write pipelined with a correlation (its value, unique): applied once the leader's notice names it; a member
     * that is not the leader rejects it unappended, and it is sent once more to the leader that member names (a second
     * rejection, or one without a leader, is a definite failure); without either notice within the call timeout its
     * outcome is unknown. Notices of earlier writes arriving late are skipped.
     */
    private static void pipelinedWrite(final RaSystem client, final ServerId to, final KvMachine.Put put,
        final RaProcess notified, final BlockingQueue<Object> notices, final OperationHandle op, final History history)
    {
        client.pipelineCommand(to, put, put.value(), notified.ref());
        final long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        boolean redirected = false;
        long left;
        while ((left = deadline - System.nanoTime()) > 0)
        {
            final Object notice;
            try
            {
                notice = notices.poll(left, TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            if (notice instanceof RaEvent.Applied applied &&
                applied.applied().stream().anyMatch(each -> put.value().equals(each.correlation())))
            {
                history.ok(op);
                return;
            }
            if (notice instanceof RaEvent.Rejected rejected && put.value().equals(rejected.correlation()))
            {
                if (null == rejected.leaderHint() || redirected)
                {
                    history.fail(op);
                    return;
                }
                // As a Ra client does: sent again, once, to the leader the member named.
                redirected = true;
                client.pipelineCommand(rejected.leaderHint(), put, put.value(), notified.ref());
            }
        }
        history.unknown(op);
    }

    /**
     * A last write after the faults, recorded like the others: the cluster must serve again once healed.
     */
    private static void writeUntilAcknowledged(final RaSystem client, final ServerId to, final History history)
    {
        final KvMachine.Put last = new KvMachine.Put(KEY_WRITTEN_LAST, "final");
        InJvmCluster.await(() -> RecordedCalls.write(history, CLIENTS, last.key(), last.value(),
            () -> client.processCommand(to, last, CALL_TIMEOUT)) ? Boolean.TRUE : null, WAIT,
            "a write after the faults");
    }

    private static void pause(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
