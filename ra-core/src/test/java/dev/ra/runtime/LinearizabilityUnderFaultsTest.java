package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.lincheck.CheckResult;
import dev.ra.lincheck.History;
import dev.ra.lincheck.LinearizabilityChecker;
import dev.ra.lincheck.Operation;
import dev.ra.lincheck.OperationKind;
import dev.ra.lincheck.Outcome;
import dev.ra.lincheck.RecordedCalls;
import dev.ra.lincheck.Verdict;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real threads, real event loops: clients on every node write (processCommand) and read (consistentQuery on their
 * node's member, or a Get through the log) a few keys while a nemesis stops and restarts leaders and partitions
 * nodes. The recorded history must be linearizable; operations whose outcome is unknown count as such.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinearizabilityUnderFaultsTest
{
    /**
     * Many keys and a bounded number of operations per client keep every key's history short enough for the
     * checker to decide it on a slow, shared machine (the checker is exponential in concurrency, linear in length).
     */
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    private static final int MAX_OPERATIONS_PER_CLIENT = 600;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void kvHistoryUnderLeaderStopsAndPartitionsIsLinearizable() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final History history = new History(System::nanoTime);
            final AtomicBoolean running = new AtomicBoolean(true);
            final List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 6; c++)
            {
                final int clientId = c;
                final ServerId local = members.get(c % members.size());
                final Thread client = new Thread(() -> runClient(cluster, local, clientId, history, running),
                    "client-" + c);
                clients.add(client);
                client.start();
            }
            runNemesis(cluster, members, new SplittableRandom(42), 8);
            running.set(false);
            for (final Thread client : clients)
            {
                client.join();
            }

            final CheckResult result = new LinearizabilityChecker().check(history);
            System.out.printf("linearizability under faults: %d operations%n", history.size());
            assertThat(history.size()).isGreaterThan(100);
            // Not vacuous: a history of failed and unknown calls is linearizable whatever the cluster did.
            final List<Operation> operations = history.operations();
            assertThat(operations.stream().filter(op -> op.kind() == OperationKind.WRITE &&
                op.outcome() == Outcome.OK).count()).as("acknowledged writes").isGreaterThan(20);
            assertThat(operations.stream().filter(op -> op.kind() == OperationKind.READ &&
                op.outcome() == Outcome.OK && null != op.readValue()).count())
                .as("completed reads that saw a written value").isGreaterThan(20);
            assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    private static void runClient(final InJvmCluster cluster, final ServerId local, final int clientId,
        final History history, final AtomicBoolean running)
    {
        final SplittableRandom random = new SplittableRandom(clientId);
        int sequence = 0;
        int operations = 0;
        while (running.get() && operations++ < MAX_OPERATIONS_PER_CLIENT)
        {
            // Paced, so each key's history stays small enough for an exhaustive check (a few hundred operations).
            pause(5 + random.nextInt(10));
            final String key = KEYS.get(random.nextInt(KEYS.size()));
            final RaSystem node = cluster.system(local);
            final int choice = random.nextInt(3);
            if (choice == 0)
            {
                final String value = clientId + "-" + sequence++;
                RecordedCalls.write(history, clientId, key, value,
                    () -> node.processCommand(local, new KvMachine.Put(key, value), CALL_TIMEOUT));
            }
            else if (choice == 1)
            {
                RecordedCalls.read(history, clientId, key,
                    () -> node.<Map<String, String>, String>consistentQuery(local, s -> s.get(key)).result());
            }
            else
            {
                RecordedCalls.read(history, clientId, key,
                    () -> node.<String>processCommand(local, new KvMachine.Get(key), CALL_TIMEOUT).reply());
            }
        }
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

    private static void runNemesis(final InJvmCluster cluster, final List<ServerId> members,
        final SplittableRandom random, final int rounds) throws InterruptedException
    {
        for (int round = 0; round < rounds; round++)
        {
            Thread.sleep(300);
            final ServerId leader = cluster.leaderOf(members);
            if (null == leader)
            {
                continue;
            }
            if (random.nextBoolean())
            {
                cluster.system(leader).stopServer(leader);
                Thread.sleep(300);
                cluster.system(leader).restartServer(leader);
            }
            else
            {
                final ServerId other = members.get((members.indexOf(leader) + 1) % members.size());
                cluster.network().partition(leader.node(), other.node());
                Thread.sleep(300);
                cluster.network().heal(leader.node(), other.node());
            }
        }
        Thread.sleep(300);
    }
}
