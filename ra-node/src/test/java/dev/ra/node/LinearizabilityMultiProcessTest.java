package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandResult;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.lincheck.CheckResult;
import dev.ra.lincheck.History;
import dev.ra.lincheck.LinearizabilityChecker;
import dev.ra.lincheck.OperationHandle;
import dev.ra.lincheck.Verdict;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole product under faults, as a property: three node JVMs on loopback with ra-log storage and Netty, clients in
 * this JVM (a node hosting no member) writing and reading a few keys through any member, while a nemesis kills nodes
 * with {@code kill -9} and restarts them from their data directories, pauses the leader's JVM with SIGSTOP for longer
 * than an election timeout, cuts a node off from its peers (connections closed), and silences it (connections up,
 * frames lost both ways, as a network losing packets: only silence tells). While a node is paused, cut off or
 * silenced, the nemesis writes a key through the others and reads it through that node: a former leader that
 * answered before learning of its successor would read stale. The recorded history must be linearizable: every
 * acknowledged write survives, no read returns a stale or never-written value. Operations whose outcome the client
 * could not know count as such. What the simulation checks of the core after every step, this checks of the runtime,
 * the transport and the log together.
 *
 * <p>The nemesis is seeded and bounded: {@code -Dra.test.lincheck.rounds=N} (default 8) faults, each kind once per
 * four rounds, in an order and on targets chosen from {@code -Dra.test.lincheck.seed} (default 1; both printed on
 * failure). The clients' own timing is not reproducible.
 */
