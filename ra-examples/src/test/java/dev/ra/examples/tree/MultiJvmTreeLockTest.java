package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.lease.Lease;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.examples.support.LoopbackNodes;
import dev.ra.node.NodeJvm;
import dev.ra.testkit.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
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

    private final LoopbackNodes nodes = new LoopbackNodes(List.of("n1", "n2", "n3", "app", "waiter"),
        "cluster.id=multi-jvm-tree-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
        "failure.timeout.ms=3000", "default.timeout.ms=5000");
    private final Map<String, NodeJvm> children = new LinkedHashMap<>();
    private TreeNode n1;
    private TreeNode waiterNode;

    @BeforeAll
    void startDeployment()
    {
        final Path logs = Path.of("target", "node-logs", "MultiJvmTreeLockTest");
        for (final String node : List.of("n2", "n3", "app"))
        {
            children.put(node, TreeNode.childJvm(node, nodes.settingsOf(node), logs.resolve(node + ".log")).start());
        }
        n1 = TreeNode.start(nodes.withId("n1").toArray(String[]::new));
        waiterNode = TreeNode.start(nodes.withId("waiter").toArray(String[]::new));
        eventually(() -> List.of("n2", "n3", "app", "waiter").stream().allMatch(n1.transport()::isReachable),
            "n1 to reach every node");
        n1.system().startCluster(TreeNode.CLUSTER, TreeNode.CLUSTER, TreeNode.members());
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

}
