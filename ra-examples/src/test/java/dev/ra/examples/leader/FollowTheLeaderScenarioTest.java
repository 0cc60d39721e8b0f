package dev.ra.examples.leader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Follow-the-leader on a 3-node in-JVM cluster: the companion runs on the leader's node only, after the grace period,
 * moves on leader failover and leadership transfer without ever running on two nodes at once, starts again once a lag
 * that stopped it ends, and its epoch grows.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FollowTheLeaderScenarioTest
{
    private static final Duration GRACE = Duration.ofMillis(1_200);
    private static final Duration CHECK = Duration.ofMillis(250);
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final Map<String, CompanionHost> hosts = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> epochs = new ConcurrentHashMap<>();
    private final Map<Long, Long> startedAtMs = new ConcurrentHashMap<>();

    private final ToolboxCluster world = ToolboxCluster.start("ftl", (node, builder) ->
    {
        final ServerId local = new ServerId("ftl", node);
        final CompanionHost host = new CompanionHost(local, companion(node), CHECK);
        final CompanionHost previous = hosts.put(node, host);
        if (null != previous)
        {
            previous.close();
        }
        builder.modCallHandler(FollowTheLeaderMachine.DEFAULT_HANDLER, host)
            .registerMachine("ftl", () -> new FollowTheLeaderMachine(local, FollowTheLeaderMachine.DEFAULT_HANDLER,
                GRACE, ReleaseCursorPolicy.every(2)))
            .minSnapshotInterval(2);
    }, (node, system) -> hosts.get(node).attach(system));

    @AfterEach
    void close()
    {
        world.close();
        hosts.values().forEach(CompanionHost::close);
    }

    private Companion companion(final String node)
    {
        return new Companion()
        {
            @Override
            public void start(final long epoch)
            {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                startedAtMs.put(epoch, System.currentTimeMillis());
                epochs.put(node, epoch);
                events.add("start " + node + " " + epoch);
            }

            @Override
            public void stop(final long epoch)
            {
                running.decrementAndGet();
                epochs.remove(node);
                events.add("stop " + node + " " + epoch);
            }
        };
    }

    private long awaitCompanionOn(final String node)
    {
        return InJvmCluster.await(() -> epochs.get(node), WAIT, "the companion on " + node + "; events " + events);
    }

    private LeadershipState leadership(final String node)
    {
        return world.system(node).<LeadershipState, LeadershipState>consistentQuery(new ServerId("ftl", node),
            s -> s).result();
    }

    @Test
    void shouldRunTheCompanionOnTheLeadersNodeOnlyAfterTheGracePeriod() throws InterruptedException
    {
        final ServerId leader = world.awaitLeader();

        final long epoch = awaitCompanionOn(leader.node());
        final LeadershipState state = leadership(leader.node());

        // The claim's leader timestamp is taken when it is appended, before it commits: a lower bound.
        assertThat(startedAtMs.get(epoch)).isGreaterThanOrEqualTo(state.sinceMs() + GRACE.toMillis());
        assertThat(state.leader()).isEqualTo(leader);
        assertThat(state.epoch()).isEqualTo(epoch);
        Thread.sleep(CHECK.toMillis() * 3);
        assertThat(epochs).containsOnlyKeys(leader.node());
        assertThat(hosts.get(leader.node()).runningEpoch()).isEqualTo(epoch);
    }

    @Test
    void shouldMoveTheCompanionToTheNewLeaderAfterAFailoverWithoutOverlap()
    {
        final ServerId first = world.awaitLeader();
        final long firstEpoch = awaitCompanionOn(first.node());

        world.killLeader();
        final ServerId second = world.awaitLeader();
        final long secondEpoch = awaitCompanionOn(second.node());

        assertThat(secondEpoch).isGreaterThan(firstEpoch);
        InJvmCluster.await(() -> !epochs.containsKey(first.node()), WAIT, "the old companion to stop");
        assertThat(maxRunning.get()).as("companions running at once; events %s", events).isEqualTo(1);
        assertThat(events).containsSubsequence("stop " + first.node() + " " + firstEpoch,
            "start " + second.node() + " " + secondEpoch);
    }

    @Test
    void shouldStartTheCompanionAgainWhenALagThatStoppedItEnds()
    {
        final ServerId leader = world.awaitLeader();
        awaitCompanionOn(leader.node());

        // The followers' answers lag longer than a check may take: checks time out and the companion stops. The
        // leader's heartbeats still reach the followers on time, so nobody needs to elect a new leader.
        final List<String> followers = ToolboxCluster.RA_NODES.stream().filter(n -> !n.equals(leader.node())).toList();
        followers.forEach(f -> world.network().delay(f, leader.node(), CHECK.multipliedBy(3)));
        try
        {
            InJvmCluster.await(() -> !epochs.containsKey(leader.node()), WAIT,
                "the unconfirmed companion to stop; events " + events);
        }
        finally
        {
            followers.forEach(f -> world.network().delay(f, leader.node(), Duration.ZERO));
        }

        // Whoever holds the latest claim (most likely the same member, with the same epoch) runs its companion.
        InJvmCluster.await(() ->
        {
            final LeadershipState state = leadership(leader.node());
            return null != state.leader() && Long.valueOf(state.epoch()).equals(epochs.get(state.leader().node()));
        }, WAIT, "a companion next to the latest claim; events " + events);
        assertThat(maxRunning.get()).as("companions running at once; events %s", events).isEqualTo(1);
    }

    @Test
    void shouldFollowALeadershipTransfer()
    {
        final ServerId first = world.awaitLeader();
        final long firstEpoch = awaitCompanionOn(first.node());
        final ServerId target = world.members().stream().filter(m -> !m.equals(first)).findFirst().orElseThrow();

        world.system(first.node()).transferLeadership(first, target);

        final long targetEpoch = awaitCompanionOn(target.node());
        assertThat(targetEpoch).isGreaterThan(firstEpoch);
        assertThat(epochs).doesNotContainKey(first.node());
        assertThat(maxRunning.get()).as("companions running at once; events %s", events).isEqualTo(1);
    }

    @Test
    void shouldClaimANewEpochAfterAFullRestartFromSnapshots()
    {
        final ServerId first = world.awaitLeader();
        awaitCompanionOn(first.node());
        // Each transfer appends a claim; with a cursor every 2 entries the members snapshot.
        ServerId current = first;
        for (int i = 0; i < 3; i++)
        {
            final ServerId from = current;
            final ServerId to = world.members().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();
            world.system(from.node()).transferLeadership(from, to);
            current = InJvmCluster.await(() -> to.equals(world.leader()) ? to : null, WAIT, "leadership of " + to);
            awaitCompanionOn(to.node());
        }
        world.awaitSnapshotsEverywhere();
        final long before = leadership(current.node()).epoch();

        world.restartAll();
        final ServerId restarted = world.awaitLeader();
        final long after = awaitCompanionOn(restarted.node());

        assertThat(after).isGreaterThan(before);
        assertThat(leadership(restarted.node()).leader()).isEqualTo(restarted);
    }
}