class LinearizabilityMultiProcessTest
{
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
    private static final int CLIENTS = 4;
    /** Per round of faults: bounds each key's history, so that the checker decides it on a slow, shared machine. */
    private static final int OPERATIONS_PER_CLIENT_AND_ROUND = 100;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Client ids of the nemesis's probes, one per operation, after the clients'. */
    private static final int PROBE_CLIENTS = 100;
    private static final int PROBE_READS = 3;
    /** Longer than the longest fault, so that a probe sent during one completes after it heals. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(6);
    /** Deployment's election timeout range is 300-600 ms: a pause of this length outlasts it. */
    private static final long PAUSE_MS = 1500;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void kvHistoryAcrossJvmsUnderKillsPausesAndPartitionsIsLinearizable() throws Exception
    {
        final long seed = Long.getLong("ra.test.lincheck.seed", 1);
        final int rounds = Integer.getInteger("ra.test.lincheck.rounds", 8);
        try (Deployment d = new Deployment(3, "lincheck", List.of()))
        {
            final List<ServerId> members = d.members("kv");
            d.client.startCluster("kv", "kv", members);
            d.awaitLeader("kv", List.of());
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
                        runClient(d.client, members, clientId, OPERATIONS_PER_CLIENT_AND_ROUND * rounds, history,
                            running);
                    }
                    catch (final Throwable ex)
                    {
                        clientFailure.set(ex);
                    }
                }, "lincheck-client-" + c);
                clients.add(client);
                client.start();
            }
            final List<String> faults = new ArrayList<>();
            try
            {
                runNemesis(d, new SplittableRandom(seed), rounds, history, faults);
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
            writeUntilAcknowledged(d.client, members.get(0), history);
            final CheckResult result = new LinearizabilityChecker().check(history);
            final String context = "seed " + seed + ", " + rounds + " rounds: " + faults + "; " + history.size() +
                " operations";
            System.out.printf("linearizability across JVMs: %s%n", context);
            assertThat(history.size()).as(context).isGreaterThan(200);
            assertThat(result.verdict()).as(context + "; " + result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    private static void runClient(final RaSystem client, final List<ServerId> members, final int clientId,
        final int maxOperations, final History history, final AtomicBoolean running)
    {
        final SplittableRandom random = new SplittableRandom(1000 + clientId);
        int sequence = 0;
        int operations = 0;
        while (running.get() && operations++ < maxOperations)
        {
            pause(10 + random.nextInt(20));
            final String key = KEYS.get(random.nextInt(KEYS.size()));
            final ServerId to = members.get(random.nextInt(members.size()));
            final int choice = random.nextInt(3);
            if (choice == 0)
            {
                final String value = clientId + "-" + sequence++;
                final OperationHandle op = history.invokeWrite(clientId, key, value);
                try
                {
                    client.processCommand(to, new KvMachine.Put(key, value), CALL_TIMEOUT);
                    history.ok(op);
                }
                catch (final RaException ex)
                {
                    // Timed out, leader lost, node gone: the write may or may not have happened.
                    history.unknown(op);
                }
            }
            else if (choice == 1)
            {
                final OperationHandle op = history.invokeRead(clientId, key);
                try
                {
                    history.ok(op, client.<String>namedQuery(to, "get", key, true, CALL_TIMEOUT).result());
                }
                catch (final RaException ex)
                {
                    history.fail(op);
                }
            }
            else
            {
                final OperationHandle op = history.invokeRead(clientId, key);
                try
                {
                    final CommandResult<String> read = client.processCommand(to, new KvMachine.Get(key),
                        CALL_TIMEOUT);
                    history.ok(op, read.reply());
                }
                catch (final RaException ex)
                {
                    history.fail(op);
                }
            }
        }
    }

    /**
     * One fault per round, each healed before the next: the cluster keeps a majority most of the time, so the
     * clients' operations keep completing around the faults.
     */
    private static void runNemesis(final Deployment d, final SplittableRandom random, final int rounds,
        final History history, final List<String> faults) throws InterruptedException
    {
        final AtomicInteger probeIds = new AtomicInteger(PROBE_CLIENTS);
        final List<Integer> kinds = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            if (kinds.isEmpty())
            {
                // Every kind of fault once per four rounds, in a seeded order.
                kinds.addAll(List.of(0, 1, 2, 3));
                for (int i = kinds.size() - 1; i > 0; i--)
                {
                    kinds.set(i, kinds.set(random.nextInt(i + 1), kinds.get(i)));
                }
            }
            final int kind = kinds.remove(kinds.size() - 1);
            Thread.sleep(800 + random.nextInt(700));
            final ServerId leader = d.leaderOf("kv", List.of());
            final List<String> nodes = new ArrayList<>(d.nodes.keySet());
            // The leader, where a fault tests most; a kill sometimes hits a follower.
            final String target = null == leader || kind == 0 && random.nextInt(3) == 0 ?
                nodes.get(random.nextInt(nodes.size())) : leader.node();
            final NodeJvm node = d.node(target);
            final List<String> others = new ArrayList<>(nodes);
            others.remove(target);
            switch (kind)
            {
                case 0 ->
                {
                    faults.add("kill -9 " + target);
                    node.kill();
                    Thread.sleep(500 + random.nextInt(1500));
                    node.start();
                    d.awaitClientConnected();
                }
                case 1 ->
                {
                    faults.add("SIGSTOP " + target);
                    node.signal("STOP");
                    final List<CompletableFuture<?>> probes;
                    try
                    {
                        Thread.sleep(PAUSE_MS + random.nextInt(1000));
                        probes = probe(d, target, history, probeIds);
                    }
                    finally
                    {
                        node.signal("CONT");
                    }
                    awaitAll(probes);
                }
                case 2 ->
                {
                    faults.add("isolate " + target);
                    for (final String other : others)
                    {
                        node.command("block " + other);
                    }
                    final List<CompletableFuture<?>> probes;
                    try
                    {
                        Thread.sleep(1000 + random.nextInt(1500));
                        probes = probe(d, target, history, probeIds);
                    }
                    finally
                    {
                        for (final String other : others)
                        {
                            node.command("unblock " + other);
                        }
                    }
                    awaitAll(probes);
                }
                default ->
                {
                    // Connections stay up, frames are lost both ways: only silence tells the nodes.
                    faults.add("silence " + target);
                    for (final String other : others)
                    {
                        node.command("mute " + other);
                        d.node(other).command("mute " + target);
                    }
                    final List<CompletableFuture<?>> probes;
                    try
                    {
                        Thread.sleep(1000 + random.nextInt(1500));
                        probes = probe(d, target, history, probeIds);
                    }
                    finally
                    {
                        for (final String other : others)
                        {
                            node.command("unmute " + other);
                            d.node(other).command("unmute " + target);
                        }
                    }
                    awaitAll(probes);
                }
            }
        }
        Thread.sleep(1000);
    }

    /**
     * While {@code target} is paused or cut off, write a key through the other members and, once that is
     * acknowledged, read it through {@code target}: a former leader that answers before learning of its successor
     * returns the value from before the write, a stale read. The reads are sent before the fault heals and complete
     * after. Returns at once with no probe if the others have no leader yet.
     */
    private static List<CompletableFuture<?>> probe(final Deployment d, final String target, final History history,
        final AtomicInteger probeIds)
    {
        final List<CompletableFuture<?>> probes = new ArrayList<>();
        final ServerId leader = d.leaderOf("kv", List.of(target));
        if (null == leader)
        {
            return probes;
        }
        final String key = KEYS.get(probeIds.get() % KEYS.size());
        final String value = "probe-" + probeIds.get();
        final OperationHandle write = history.invokeWrite(probeIds.getAndIncrement(), key, value);
        try
        {
            d.client.processCommand(leader, new KvMachine.Put(key, value), CALL_TIMEOUT);
            history.ok(write);
        }
        catch (final RaException ex)
        {
            history.unknown(write);
            return probes;
        }
        final ServerId at = new ServerId("kv", target);
        for (int i = 0; i < PROBE_READS; i++)
        {
            final OperationHandle read = history.invokeRead(probeIds.getAndIncrement(), key);
            probes.add(d.client.<String>namedQueryAsync(at, "get", key, true, PROBE_TIMEOUT).whenComplete(
                (result, failure) ->
                {
                    if (null == failure)
                    {
                        history.ok(read, result.result());
                    }
                    else
                    {
                        history.fail(read);
                    }
                }));
        }
        return probes;
    }

    private static void awaitAll(final List<CompletableFuture<?>> probes)
    {
        for (final CompletableFuture<?> probe : probes)
        {
            try
            {
                probe.join();
            }
            catch (final CompletionException expected)
            {
                // Recorded as failed: a read that was refused or timed out has no effect.
            }
        }
    }

    /**
     * A last write after the faults, recorded like the others: the cluster must serve again once healed.
     */
    private static void writeUntilAcknowledged(final RaSystem client, final ServerId to, final History history)
    {
        InJvmCluster.await(() ->
        {
            final OperationHandle op = history.invokeWrite(CLIENTS, "k0", "final");
            try
            {
                client.processCommand(to, new KvMachine.Put("k0", "final"), CALL_TIMEOUT);
                history.ok(op);
                return Boolean.TRUE;
            }
            catch (final RaException ex)
            {
                history.unknown(op);
                return null;
            }
        }, WAIT, "a write after the faults");
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
