package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.watch.EventBatch;
import dev.ra.examples.watch.EventType;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.Watcher;
import dev.ra.examples.support.LoopbackNodes;
import dev.ra.node.NodeJvm;
import dev.ra.testkit.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions and watches with real processes killed by {@code kill -9} ({@link NodeJvm#kill()}), on Netty over
 * loopback:
 * <ul>
 *   <li>{@code n1}: a member in this JVM; {@code n2}, {@code n3}: members in child JVMs (in memory: a killed member
 *       restarts empty and catches up from the others);</li>
 *   <li>{@code app}: a child JVM hosting no member, where a session holder lives;</li>
 *   <li>{@code watch}: a node in this JVM hosting no member, where the watcher and the writer live.</li>
 * </ul>
 * No assertion depends on timing except "not before the TTL"; every wait is bounded. The deployment is shared by the
 * scenarios; each restarts what it killed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
final class MultiJvmLeaseTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long TTL_MS = 2_000;

    private final LoopbackNodes nodes = new LoopbackNodes(List.of("n1", "n2", "n3", "app", "watch"),
        "cluster.id=multi-jvm-lease-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
        "failure.timeout.ms=3000", "default.timeout.ms=5000");
    private final Map<String, NodeJvm> children = new LinkedHashMap<>();
    private LeaseNode n1;
    private LeaseNode watchNode;

    @BeforeAll
    void startDeployment()
    {
        final Path logs = Path.of("target", "node-logs", "MultiJvmLeaseTest");
        for (final String node : List.of("n2", "n3", "app"))
        {
            children.put(node, LeaseNode.childJvm(node, nodes.settingsOf(node), logs.resolve(node + ".log")).start());
        }
        n1 = LeaseNode.start(nodes.withId("n1").toArray(String[]::new));
        watchNode = LeaseNode.start(nodes.withId("watch").toArray(String[]::new));
        eventually(() -> List.of("n2", "n3", "app", "watch").stream().allMatch(n1.transport()::isReachable),
            "n1 to reach every node");
        n1.system().startCluster(LeaseNode.CLUSTER, LeaseNode.CLUSTER, LeaseNode.members());
    }



    @AfterAll
    void stopDeployment()
    {
        children.values().forEach(NodeJvm::close);
        if (null != watchNode)
        {
            watchNode.close();
        }
        if (null != n1)
        {
            n1.close();
        }
    }

    @Test
    void shouldPassTheLockOfASessionHolderWhoseJvmIsKilledOnAfterItsTtl() throws InterruptedException
    {
        final LeasedKvClient kv = watchNode.client();
        final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
        try (Watcher watcher = Watcher.watch(kv.cluster(), "lock/", 0, seen::add, c -> { });
            Lease next = kv.grant(Duration.ofMillis(TTL_MS), () -> { }))
        {
            final NodeJvm app = children.get("app");
            final String answer = app.command("hold lock/printer " + TTL_MS).get(0);
            assertThat(answer).startsWith("ok hold ");
            final long session = Long.parseLong(answer.substring("ok hold ".length()));

            // Kept alive from the other JVM for two TTLs: the lock stays taken.
            Thread.sleep(2 * TTL_MS);
            assertThat(kv.get("lock/printer")).hasValueSatisfying(k -> assertThat(k.sessionId()).isEqualTo(session));
            assertThat(kv.putIf("lock/printer", 0, "next", next.id())).isInstanceOf(LeasedKvReply.CompareFailed.class);

            // Timed from before the kill: the last keep-alive left at most a keep-alive period (TTL / 4) earlier.
            final long killedAtNanos = System.nanoTime();
            app.kill();
            eventually(() -> kv.get("lock/printer").isEmpty(), "the killed holder's key to go");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNanos))
                .as("not before the TTL (less one keep-alive period)").isGreaterThanOrEqualTo(TTL_MS - TTL_MS / 4);
            assertThat(kv.session(session)).isEmpty();
            assertThat(kv.putIf("lock/printer", 0, "next", next.id())).isInstanceOf(LeasedKvReply.Written.class);
            eventually(() -> seen.size() == 3, "the watcher to see the take, the release and the next take");
            assertThat(seen.stream().map(b -> b.events().get(0).type()).toList())
                .containsExactly(EventType.PUT, EventType.DELETE, EventType.PUT);
            assertThat(kv.delete("lock/printer").deleted()).hasSize(1);
        }
        finally
        {
            children.get("app").start();
        }
    }

    @Test
    void aWatcherOnAClientOnlyNodeGetsEveryChangeOnceWhileTheLeadersJvmIsKilled()
    {
        final ServerId leader = leaderInAChildJvm();
        final LeasedKvClient kv = watchNode.client();
        final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
        try (Watcher watcher = Watcher.watch(kv.cluster(), "k/", 0, seen::add, c -> { }))
        {
            for (int i = 0; i < 40; i++)
            {
                if (i == 15)
                {
                    children.get(leader.node()).kill();
                }
                try
                {
                    kv.put("k/" + i, "v" + i);
                }
                catch (final RuntimeException outcomeUnknown)
                {
                    // The leader died with the put: it may or may not be applied; the final read tells.
                }
            }
            children.get(leader.node()).start();
            final List<String> stored = kv.range("k/").stream().map(KeyValue::key).sorted().toList();
            final long revision = kv.revision();
            eventually(() -> watcher.lastDelivered() >= revision, "the watcher to catch up");

            final List<WatchEvent> events = new ArrayList<>();
            synchronized (seen)
            {
                seen.forEach(batch -> events.addAll(batch.events()));
            }
            // Puts sent while no leader was known may have failed outright; the last ones went to the new leader.
            assertThat(stored).contains("k/0", "k/39").hasSizeGreaterThan(30);
            assertThat(events.stream().map(WatchEvent::key).sorted().toList()).as("every applied put exactly once")
                .isEqualTo(stored);
            assertThat(events.stream().map(WatchEvent::modRevision).toList()).as("in revision order").isSorted();
        }
    }

    /**
     * Move the leadership to n2 or n3, whose JVMs the test can kill.
     */
    private ServerId leaderInAChildJvm()
    {
        final ServerId target = new ServerId(LeaseNode.CLUSTER, "n2");
        return eventually(() ->
        {
            final ServerId leader = n1.system().overview(new ServerId(LeaseNode.CLUSTER, "n1")).leader();
            if (null != leader && !leader.node().equals("n1"))
            {
                return leader;
            }
            if (null != leader)
            {
                n1.system().transferLeadership(leader, target);
            }
            return null;
        }, "the leader to be in a child JVM");
    }

    private static <T> T eventually(final Supplier<T> probe, final String what)
    {
        return InJvmCluster.await(probe, WAIT, what);
    }

}
