package dev.ra.examples.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.lease.KeyValue;
import dev.ra.examples.lease.LeasedKvClient;
import dev.ra.examples.lease.LeasedKvReply;
import dev.ra.examples.lease.LeasedKvState;
import dev.ra.examples.support.LoopbackNodes;
import dev.ra.node.NodeJvm;
import dev.ra.testkit.InJvmCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watcher whose own JVM is killed with {@code kill -9} mid-stream, on Netty over loopback. Three members of the
 * leased KV: {@code n1} in this JVM (where the writer lives), {@code n2} and {@code n3} in child JVMs (ra-log on disk:
 * a killed member restarts from its disk and catches up). The watcher runs on {@code n3}, a node hosting a member, so
 * its kill also takes a member down; it records each revision durably in a small file of its own ({@link WatchNode})
 * and, restarted, resumes from the revision after the last one recorded.
 * The leader's JVM is killed once as well, later in the same stream.
 *
 * <p>Over the whole run, the file must hold exactly the writes under the prefix, in revision order: none missed, none
 * twice. The leader must drop the registration of the killed watcher process: marked unreachable while its node is
 * down, removed once the node is back (the re-established monitor finds the process gone). Every wait is bounded.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
final class MultiJvmWatcherKillTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PREFIX = "w/";
    private static final int WRITES = 120;

    private final LoopbackNodes nodes = new LoopbackNodes(WatchNode.MEMBER_NODES,
        "cluster.id=multi-jvm-watcher-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
        "failure.timeout.ms=3000", "default.timeout.ms=5000");
    private final Map<String, NodeJvm> children = new LinkedHashMap<>();
    private WatchNode n1;

    @TempDir
    Path dir;

    @AfterEach
    void stopDeployment()
    {
        children.values().forEach(NodeJvm::close);
        if (null != n1)
        {
            n1.close();
        }
    }

    @Test
    void aWatcherKilledMidStreamResumesFromItsRecordWithoutMissOrDuplicate()
    {
        final Path logs = Path.of("target", "node-logs", "MultiJvmWatcherKillTest");
        for (final String node : List.of("n2", "n3"))
        {
            final List<String> settings = nodes.settingsOf(node);
            settings.add("data.dir=" + dir.resolve(node));
            children.put(node, WatchNode.childJvm(node, settings, logs.resolve(node + ".log")).start());
        }
        n1 = WatchNode.start(nodes.withId("n1").toArray(String[]::new));
        eventually(() -> List.of("n2", "n3").stream().allMatch(n1.transport()::isReachable), "n1 to reach n2, n3");
        n1.system().startCluster(WatchNode.CLUSTER, WatchNode.CLUSTER, WatchNode.members());
        final LeasedKvClient kv = n1.client();
        final Path record = dir.resolve("watcher.record");
        final NodeJvm watcherJvm = children.get("n3");
        leaderOn("n2");

        final String firstWatch = watch(watcherJvm, record);
        // n1 follows: it applies the registration shortly after the leader has answered the watcher.
        eventually(() -> registration(firstWatch), "the first watch to be registered, as n1 applies it");
        final Map<String, Long> known = new LinkedHashMap<>();
        String secondWatch = null;
        for (int i = 0; i < WRITES; i++)
        {
            if (i == 30)
            {
                watcherJvm.kill();
            }
            if (i == 50)
            {
                eventually(() -> !registration(firstWatch).reachable(),
                    "the leader to mark the killed watcher unreachable");
                assertThat(lastRecorded(record)).as("the watcher recorded revisions before its kill").isPositive();
                watcherJvm.start();
                secondWatch = watch(watcherJvm, record);
                eventually(() -> null == registration(firstWatch), "the killed watcher's registration to go");
            }
            if (i == 80)
            {
                leaderOn("n2");
                children.get("n2").kill();
            }
            if (i == 95)
            {
                children.get("n2").start();
            }
            write(kv, PREFIX + String.format("%04d", i), known);
        }

        // Every key is written at most once (a put whose outcome is unknown is not retried), so the store says
        // which writes were applied and at which revision.
        final List<WatchNode.Recorded> expected = kv.range(PREFIX).stream()
            .sorted(Comparator.comparingLong(KeyValue::modRevision))
            .map(k -> new WatchNode.Recorded(k.modRevision(), List.of(k.key()))).toList();
        assertThat(expected.size()).as("most writes applied").isGreaterThan(WRITES * 3 / 4);
        known.forEach((key, revision) -> assertThat(expected).as("the acknowledged write of %s", key)
            .contains(new WatchNode.Recorded(revision, List.of(key))));
        final long last = expected.get(expected.size() - 1).revision();
        eventually(() -> lastRecorded(record) >= last, "the watcher to record revision " + last);
        assertThat(WatchNode.read(record)).as("the watcher's record over both runs: every write once, in order")
            .isEqualTo(expected);
        final String restarted = secondWatch;
        eventually(() -> registration(restarted), "the restarted watcher to be registered, as n1 applies it");
    }

    private static void write(final LeasedKvClient kv, final String key, final Map<String, Long> known)
    {
        try
        {
            if (kv.put(key, "v") instanceof LeasedKvReply.Written written)
            {
                known.put(key, written.revision());
            }
        }
        catch (final RuntimeException outcomeUnknown)
        {
            // The leader died with the put, or none was known for a while: it may or may not be applied.
        }
    }

    private static String watch(final NodeJvm node, final Path record)
    {
        final String answer = node.command("watch " + PREFIX + " " + record.toAbsolutePath()).get(0);
        assertThat(answer).startsWith("ok watch ");
        return answer.substring("ok watch ".length());
    }

    private static long lastRecorded(final Path record)
    {
        if (!Files.exists(record))
        {
            return 0;
        }
        final List<WatchNode.Recorded> lines = WatchNode.read(record);
        return lines.isEmpty() ? 0 : lines.get(lines.size() - 1).revision();
    }

    /**
     * @return the watch as the state applied on n1 holds it, or null.
     */
    private Watch registration(final String watchId)
    {
        return n1.system().<LeasedKvState, Watch>localQuery(new ServerId(WatchNode.CLUSTER, "n1"),
            s -> s.watches().watch(watchId)).result();
    }

    /**
     * Move the leadership to {@code node}, a child JVM the test can kill.
     */
    private void leaderOn(final String node)
    {
        final ServerId target = new ServerId(WatchNode.CLUSTER, node);
        eventually(() ->
        {
            final ServerId leader = n1.system().overview(new ServerId(WatchNode.CLUSTER, "n1")).leader();
            if (target.equals(leader))
            {
                return leader;
            }
            if (null != leader)
            {
                try
                {
                    n1.system().transferLeadership(leader, target);
                }
                catch (final RuntimeException notYet)
                {
                    // A transfer under way, or the target still catching up: asked again on the next probe.
                }
            }
            return null;
        }, "the leader to be " + node);
    }

    private static <T> T eventually(final Supplier<T> probe, final String what)
    {
        return InJvmCluster.await(probe, WAIT, what);
    }
}
