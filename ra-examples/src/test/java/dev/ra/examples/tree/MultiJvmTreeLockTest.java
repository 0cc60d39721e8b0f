package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.lease.Lease;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.node.NodeJvm;
import dev.ra.testkit.InJvmCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The tree lock with real processes, on Netty over loopback: the holder lives in a child JVM that is killed with
 * {@code kill -9} ({@link NodeJvm#kill()}); the next waiter, on a node hosting no member, must get the lock, and only
 * once the holder's session expired.
 * <ul>
 *   <li>{@code n1}: a member in this JVM; {@code n2}, {@code n3}: members in child JVMs;</li>
 *   <li>{@code app}: a child JVM hosting no member, where the holder lives;</li>
 *   <li>{@code waiter}: a node in this JVM hosting no member, where the next contender lives.</li>
 * </ul>
 * No assertion depends on timing except "not before the TTL"; every wait is bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
final class MultiJvmTreeLockTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long TTL_MS = 2_000;

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, NodeJvm> children = new LinkedHashMap<>();
    private TreeNode n1;
    private TreeNode waiterNode;

    @BeforeAll
    void startDeployment()
    {
        for (final String node : List.of("n1", "n2", "n3", "app", "waiter"))
        {
            ports.put(node, freePort());
        }
        final Path logs = Path.of("target", "node-logs", "MultiJvmTreeLockTest");
        for (final String node : List.of("n2", "n3", "app"))
        {
            children.put(node, TreeNode.childJvm(node, settingsOf(node), logs.resolve(node + ".log")).start());
        }
        n1 = TreeNode.start(withId("n1"));
        waiterNode = TreeNode.start(withId("waiter"));
        eventually(() -> List.of("n2", "n3", "app", "waiter").stream().allMatch(n1.transport()::isReachable),
            "n1 to reach every node");
        n1.system().startCluster(TreeNode.CLUSTER, TreeNode.CLUSTER, TreeNode.members());
    }

    private String[] withId(final String node)
    {
        final List<String> settings = new ArrayList<>(settingsOf(node));
        settings.add("node.id=" + node);
        return settings.toArray(String[]::new);
    }

    private List<String> settingsOf(final String node)
    {
        final List<String> peers = new ArrayList<>();
        ports.forEach((id, port) ->
        {
            if (!id.equals(node))
            {
                peers.add(id + "=127.0.0.1:" + port);
            }
        });
        return List.of("listen=127.0.0.1:" + ports.get(node), "peers=" + String.join(",", peers),
            "cluster.id=multi-jvm-tree-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
            "failure.timeout.ms=3000", "default.timeout.ms=5000");
    }

    @AfterAll
    void stopDeployment()
    {
        children.values().forEach(NodeJvm::close);
        if (null != waiterNode)
        {
            waiterNode.close();
        }
        if (null != n1)
        {
            n1.close();
        }
    }

    @Test
    void theNextWaiterGetsTheLockOnlyAfterTheKilledHoldersSessionExpired() throws Exception
    {
        final TreeClient tree = waiterNode.client();
        final NodeJvm app = children.get("app");
        final String answer = app.command("lock /locks/printer " + TTL_MS).get(0);
        assertThat(answer).startsWith("ok lock ");
        final String[] words = answer.split(" ");
        final long holderSession = Long.parseLong(words[2]);
        final String holderNode = words[3];

        final ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Lease session = tree.openSession(Duration.ofMillis(TTL_MS), () -> { }))
        {
            final TreeLock lock = new TreeLock(tree, "/locks/printer", session.id());
            final Future<String> acquired = thread.submit(() ->
            {
                assertThat(lock.acquire(WAIT)).isTrue();
                final String mine = lock.holdingNode();
                lock.release();
                return mine;
            });
            // Kept alive from the other JVM for two TTLs: the holder keeps the lock, the waiter waits.
            eventually(() -> tree.getChildren("/locks/printer").orElseThrow().size() == 2, "the waiter to queue");
            Thread.sleep(2 * TTL_MS);
            assertThat(acquired).isNotDone();
            assertThat(tree.exists(holderNode)).isPresent();

            // Timed from before the kill: the last keep-alive left at most a keep-alive period (TTL / 4) earlier.
            final long killedAtNanos = System.nanoTime();
            app.kill();
            final String waiterLockNode = acquired.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNanos))
                .as("not before the holder's TTL (less one keep-alive period)")
                .isGreaterThanOrEqualTo(TTL_MS - TTL_MS / 4);
            assertThat(tree.exists(holderNode)).as("the killed holder's node went with its session").isEmpty();
            assertThat(tree.cluster().<Object>namedQuery(TreeMachine.SESSION, holderSession, true)).isNull();
            assertThat(waiterLockNode).isNotEqualTo(holderNode).startsWith("/locks/printer/");
        }
        finally
        {
            thread.shutdownNow();
            children.get("app").start();
        }
    }

    private static <T> T eventually(final Supplier<T> probe, final String what)
    {
        return InJvmCluster.await(probe, WAIT, what);
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
