package dev.ra.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.group.GroupClient;
import dev.ra.examples.kv.KvClient;
import dev.ra.examples.leader.Companion;
import dev.ra.examples.lock.LockClient;
import dev.ra.examples.lock.LockEntry;
import dev.ra.examples.lock.LockGranted;
import dev.ra.examples.lock.LockReply;
import dev.ra.examples.sessionlock.SessionLockClient;
import dev.ra.examples.sessionlock.SessionLockEntry;
import dev.ra.examples.support.Inbox;
import dev.ra.examples.tasks.Task;
import dev.ra.examples.tasks.TaskClient;
import dev.ra.examples.tasks.TaskCompleted;
import dev.ra.node.NodeJvm;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * The toolbox with the holder / member / worker / writer / companion in a JVM of its own, killed with {@code kill -9}
 * ({@link Process#destroyForcibly()}), on Netty over loopback. One deployment is shared by every scenario, to keep
 * the suite short:
 * <ul>
 *   <li>{@code n1}, {@code n2}: {@link ToolboxNode}s in this JVM, hosting members of every toolbox cluster and the
 *       test's own processes (waiters, enqueuers);</li>
 *   <li>{@code n3}: a {@link ToolboxNode} in a child JVM with ra-log on disk, the third member of every cluster (the
 *       KV writer and the follow-the-leader companion live there);</li>
 *   <li>{@code app}: a child JVM hosting no member, only application processes (lock holders, group members,
 *       workers).</li>
 * </ul>
 * Each scenario restarts what it killed, so the order of scenarios does not matter. No assertion depends on timing:
 * every wait is for a state the machine must reach, bounded by a generous timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
final class MultiJvmToolboxTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> RA_NODES = List.of("n1", "n2", "n3");

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, ToolboxNode> localNodes = new LinkedHashMap<>();
    private Path dataDir;
    private NodeJvm n3;
    private NodeJvm app;
    private RaSystem n1;

    @BeforeAll
    void startDeployment() throws IOException
    {
        dataDir = Files.createTempDirectory("ra-multi-jvm");
        for (final String node : List.of("n1", "n2", "n3", "app"))
        {
            ports.put(node, LoopbackPorts.freePort());
        }
        final Path logs = Path.of("target", "node-logs", "MultiJvmToolboxTest");
        final List<String> n3Settings = new ArrayList<>(settingsOf("n3"));
        n3Settings.add("data.dir=" + dataDir.resolve("n3"));
        n3 = ToolboxNode.childJvm("n3", n3Settings, logs.resolve("n3.log")).start();
        app = ToolboxNode.childJvm("app", settingsOf("app"), logs.resolve("app.log")).start();
        for (final String node : List.of("n1", "n2"))
        {
            final List<String> settings = new ArrayList<>(settingsOf(node));
            settings.add("node.id=" + node);
            localNodes.put(node, ToolboxNode.start(settings.toArray(String[]::new), new IdleCompanion()));
        }
        n1 = localNodes.get("n1").system();
        eventually(() -> List.of("n2", "n3", "app").stream().allMatch(localNodes.get("n1").transport()::isReachable),
            "n1 to reach every node");
        for (final String cluster : ToolboxNode.CLUSTERS)
        {
            n1.startCluster(cluster, cluster, ToolboxNode.members(cluster, RA_NODES));
        }
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
            "cluster.id=multi-jvm-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
            "failure.timeout.ms=5000", "sessionlock.grace.ms=2000", "leader.grace.ms=1500");
    }

    @AfterAll
    void stopDeployment() throws IOException
    {
        for (final NodeJvm child : new NodeJvm[] {n3, app})
        {
            if (null != child)
            {
                child.close();
            }
        }
        localNodes.values().forEach(ToolboxNode::close);
        if (null != dataDir)
        {
            try (var paths = Files.walk(dataDir))
            {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void shouldPassTheLockToTheNextWaiterWhenTheHolderJvmIsKilled()
    {
        final LockClient locks = new LockClient(n1, ToolboxNode.members(ToolboxNode.LOCKS, RA_NODES));
        final ProcessRef holder = app.spawn();
        final LockReply granted = locks.acquire("printer", holder);
        assertThat(granted).isInstanceOf(LockReply.Acquired.class);
        final long holderToken = ((LockReply.Acquired)granted).token();
        try (Inbox waiter = new Inbox(n1))
        {
            assertThat(locks.acquire("printer", waiter.ref())).isInstanceOf(LockReply.Queued.class);

            killAndRestart(app);

            final LockGranted grant = waiter.await(LockGranted.class, g -> g.key().equals("printer"), WAIT);
            assertThat(grant.token()).isGreaterThan(holderToken);
            final LockEntry entry = locks.lockInfo("printer").orElseThrow();
            assertThat(entry.holder()).isEqualTo(waiter.ref());
            assertThat(entry.token()).isEqualTo(grant.token());
            assertThat(locks.release("printer", waiter.ref())).isTrue();
        }
    }

    @Test
    void shouldRemoveGroupMembersWhoseJvmWasKilledOnceTheirNodeReturns()
    {
        final GroupClient groups = new GroupClient(n1, ToolboxNode.members(ToolboxNode.GROUPS, RA_NODES));
        final ProcessRef remote = app.spawn();
        try (Inbox local = new Inbox(n1))
        {
            groups.join("printers", remote);
            groups.join("printers", local.ref());
            assertThat(groups.members("printers")).containsExactly(remote, local.ref());

            app.kill();
            eventually(() -> !localNodes.get("n1").transport().isReachable("app"), "n1 to see app go down");
            // Down(NOCONNECTION): the member may only be unreachable, so it is kept until its node answers again.
            assertThat(groups.members("printers")).contains(remote);

            app.start();
            eventually(() -> List.of(local.ref()).equals(groups.members("printers")),
                "the dead member to be removed after its node returned");
            assertThat(groups.leave("printers", local.ref())).isTrue();
        }
    }

    @Test
    void shouldRequeueTheTaskOfAWorkerWhoseJvmWasKilledAndLetAnotherWorkerDoIt()
    {
        final TaskClient tasks = new TaskClient(n1, ToolboxNode.members(ToolboxNode.TASKS, RA_NODES));
        try (Inbox enqueuer = new Inbox(n1); Inbox secondWorker = new Inbox(n1))
        {
            final long taskId = tasks.enqueue(enqueuer.ref(), "render report");
            final ProcessRef firstWorker = app.spawn();
            final Task first = tasks.grab(firstWorker).orElseThrow();
            assertThat(first.id()).isEqualTo(taskId);

            app.kill();
            eventually(() -> !localNodes.get("n1").transport().isReachable("app"), "n1 to see app go down");
            // NOCONNECTION: the worker keeps its task while its node might come back.
            assertThat(tasks.snapshot().taskOf(firstWorker)).isNotNull();

            app.start();
            final Task redone = eventually(() -> tasks.grab(secondWorker.ref()).orElse(null),
                "the task to be requeued once the worker's node is back without it");
            assertThat(redone.id()).isEqualTo(taskId);
            assertThat(redone.deliveries()).isEqualTo(2);
            assertThat(tasks.complete(secondWorker.ref(), taskId)).isTrue();
            assertThat(enqueuer.await(TaskCompleted.class, WAIT).taskId()).isEqualTo(taskId);
            assertThat(tasks.isPending(taskId)).isFalse();
        }
    }

    @Test
    void shouldReleaseTheSessionLockAfterTheGracePeriodWhenTheHolderJvmIsKilled()
    {
        final SessionLockClient locks = new SessionLockClient(n1,
            ToolboxNode.members(ToolboxNode.SESSION_LOCKS, RA_NODES));
        final ProcessRef holder = app.spawn();
        final LockReply granted = locks.acquire("config", holder);
        assertThat(granted).isInstanceOf(LockReply.Acquired.class);
        try (Inbox waiter = new Inbox(n1))
        {
            assertThat(locks.acquire("config", waiter.ref())).isInstanceOf(LockReply.Queued.class);
            app.kill();
            try
            {
                final LockGranted grant = waiter.await(LockGranted.class, g -> g.key().equals("config"), WAIT);
                assertThat(grant.token()).isGreaterThan(((LockReply.Acquired)granted).token());
                final SessionLockEntry entry = locks.lockInfo("config").orElseThrow();
                assertThat(entry.holder()).isEqualTo(waiter.ref());
                assertThat(locks.release("config", waiter.ref())).isTrue();
            }
            finally
            {
                app.start();
            }
        }
    }

    @Test
    void shouldKeepKvDataWrittenFromAJvmThatIsKilled()
    {
        final KvClient kv = new KvClient(n1, ToolboxNode.members(ToolboxNode.KV, RA_NODES));
        final Map<String, String> written = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++)
        {
            final String answer = n3.command("kv put key" + i + " value" + i).get(0);
            assertThat(answer).startsWith("ok put ");
            written.put("key" + i, "value" + i);
        }

        killAndRestart(n3);

        written.forEach((key, value) -> assertThat(kv.get(key)).contains(value));
        // n3 recovers its member from its own disk and catches up; a read through it sees every write.
        final String last = eventually(() ->
        {
            final String answer = n3.command("kv get key9").get(0);
            return answer.startsWith("ok get ") ? answer : null;
        }, "n3's member to serve reads again");
        assertThat(last).isEqualTo("ok get value9");
    }

    @Test
    void shouldRestartTheCompanionNextToTheNewLeaderWhenTheLeadersJvmIsKilled()
    {
        final ServerId onN3 = new ServerId(ToolboxNode.LEADER, "n3");
        eventually(() ->
        {
            final ServerId leader = n1.overview(new ServerId(ToolboxNode.LEADER, "n1")).leader();
            if (onN3.equals(leader))
            {
                return true;
            }
            n1.transferLeadership(leader, onN3);
            return false;
        }, "n3 to lead the follow-the-leader cluster");
        String started = n3.awaitEvent(line -> line.startsWith("companion started"), WAIT);
        assertThat(started).as("companion start announced by n3").isNotNull();
        // The latest announcement is the running companion's (an earlier leadership of n3 may have announced too).
        for (String later; null != (later = n3.awaitEvent(line -> line.startsWith("companion started"),
            Duration.ofMillis(500)));)
        {
            started = later;
        }
        final long epochOnN3 = Long.parseLong(started.substring("companion started ".length()));

        killAndRestart(n3);

        // The new leader may be n1 or n2, or the restarted n3 if it comes back and wins first: in every case a
        // companion with a newer epoch must run next to it.
        final long newEpoch = eventually(() ->
        {
            final long local = localNodes.values().stream().mapToLong(ToolboxNode::companionEpoch).max().orElse(0);
            if (local > epochOnN3)
            {
                return local;
            }
            final String onRestartedN3 = n3.awaitEvent(line -> line.startsWith("companion started"),
                Duration.ofMillis(100));
            final long remote = null == onRestartedN3 ? 0 :
                Long.parseLong(onRestartedN3.substring("companion started ".length()).trim());
            return remote > epochOnN3 ? remote : null;
        }, "a companion with a newer epoch next to the new leader");
        assertThat(newEpoch).isGreaterThan(epochOnN3);
    }

    private static void killAndRestart(final NodeJvm child)
    {
        child.kill();
        child.start();
    }

    private static <T> T eventually(final Supplier<T> probe, final String what)
    {
        return InJvmCluster.await(probe, WAIT, what);
    }

    /**
     * The companions of n1 and n2 do nothing; the test reads their epochs from the host.
     */
    private static final class IdleCompanion implements Companion
    {
        @Override
        public void start(final long epoch)
        {
        }

        @Override
        public void stop(final long epoch)
        {
        }
    }
}
