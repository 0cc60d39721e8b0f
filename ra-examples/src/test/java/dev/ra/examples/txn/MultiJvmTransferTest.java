package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.LoopbackNodes;
import dev.ra.node.NodeJvm;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two-phase transfers across real processes: three node JVMs ({@code n1..n3}, ra-log on disk, Netty on loopback)
 * host the coordinator cluster and two bank clusters; this JVM is a client-only node that keeps transferring money
 * between the banks. The JVM of the coordinator's leader is killed with {@code kill -9} while its driver is stopped
 * right after the prepares, then again right after a commit decision, and restarted from its disk. Every transfer
 * must end all or nothing, money must be conserved and no reservation may remain.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
final class MultiJvmTransferTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AccountRef ALICE = new AccountRef(TransferNode.BANK_A, "alice");
    private static final AccountRef BOB = new AccountRef(TransferNode.BANK_B, "bob");

    private final LoopbackNodes nodes = new LoopbackNodes(List.of("n1", "n2", "n3", "client"),
        "cluster.id=multi-jvm-transfer-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
        "failure.timeout.ms=5000");
    private final Map<String, NodeJvm> jvms = new LinkedHashMap<>();
    private Path dataDir;
    private TransferNode client;

    @AfterEach
    void stopDeployment() throws IOException
    {
        jvms.values().forEach(NodeJvm::close);
        if (null != client)
        {
            client.close();
        }
        if (null != dataDir)
        {
            try (var paths = Files.walk(dataDir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void shouldEndEveryTransferAllOrNothingWhenTheCoordinatorLeaderJvmIsKilledBetweenPrepareAndCommit()
        throws Exception
    {
        startDeployment();
        final Map<String, ParticipantClient> banks = Map.of(
            TransferNode.BANK_A, new ParticipantClient(client.system(), TransferNode.members(TransferNode.BANK_A)),
            TransferNode.BANK_B, new ParticipantClient(client.system(), TransferNode.members(TransferNode.BANK_B)));
        banks.get(TransferNode.BANK_A).deposit("alice", 1_000);
        banks.get(TransferNode.BANK_B).deposit("bob", 1_000);
        final TransferClient transfers =
            new TransferClient(client.system(), TransferNode.members(TransferNode.COORDINATOR));

        final AtomicBoolean stop = new AtomicBoolean();
        final List<TransferAudit.Attempt> attempts = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Void> transferring = CompletableFuture.runAsync(() ->
        {
            final Random random = new Random(42);
            for (int i = 0; i < 1_000 && !stop.get(); i++)
            {
                final boolean aliceToBob = random.nextBoolean();
                final AccountRef from = aliceToBob ? ALICE : BOB;
                final AccountRef to = aliceToBob ? BOB : ALICE;
                attempts.add(new TransferAudit.Attempt(transfers.transfer(from, to, 1 + random.nextInt(300), WAIT),
                    from, to));
            }
        }, ThreadPerTask.EXECUTOR);

        final String abortedTx = killTheLeaderAt(DriverCheckpoint.AFTER_PREPARE);
        final String committedTx = killTheLeaderAt(TransferNode.AFTER_COMMIT_DECISION);
        InJvmCluster.await(() -> attempts.size() > 5 && ended(attempts, abortedTx) && ended(attempts, committedTx),
            WAIT, "both interrupted transfers to end, and a few more");
        stop.set(true);
        transferring.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        final Map<String, TransferResult> results = new LinkedHashMap<>();
        attempts.forEach(a -> results.put(a.result().txId(), a.result()));
        assertThat(results.get(abortedTx)).as("the transfer stopped after its prepares was presumed aborted")
            .extracting(TransferResult::committed, r -> r.reason().contains("presumed abort"))
            .containsExactly(false, true);
        assertThat(results.get(committedTx)).as("the transfer stopped after its commit decision was committed")
            .isEqualTo(new TransferResult(committedTx, true, ""));
        TransferAudit.check(transfers, banks,
            Map.of(TransferNode.BANK_A, List.of("alice"), TransferNode.BANK_B, List.of("bob")), attempts, 2_000);
    }

    /**
     * Arm the checkpoint on every node JVM, wait for the coordinator leader's driver to stop there, disarm the
     * others, {@code kill -9} the stopped one and start it again from its disk.
     *
     * @return the id of the transaction whose driver was stopped.
     */
    private String killTheLeaderAt(final String checkpoint)
    {
        jvms.values().forEach(jvm -> assertThat(jvm.command("txn pause " + checkpoint).get(0)).startsWith("ok "));
        final String[] paused = InJvmCluster.await(() ->
        {
            for (final NodeJvm jvm : jvms.values())
            {
                final String event = jvm.awaitEvent(line -> line.startsWith("txn paused " + checkpoint),
                    Duration.ofMillis(100));
                if (null != event)
                {
                    return new String[] {jvm.nodeId(), event.substring(event.lastIndexOf(' ') + 1)};
                }
            }
            return null;
        }, WAIT, "a driver stopped " + checkpoint);
        jvms.forEach((node, jvm) ->
        {
            if (!node.equals(paused[0]))
            {
                jvm.command("txn pause none");
            }
        });
        final NodeJvm leader = jvms.get(paused[0]);
        leader.kill();
        leader.start();
        return paused[1];
    }

    private static boolean ended(final List<TransferAudit.Attempt> attempts, final String txId)
    {
        synchronized (attempts)
        {
            return attempts.stream().anyMatch(a -> a.result().txId().equals(txId));
        }
    }

    private void startDeployment() throws Exception
    {
        dataDir = Files.createTempDirectory("ra-multi-jvm-txn");
        final Path logs = Path.of("target", "node-logs", "MultiJvmTransferTest");
        final List<CompletableFuture<NodeJvm>> starting = new ArrayList<>();
        for (final String node : TransferNode.RA_NODES)
        {
            final List<String> settings = nodes.settingsOf(node);
            settings.add("data.dir=" + dataDir.resolve(node));
            final NodeJvm jvm = TransferNode.childJvm(node, settings, logs.resolve(node + ".log"));
            jvms.put(node, jvm);
            starting.add(CompletableFuture.supplyAsync(jvm::start, ThreadPerTask.EXECUTOR));
        }
        for (final CompletableFuture<NodeJvm> start : starting)
        {
            start.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        client = TransferNode.start(nodes.withId("client"));
        InJvmCluster.await(() -> TransferNode.RA_NODES.stream().allMatch(client.transport()::isReachable), WAIT,
            "the client node to reach every node");
        for (final String cluster : List.of(TransferNode.COORDINATOR, TransferNode.BANK_A, TransferNode.BANK_B))
        {
            client.system().startCluster(cluster, cluster, TransferNode.members(cluster));
        }
    }


}
