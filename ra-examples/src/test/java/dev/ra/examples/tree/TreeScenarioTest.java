package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.tree.recipes.TreeLock;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tree on a 3-node in-JVM cluster with a leader failover in the middle of operations, clients on the node that
 * hosts no member: multis cut by a failover are all-or-nothing; one-shot watches set before a failover fire once for
 * a change made during it, and so does one whose node was cut off while the change was made; a lock passes from a
 * holder whose process stopped to a waiter only once the holder's session expired, while the waiter's own session
 * survives the failover; a watcher cut off past the unreachable watch expiry, across a failover, loses its watches
 * and gets back, on its return, those it still holds (a one-shot watch fired meanwhile fires then, once).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeScenarioTest
{
    private static final long TTL_MS = 1_500;
    private static final Duration TTL = Duration.ofMillis(TTL_MS);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final TreeWorld world = new TreeWorld();

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void multisCutByAFailoverAreAllOrNothing() throws Exception
    {
        final TreeClient tree = world.clientOn(ToolboxCluster.APP_NODE);
        tree.ensurePath("/m");
        tree.create("/m/count", "", CreateMode.PERSISTENT, 0);
        final AtomicInteger sent = new AtomicInteger();
        final ExecutorService writer = Executors.newSingleThreadExecutor();
        try
        {
            // The writer keeps sending multis while the leader is killed twice under it.
            final Future<?> writing = writer.submit(() ->
            {
                for (int i = 0; i < 30; i++)
                {
                    try
                    {
                        final int version = tree.exists("/m/count").orElseThrow().version();
                        tree.multi(List.of(new TreeOp.Create("/m/" + i + "-a", "", CreateMode.PERSISTENT, 0),
                            new TreeOp.Create("/m/" + i + "-b", "", CreateMode.PERSISTENT, 0),
                            new TreeOp.SetData("/m/count", "after " + i, version)));
                    }
                    catch (final RuntimeException outcomeUnknown)
                    {
                        // The leader died with the multi: it may or may not be applied; the final read tells.
                    }
                    sent.incrementAndGet();
                }
            });
            for (final int at : List.of(8, 18))
            {
                InJvmCluster.await(() -> sent.get() >= at, WAIT, "the writer to get going");
                final ServerId killed = world.cluster().killLeader();
                world.cluster().awaitLeader();
                world.cluster().restartNode(killed.node());
            }
            writing.get(60, TimeUnit.SECONDS);
        }
        finally
        {
            writer.shutdownNow();
        }
        int committed = 0;
        for (int i = 0; i < 30; i++)
        {
            final boolean a = tree.exists("/m/" + i + "-a").isPresent();
            final boolean b = tree.exists("/m/" + i + "-b").isPresent();
            assertThat(a).as("multi %d: both creates or neither", i).isEqualTo(b);
            committed += a ? 1 : 0;
        }
        assertThat(tree.exists("/m/count").orElseThrow().version()).as("one setData per committed multi")
            .isEqualTo(committed);
        assertThat(committed).isGreaterThan(15);
    }

    @Test
    void oneShotWatchesSetBeforeAFailoverFireOnceForChangesDuringIt()
    {
        final TreeClient watcher = world.clientOn(ToolboxCluster.APP_NODE);
        final TreeClient writer = world.clientOn(ToolboxCluster.APP_NODE);
        writer.create("/config", "v0", CreateMode.PERSISTENT, 0);
        final List<TreeWatchMessage.Event> created = new CopyOnWriteArrayList<>();
        final List<TreeWatchMessage.Event> changed = new CopyOnWriteArrayList<>();
        final List<TreeWatchMessage.Event> children = new CopyOnWriteArrayList<>();
        final TreeReply.Existence watched = (TreeReply.Existence)watcher.exists("/ready", created::add);
        final TreeReply.Existence next = (TreeReply.Existence)watcher.exists("/ready", e -> { });
        assertThat(watched.stat()).as("/ready does not exist yet").isNull();
        // Each is served at the log index of its command; other entries (sessions' keep-alives) may come between.
        assertThat(watched.zxid()).as("the watch's zxid, before the next read's").isPositive()
            .isLessThan(next.zxid());
        watcher.getData("/config", changed::add);
        watcher.getChildren("/config", children::add);

        final ServerId killed = world.cluster().killLeader();
        writer.create("/ready", "", CreateMode.PERSISTENT, 0);
        writer.setData("/config", "v1", TreeOp.ANY_VERSION);
        writer.create("/config/a", "", CreateMode.PERSISTENT, 0);
        world.cluster().restartNode(killed.node());
        writer.setData("/config", "v2", TreeOp.ANY_VERSION);
        writer.create("/config/b", "", CreateMode.PERSISTENT, 0);

        InJvmCluster.await(() -> !created.isEmpty() && !changed.isEmpty() && !children.isEmpty(), WAIT,
            "the three watches to fire");
        // A later leader change asks the watcher to re-register: fired watches must not fire again.
        world.cluster().killLeader();
        writer.setData("/config", "v3", TreeOp.ANY_VERSION);
        sleep(TTL_MS);
        assertThat(created).singleElement().satisfies(e -> assertThat(e.type()).isEqualTo(TreeEventType.NODE_CREATED));
        assertThat(changed).singleElement()
            .satisfies(e -> assertThat(e.type()).isEqualTo(TreeEventType.NODE_DATA_CHANGED));
        assertThat(children).singleElement()
            .satisfies(e -> assertThat(e.type()).isEqualTo(TreeEventType.NODE_CHILDREN_CHANGED));
    }

    @Test
    void aOneShotWatchFiresForAChangeMadeWhileItsNodeWasCutOff()
    {
        final TreeClient writer = world.clientOn("n1");
        final TreeClient watcher = world.clientOn(ToolboxCluster.APP_NODE);
        writer.create("/config", "v0", CreateMode.PERSISTENT, 0);
        final List<TreeWatchMessage.Event> changed = new CopyOnWriteArrayList<>();
        watcher.getData("/config", changed::add);

        world.cluster().isolateAppNode();
        writer.setData("/config", "v1", TreeOp.ANY_VERSION);
        sleep(TTL_MS);
        world.cluster().reconnectAppNode();

        InJvmCluster.await(() -> !changed.isEmpty(), WAIT, "the watch to fire once the node is back");
        assertThat(changed).singleElement()
            .satisfies(e -> assertThat(e.type()).isEqualTo(TreeEventType.NODE_DATA_CHANGED));
    }

    @Test
    void aWatcherCutOffPastTheExpiryLosesItsWatchesAcrossAFailoverAndGetsThemBackOnItsReturn()
    {
        final long expiryMs = 3_000;
        try (TreeWorld quick = new TreeWorld(Duration.ofMillis(expiryMs)))
        {
            final String writerNode = quick.cluster().followerNode();
            final TreeClient writer = quick.clientOn(writerNode);
            final TreeClient watcher = quick.clientOn(ToolboxCluster.APP_NODE);
            writer.create("/config", "v0", CreateMode.PERSISTENT, 0);
            writer.create("/svc", "", CreateMode.PERSISTENT, 0);
            final List<TreeWatchMessage.Event> ready = new CopyOnWriteArrayList<>();
            final List<TreeWatchMessage.Event> changed = new CopyOnWriteArrayList<>();
            final List<TreeWatchMessage.Event> children = new CopyOnWriteArrayList<>();
            final List<TreeWatchMessage.Event> services = new CopyOnWriteArrayList<>();
            watcher.exists("/ready", ready::add);
            watcher.getData("/config", changed::add);
            watcher.getChildren("/config", children::add);
            watcher.addWatch("/svc", true, services::add);
            writer.create("/ready", "", CreateMode.PERSISTENT, 0);
            InJvmCluster.await(() -> !ready.isEmpty(), WAIT, "the /ready watch to fire before the cut");

            final long isolatedAtMs = System.currentTimeMillis();
            quick.cluster().isolateAppNode();
            InJvmCluster.await(() -> !quick.watches(writerNode).unreachableSinceMs().isEmpty(), WAIT,
                "the leader to find the watcher unreachable");
            // The leader fails while the watcher is cut off: the new one re-arms the expiry from the replicated time
            // the watcher was first found unreachable. The changes meanwhile are lost to the watcher.
            quick.cluster().killLeader();
            writer.setData("/config", "v1", TreeOp.ANY_VERSION);
            writer.create("/svc/a", "", CreateMode.PERSISTENT, 0);
            InJvmCluster.await(() -> !quick.watches(writerNode).expired().isEmpty(), WAIT, "the watches to expire");
            assertThat(System.currentTimeMillis() - isolatedAtMs).as("not before the bound")
                .isGreaterThanOrEqualTo(expiryMs);
            assertThat(quick.watches(writerNode).watches()).as("one-shot and persistent watches gone").isEmpty();

            // Back: told to re-register, it sets again what it holds; the change it missed fires the data watch.
            quick.cluster().reconnectAppNode();
            InJvmCluster.await(() -> !changed.isEmpty(), WAIT, "the missed change to fire the data watch");
            InJvmCluster.await(() -> quick.watches(writerNode).watches().size() == 2, WAIT,
                "the child and the persistent watch to be set again");
            assertThat(quick.watches(writerNode).expired()).isEmpty();
            writer.create("/svc/b", "", CreateMode.PERSISTENT, 0);
            writer.create("/config/c", "", CreateMode.PERSISTENT, 0);
            InJvmCluster.await(() -> !children.isEmpty() && services.stream().anyMatch(e -> "/svc/b".equals(e.path())),
                WAIT, "the restored watches to fire");
            // Fired one-shot watches are not armed again.
            writer.delete("/ready", TreeOp.ANY_VERSION);
            writer.setData("/config", "v2", TreeOp.ANY_VERSION);
            writer.create("/config/d", "", CreateMode.PERSISTENT, 0);
            writer.create("/svc/c", "", CreateMode.PERSISTENT, 0);
            InJvmCluster.await(() -> services.stream().anyMatch(e -> "/svc/c".equals(e.path())), WAIT,
                "the persistent watch to see the last change");
            assertThat(ready).singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo(TreeEventType.NODE_CREATED));
            assertThat(changed).singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo(TreeEventType.NODE_DATA_CHANGED));
            assertThat(children).singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo(TreeEventType.NODE_CHILDREN_CHANGED));
        }
    }

    @Test
    void aLockPassesOnlyOnceTheStoppedHoldersSessionExpiredAcrossAFailover() throws Exception
    {
        final TreeClient holderClient = world.clientOn(ToolboxCluster.APP_NODE);
        final TreeClient waiterClient = world.clientOn(ToolboxCluster.APP_NODE);
        final Lease holderSession = holderClient.openSession(TTL, () -> { });
        final AtomicBoolean waiterLost = new AtomicBoolean();
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Lease waiterSession = waiterClient.openSession(TTL, () -> waiterLost.set(true)))
        {
            final TreeLock held = new TreeLock(holderClient, "/locks/job", holderSession.id());
            assertThat(held.acquire(WAIT)).isTrue();
            final String holderNode = held.holdingNode();
            final TreeLock waiting = new TreeLock(waiterClient, "/locks/job", waiterSession.id());
            final Future<String> acquired = thread.submit(() ->
            {
                assertThat(waiting.acquire(WAIT.multipliedBy(2))).isTrue();
                return waiting.holdingNode();
            });
            InJvmCluster.await(() -> waiterClient.getChildren("/locks/job").orElseThrow().size() == 2, WAIT,
                "the waiter to queue");

            // The holder's process stops (no release, no more keep-alives), and the leader dies meanwhile.
            final long stoppedAtNanos = System.nanoTime();
            holderSession.close();
            sleep(TTL_MS / 3);
            final ServerId killed = world.cluster().killLeader();
            world.cluster().awaitLeader();
            world.cluster().restartNode(killed.node());

            final String waiterNode = acquired.get(60, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAtNanos))
                .as("not before the holder's TTL").isGreaterThanOrEqualTo(TTL_MS - TTL_MS / 4);
            assertThat(waiterClient.exists(holderNode)).as("the holder's node went with its session").isEmpty();
            assertThat(waiting.currentHolder()).isEqualTo(waiterNode);
            assertThat(waiterLost).as("the waiter's session survived the failover").isFalse();
            thread.submit(waiting::release).get(30, TimeUnit.SECONDS);
        }
        finally
        {
            thread.shutdownNow();
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
