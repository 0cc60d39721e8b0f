package dev.ra.examples.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.examples.support.LoopbackNodes;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeJvm;
import dev.ra.spi.Storage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import dev.ra.transport.netty.NettyTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling upgrade of a machine's logic across real processes: three node JVMs ({@code n1..n3}, ra-log on disk,
 * Netty on loopback) run version 1 of the ledger machine ({@link LedgerBuilds}); one at a time each is killed and
 * started again from its disk with the version 2 build (same class name, other directory), while this JVM, a
 * client-only node, keeps writing. Checked: no acknowledged write is lost; the cluster switches to version 2 only once
 * all three run it, at one index on every member, and their states end identical; the first member replaced, down
 * while the others snapshotted at version 1, installs that version-1 snapshot with its version-2 build; and a node
 * restarted with the version-1 build after the switch stops applying with an error naming the versions, without
 * taking anything down.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
final class MultiJvmMachineUpgradeTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> RA_NODES = List.of("n1", "n2", "n3");
    /** Writes at most: the writer is bounded even if the test never stops it. */
    private static final int MAX_WRITES = 20_000;

    private final LoopbackNodes nodes = new LoopbackNodes(List.of("n1", "n2", "n3", "client"),
        "cluster.id=multi-jvm-upgrade-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
        "failure.timeout.ms=5000", "min.snapshot.interval=10");
    private final Map<String, NodeJvm> jvms = new LinkedHashMap<>();
    private final List<ServerId> members = RA_NODES.stream().map(n -> new ServerId(LedgerNode.CLUSTER, n)).toList();
    private Path dataDir;
    private Path v1;
    private Path v2;
    private RaSystem client;
    private Storage clientStorage;

    @AfterEach
    void stopDeployment() throws IOException
    {
        jvms.values().forEach(NodeJvm::close);
        if (null != client)
        {
            client.close();
            clientStorage.close();
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
    void shouldSwitchToTheNewMachineVersionAtOneIndexWhenEveryNodeIsReplacedWhileAClientWrites() throws Exception
    {
        dataDir = Files.createTempDirectory("ra-multi-jvm-upgrade");
        v1 = LedgerBuilds.compile(1, dataDir.resolve("build-v1"));
        v2 = LedgerBuilds.compile(2, dataDir.resolve("build-v2"));
        for (final String node : RA_NODES)
        {
            jvms.put(node, nodeJvm(node, v1));
        }
        final List<CompletableFuture<NodeJvm>> starting = jvms.values().stream()
            .map(jvm -> CompletableFuture.supplyAsync(jvm::start, ThreadPerTask.EXECUTOR)).toList();
        for (final CompletableFuture<NodeJvm> start : starting)
        {
            start.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        startClient();

        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> write(acknowledged, stop),
            ThreadPerTask.EXECUTOR);
        awaitWrites(acknowledged, 30);

        boolean first = true;
        for (final String node : List.of("n3", "n2", "n1"))
        {
            jvms.get(node).kill();
            // Meanwhile the others write on, and snapshot (every 25 entries) past the end of the killed node's log.
            awaitWrites(acknowledged, acknowledged.size() + 80);
            final long appliedByOthers = RA_NODES.stream().filter(n -> !n.equals(node))
                .mapToLong(n -> field(status(n), "applied")).max().orElseThrow();
            jvms.get(node).close();
            jvms.put(node, nodeJvm(node, v2).start());
            InJvmCluster.await(() -> field(status(node), "applied") >= appliedByOthers, WAIT,
                node + " to catch up with the version 2 build");
            if (first)
            {
                final String status = status(node);
                assertThat(field(status, "installed")).as("the version-1 snapshot installed on the version-2 build: %s",
                    status).isGreaterThanOrEqualTo(1);
                assertThat(field(status, "effective")).as("no switch before every member runs version 2: %s", status)
                    .isEqualTo(1);
                first = false;
            }
        }
        InJvmCluster.await(() -> RA_NODES.stream().allMatch(n -> field(status(n), "effective") == 2), WAIT,
            "every member to switch to version 2");
        awaitWrites(acknowledged, acknowledged.size() + 30);
        stop.set(true);
        writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // Every member applies everything, with identical states, having switched at one index.
        InJvmCluster.await(() -> RA_NODES.stream().map(n -> field(status(n), "applied")).distinct().count() == 1,
            WAIT, "every member to apply the same entries");
        final List<String> statuses = RA_NODES.stream().map(this::status).toList();
        for (final String field : List.of("switchedAt", "digest", "size"))
        {
            assertThat(statuses.stream().map(s -> field(s, field)).distinct()).as("%s in %s", field, statuses)
                .hasSize(1);
        }
        assertThat(field(statuses.get(0), "switchedAt")).isPositive();
        for (final Map.Entry<String, String> write : acknowledged.entrySet())
        {
            final String stored = client.<String>namedQuery(members.get(0), "get", write.getKey(), true).result();
            assertThat(stored).as("acknowledged write %s", write.getKey()).isEqualTo(write.getValue());
        }
        assertThat(acknowledged.values()).as("written with version 1's logic and with version 2's")
            .anyMatch(v -> v.endsWith("@v2")).anyMatch(v -> !v.endsWith("@v2"));

        // A node restarted with the version-1 build stops applying, says why, and takes nothing down.
        jvms.get("n3").kill();
        jvms.get("n3").close();
        jvms.put("n3", nodeJvm("n3", v1).start());
        InJvmCluster.await(() -> status("n3").contains("needs machine version 2"), WAIT,
            "n3 with the version-1 build to report that it needs version 2");
        assertThat(status("n3")).contains("supports versions 0 to 1", "ledger");
        assertThat(client.processCommand(members.get(0), "after=rollback", WAIT).reply()).isEqualTo("rollback@v2");
        assertThat(jvms.get("n3").isAlive()).isTrue();
    }

    private void write(final Map<String, String> acknowledged, final AtomicBoolean stop)
    {
        int target = 0;
        for (int i = 0; i < MAX_WRITES && !stop.get(); i++)
        {
            final String key = "k" + i;
            for (int attempt = 0; attempt < 30 && !stop.get(); attempt++)
            {
                try
                {
                    final String stored = client.<String>processCommand(members.get(target), key + "=w" + i,
                        Duration.ofSeconds(5)).reply();
                    acknowledged.put(key, stored);
                    break;
                }
                catch (final RuntimeException ex)
                {
                    // Its node is down or a leader is being elected: try another member with the same write.
                    target = (target + 1) % members.size();
                }
            }
        }
    }

    private static void awaitWrites(final Map<String, String> acknowledged, final int count)
    {
        InJvmCluster.await(() -> acknowledged.size() >= count, WAIT, count + " acknowledged writes");
    }

    private String status(final String node)
    {
        final List<String> answer = jvms.get(node).command("mv");
        return String.join(" ", answer);
    }

    /**
     * @return the numeric field of an {@code mv} answer, or -1 when absent (a member not running).
     */
    private static long field(final String status, final String name)
    {
        for (final String word : status.split(" "))
        {
            if (word.startsWith(name + "="))
            {
                final String value = word.substring(name.length() + 1);
                return "null".equals(value) ? -1 : Long.parseLong(value);
            }
        }
        return -1;
    }

    private NodeJvm nodeJvm(final String node, final Path build)
    {
        final List<String> settings = nodes.settingsOf(node);
        settings.add("data.dir=" + dataDir.resolve(node));
        return LedgerNode.childJvm(node, settings, build,
            Path.of("target", "node-logs", "MultiJvmMachineUpgradeTest", node + ".log"));
    }

    private void startClient()
    {
        final NodeConfig config = NodeConfig.fromArgs(nodes.withId("client").toArray(String[]::new));
        final NettyTransport transport = new NettyTransport(config.transportConfig());
        clientStorage = config.openStorage();
        // The client has neither build: a machine with the default (generic) codecs encodes the commands.
        client = config.applyTo(RaSystem.builder().defaultTimeout(Duration.ofSeconds(10)), transport, clientStorage)
            .registerMachine(LedgerNode.CLUSTER, CodecsOnly::new).build();
        InJvmCluster.await(() -> RA_NODES.stream().allMatch(transport::isReachable), WAIT,
            "the client node to reach every node");
        client.startCluster(LedgerNode.CLUSTER, LedgerNode.CLUSTER, members);
    }

    /** Stands for the ledger on the client node, which never applies it: only its codecs are used. */
    private static final class CodecsOnly implements StateMachine<String, Object>
    {
        @Override
        public Object init(final InitArgs args)
        {
            throw new UnsupportedOperationException("the client node hosts no member");
        }

        @Override
        public ApplyResult<Object> apply(final CommandMeta meta, final String command, final Object state)
        {
            throw new UnsupportedOperationException("the client node hosts no member");
        }
    }
}
