package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.ServerId;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.watch.EventBatch;
import dev.ra.examples.watch.EventType;
import dev.ra.examples.watch.WatchCompactedException;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.WatchReply;
import dev.ra.examples.watch.Watcher;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions and watches on a 3-node in-JVM cluster, clients on a fourth node that hosts no member: expiry of a session
 * nobody keeps alive, no premature expiry of a kept-alive session across a leader failover, the fresh TTL a new
 * leader grants, the session of an owner process that ends after its node was cut off (closed at once, also when the
 * node blinked before the leader committed, or a new leader found it cut off), a watcher that receives every change
 * exactly once while the leader is killed mid-stream, and a watcher cut off past the unreachable watch expiry (across a
 * failover) that loses its watch and resumes on its return.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LeasedKvScenarioTest
{
    private static final long TTL_MS = 1_500;
    private static final Duration TTL = Duration.ofMillis(TTL_MS);
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Long enough that a session found closed within {@link #WAIT} was closed by its owner's end, not its TTL. */
    private static final Duration OWNER_TTL = Duration.ofSeconds(120);

    private final LeaseWorld world = new LeaseWorld(10_000);

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void shouldDeleteTheKeysOfASessionOnceItsClientStopsKeepingItAlive() throws InterruptedException
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
        try (Watcher watcher = Watcher.watch(kv.cluster(), "svc/", 0, seen::add, c -> { }))
        {
            final Lease lease = kv.grant(TTL, () -> { });
            assertThat(kv.put("svc/api", "10.0.0.1:80", lease.id())).isInstanceOf(LeasedKvReply.Written.class);

            // Kept alive for several TTLs: the key stays.
            Thread.sleep(3 * TTL_MS);
            assertThat(kv.get("svc/api")).isPresent();
            assertThat(lease.isAlive()).isTrue();

            // Timed from before the close: the last keep-alive left at most a quarter TTL earlier, and the session
            // lives a full TTL after the lessor heard it.
            final long stoppedAtMs = System.currentTimeMillis();
            lease.close();
            InJvmCluster.await(() -> kv.get("svc/api").isEmpty(), WAIT, "the key to go with its session");
            assertThat(System.currentTimeMillis() - stoppedAtMs).as("not before the TTL")
                .isGreaterThanOrEqualTo(TTL_MS - TTL_MS / 4);
            assertThat(kv.session(lease.id())).isEmpty();
            InJvmCluster.await(() -> seen.size() == 2, WAIT, "the put and the delete");
            assertThat(seen.stream().map(b -> b.events().get(0).type()).toList())
                .containsExactly(EventType.PUT, EventType.DELETE);
        }
    }

    @Test
    void shouldNotExpireAKeptAliveSessionAcrossLeaderFailovers() throws InterruptedException
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final AtomicBoolean lost = new AtomicBoolean();
        try (Lease lease = kv.grant(TTL, () -> lost.set(true)))
        {
            kv.put("lock/printer", "holder-1", lease.id());
            final ServerId first = world.cluster().awaitLeader();
            InJvmCluster.await(() -> world.lessorEpoch(first.node()) > 0, WAIT, "the first lessor");
            final long firstEpoch = world.lessorEpoch(first.node());

            world.cluster().killLeader();
            final ServerId second = world.cluster().awaitLeader();
            InJvmCluster.await(() -> world.lessorEpoch(second.node()) > firstEpoch, WAIT, "a newer lessor");
            world.cluster().restartNode(first.node());
            Thread.sleep(3 * TTL_MS);

            assertThat(lost).as("session lost").isFalse();
            assertThat(lease.isAlive()).isTrue();
            assertThat(kv.get("lock/printer")).hasValueSatisfying(k -> assertThat(k.sessionId()).isEqualTo(lease.id()));
        }
    }

    @Test
    void shouldGrantAFreshTtlOnFailoverAndStillExpireTheSessionOfADeadClient()
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final long session = kv.grant(TTL, (dev.ra.ProcessRef)null).sessionId();
        kv.put("lock/printer", "dead-holder", session);
        final long grantedAtMs = System.currentTimeMillis();
        // Nobody keeps it alive. Halfway through its TTL the leader dies: the next lessor starts a fresh TTL.
        sleep(TTL_MS / 2);
        world.cluster().killLeader();
        final ServerId leader = world.cluster().awaitLeader();
        InJvmCluster.await(() -> world.lessorEpoch(leader.node()) > 0, WAIT, "the new lessor");
        final long freshStartMs = System.currentTimeMillis();

        InJvmCluster.await(() -> kv.get("lock/printer").isEmpty(), WAIT, "the dead holder's key to go");
        final long goneAtMs = System.currentTimeMillis();
        assertThat(goneAtMs - grantedAtMs).as("not before the TTL").isGreaterThanOrEqualTo(TTL_MS);
        // The new lessor started a little before the test saw it; without the fresh start the key would have gone
        // about TTL / 2 after the kill, well inside this margin.
        assertThat(goneAtMs - freshStartMs).as("the new lessor's full TTL").isGreaterThanOrEqualTo(TTL_MS - 300);
        assertThat(kv.session(session)).isEmpty();
    }

    @Test
    void shouldCloseTheSessionOfAnOwnerThatEndsAfterItsNodeWasCutOffAndBack() throws InterruptedException
    {
        final LeasedKvClient kv = world.clientOn("n1");
        final RaProcess owner = world.cluster().spawn(m -> { });
        final long session = kv.grant(OWNER_TTL, owner.ref()).sessionId();
        kv.put("svc/api", "10.0.0.7", session);

        // Cut off for a while, the owner may be alive: its session lives on.
        world.cluster().isolateAppNode();
        Thread.sleep(1_000);
        world.cluster().reconnectAppNode();
        assertThat(kv.session(session)).isPresent();

        owner.close();
        InJvmCluster.await(() -> kv.session(session).isEmpty(), WAIT, "the session of the ended owner to close");
        assertThat(kv.get("svc/api")).isEmpty();
    }

    @Test
    void shouldCloseTheSessionOfAnOwnerThatEndsAfterItsNodeBlinkedBeforeTheLeaderCommitted()
        throws InterruptedException
    {
        final LeasedKvClient kv = world.clientOn("n1");
        final RaProcess owner = world.cluster().spawn(m -> { });
        final long session = kv.grant(OWNER_TTL, owner.ref()).sessionId();

        // The owner is found unreachable and its node back before the report is applied: the node watch that
        // report sets is the only thing left to say the node is up.
        world.cluster().blinkAppNodeBeforeTheLeaderCommits();
        assertThat(kv.session(session)).isPresent();

        owner.close();
        InJvmCluster.await(() -> kv.session(session).isEmpty(), WAIT, "the session of the ended owner to close");
    }

    @Test
    void shouldCloseTheSessionOfAnOwnerThatEndsAfterANewLeaderFoundItsNodeCutOff()
    {
        final ToolboxCluster cluster = world.cluster();
        final LeasedKvClient kv = world.clientOn(cluster.followerNode());
        final RaProcess owner = cluster.spawn(m -> { });
        final long session = kv.grant(OWNER_TTL, owner.ref()).sessionId();
        final ServerId first = cluster.awaitLeader();
        InJvmCluster.await(() -> world.lessorEpoch(first.node()) > 0, WAIT, "the first lessor");
        final long firstEpoch = world.lessorEpoch(first.node());

        cluster.isolateAppNode();
        cluster.killLeader();
        final ServerId second = cluster.awaitLeader();
        // The new lessor starts after the new leader monitored the owner, which it found unreachable.
        InJvmCluster.await(() -> world.lessorEpoch(second.node()) > firstEpoch, WAIT, "a newer lessor");
        cluster.reconnectAppNode();
        assertThat(kv.session(session)).isPresent();

        owner.close();
        InJvmCluster.await(() -> kv.session(session).isEmpty(), WAIT, "the session of the ended owner to close");
    }

    @Test
    void aWatcherOnAClientOnlyNodeGetsEveryChangeOnceWhileTheLeaderIsKilled()
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
        try (Watcher watcher = Watcher.watch(kv.cluster(), "k/", 0, seen::add, c -> { }))
        {
            for (int i = 0; i < 60; i++)
            {
                if (i == 20 || i == 40)
                {
                    world.cluster().killLeader();
                }
                try
                {
                    kv.put("k/" + i, "v" + i);
                }
                catch (final RuntimeException outcomeUnknown)
                {
                    // The leader died with the put: it may or may not be applied; the final read tells.
                }
                if (i == 30)
                {
                    world.cluster().restartNode(ToolboxCluster.RA_NODES.stream()
                        .filter(n -> !world.cluster().isUp(n)).findFirst().orElseThrow());
                }
            }
            final List<String> stored = kv.range("k/").stream().map(KeyValue::key).sorted().toList();
            final long revision = kv.revision();
            InJvmCluster.await(() -> watcher.lastDelivered() >= revision, WAIT, "the watcher to catch up");

            final List<WatchEvent> events = new ArrayList<>();
            synchronized (seen)
            {
                seen.forEach(batch -> events.addAll(batch.events()));
            }
            assertThat(events).allMatch(e -> e.type() == EventType.PUT);
            assertThat(events.stream().map(WatchEvent::key).sorted().toList()).as("every applied put exactly once")
                .isEqualTo(stored);
            assertThat(events.stream().map(WatchEvent::modRevision).toList()).as("in revision order")
                .isSorted();
        }
    }

    @Test
    void aWatcherWhoseNodeWasCutOffGetsEveryChangeOnceAfterItReturns()
    {
        final LeasedKvClient writer = world.clientOn("n1");
        final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
        try (Watcher watcher = Watcher.watch(world.clientOn(ToolboxCluster.APP_NODE).cluster(), "k/", 0, seen::add,
            c -> { }))
        {
            writer.put("k/before", "v");
            InJvmCluster.await(() -> seen.size() == 1, WAIT, "the first change");
            world.cluster().isolateAppNode();
            for (int i = 0; i < 10; i++)
            {
                writer.put("k/" + i, "v" + i);
            }
            world.cluster().reconnectAppNode();
            writer.put("k/after", "v");
            final long revision = writer.revision();
            InJvmCluster.await(() -> watcher.lastDelivered() >= revision, WAIT, "the watcher to catch up");

            final List<String> keys = new ArrayList<>();
            synchronized (seen)
            {
                seen.forEach(batch -> batch.events().forEach(e -> keys.add(e.key())));
            }
            assertThat(keys).as("every change once, in order").containsExactly("k/before", "k/0", "k/1", "k/2",
                "k/3", "k/4", "k/5", "k/6", "k/7", "k/8", "k/9", "k/after");
        }
    }

    @Test
    void aWatcherCutOffPastTheExpiryLosesItsWatchAcrossAFailoverAndResumesOnItsReturn()
    {
        final long expiryMs = 3_000;
        try (LeaseWorld quick = new LeaseWorld(10_000, Duration.ofMillis(expiryMs)))
        {
            final String writerNode = quick.cluster().followerNode();
            final LeasedKvClient writer = quick.clientOn(writerNode);
            final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
            final AtomicBoolean compacted = new AtomicBoolean();
            try (Watcher watcher = Watcher.watch(quick.clientOn(ToolboxCluster.APP_NODE).cluster(), "k/", 0,
                seen::add, c -> compacted.set(true)))
            {
                final String id = watcher.watchId();
                writer.put("k/before", "v");
                InJvmCluster.await(() -> seen.size() == 1, WAIT, "the first change");

                final long isolatedAtMs = System.currentTimeMillis();
                quick.cluster().isolateAppNode();
                InJvmCluster.await(() -> null != quick.watch(writerNode, id) && !quick.watch(writerNode, id)
                    .reachable(), WAIT, "the leader to find the watcher unreachable");
                // The leader fails while the watcher is cut off: the new one re-arms the expiry from the
                // replicated time the watcher was first found unreachable.
                quick.cluster().killLeader();
                for (int i = 0; i < 5; i++)
                {
                    writer.put("k/" + i, "v" + i);
                }
                InJvmCluster.await(() -> quick.expired(writerNode, id), WAIT, "the watch to expire");
                final long goneAtMs = System.currentTimeMillis();
                assertThat(goneAtMs - isolatedAtMs).as("not before the bound").isGreaterThanOrEqualTo(expiryMs);
                assertThat(quick.watch(writerNode, id)).isNull();
                for (int i = 5; i < 10; i++)
                {
                    writer.put("k/" + i, "v" + i);
                }

                // Back: told its watch expired, it registers again from its last revision, and the history
                // fills in what it missed.
                quick.cluster().reconnectAppNode();
                writer.put("k/after", "v");
                final long revision = writer.revision();
                InJvmCluster.await(() -> watcher.lastDelivered() >= revision, WAIT, "the watcher to catch up");
                final List<String> keys = new ArrayList<>();
                synchronized (seen)
                {
                    seen.forEach(batch -> batch.events().forEach(e -> keys.add(e.key())));
                }
                assertThat(keys).as("every change once, in order").containsExactly("k/before", "k/0", "k/1", "k/2",
                    "k/3", "k/4", "k/5", "k/6", "k/7", "k/8", "k/9", "k/after");
                assertThat(compacted).isFalse();
                InJvmCluster.await(() -> !quick.expired(writerNode, id), WAIT, "the tombstone to go");
                assertThat(quick.watch(writerNode, id).reachable()).as("registered again").isTrue();
            }
        }
    }

    @Test
    void aWatcherWhoseNodeBlinkedKeepsReceivingChanges() throws InterruptedException
    {
        // The watcher is reported unreachable and back before the leader applies the report: the hub watches the
        // watcher's node, and only that watch's first report (up) marks the watch reachable again. Without it the
        // watch would expire after the bound and the watcher, never told, would miss every later change.
        try (LeaseWorld quick = new LeaseWorld(100, Duration.ofMillis(1_500)))
        {
            final String writerNode = quick.cluster().followerNode();
            final LeasedKvClient writer = quick.clientOn(writerNode);
            final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
            try (Watcher watcher = Watcher.watch(quick.clientOn(ToolboxCluster.APP_NODE).cluster(), "k/", 0,
                seen::add, c -> { }))
            {
                writer.put("k/before", "v");
                InJvmCluster.await(() -> seen.size() == 1, WAIT, "the first change");

                quick.cluster().blinkAppNodeBeforeTheLeaderCommits();
                InJvmCluster.await(() -> null != quick.watch(writerNode, watcher.watchId()) &&
                    quick.watch(writerNode, watcher.watchId()).reachable(), WAIT, "the watch reachable again");
                Thread.sleep(3_000);
                writer.put("k/after", "v");

                InJvmCluster.await(() -> seen.size() == 2, WAIT, "the change after the blink");
                assertThat(seen.get(1).events().get(0).key()).isEqualTo("k/after");
            }
        }
    }

    @Test
    void aWatcherWhoseWatchExpiredIsToldCompactedOnItsReturnWhenTheHistoryMovedOn()
    {
        try (LeaseWorld quick = new LeaseWorld(3, Duration.ofMillis(1_000)))
        {
            final String writerNode = quick.cluster().followerNode();
            final LeasedKvClient writer = quick.clientOn(writerNode);
            final AtomicReference<WatchReply.Compacted> compacted = new AtomicReference<>();
            final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
            try (Watcher watcher = Watcher.watch(quick.clientOn(ToolboxCluster.APP_NODE).cluster(), "k/", 0,
                seen::add, compacted::set))
            {
                final String id = watcher.watchId();
                quick.cluster().isolateAppNode();
                InJvmCluster.await(() -> quick.expired(writerNode, id), WAIT, "the watch to expire");
                for (int i = 0; i < 6; i++)
                {
                    writer.put("k/" + i, "v" + i);
                }
                quick.cluster().reconnectAppNode();
                InJvmCluster.await(() -> null != compacted.get(), WAIT, "the watcher to be told it fell behind");
                assertThat(seen).isEmpty();
                assertThat(compacted.get().requestedRevision()).isEqualTo(watcher.lastDelivered() + 1);
                assertThat(compacted.get().oldestAvailable()).isGreaterThan(compacted.get().requestedRevision());
            }
        }
    }

    @Test
    void aHolderCutOffForLongerThanItsTtlLosesItsSessionAndIsToldOnItsReturn()
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final LeasedKvClient observer = world.clientOn("n1");
        final AtomicBoolean lost = new AtomicBoolean();
        try (Lease lease = kv.grant(TTL, () -> lost.set(true)))
        {
            kv.put("lock/printer", "holder", lease.id());
            world.cluster().isolateAppNode();
            InJvmCluster.await(() -> observer.get("lock/printer").isEmpty(), WAIT,
                "the cut-off holder's session to expire");
            world.cluster().reconnectAppNode();
            InJvmCluster.await(lost::get, WAIT, "the holder to learn it lost its session");
            assertThat(lease.isAlive()).isFalse();
        }
    }

    @Test
    void shouldRefuseAWatchFromACompactedRevisionNamingTheOldestAvailable()
    {
        try (LeaseWorld small = new LeaseWorld(3))
        {
            final LeasedKvClient kv = small.clientOn(ToolboxCluster.APP_NODE);
            final long first = ((LeasedKvReply.Written)kv.put("k", "v0")).revision();
            for (int i = 1; i < 6; i++)
            {
                kv.put("k", "v" + i);
            }
            try
            {
                Watcher.watch(kv.cluster(), "k", first, b -> { }, c -> { }).close();
                throw new AssertionError("a watch from a compacted revision was accepted");
            }
            catch (final WatchCompactedException ex)
            {
                assertThat(ex.compacted().requestedRevision()).isEqualTo(first);
                assertThat(ex.compacted().oldestAvailable()).isGreaterThan(first);
                assertThat(ex).hasMessageContaining("compacted").hasMessageContaining("oldest start revision");
            }
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
