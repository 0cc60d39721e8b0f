package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member removed while its node was down is not retired then (the leader cannot reach it) and runs again when its
 * node restarts it: it hears nothing more from the leader, so it never applies what the cluster applies after it, until
 * it campaigns and the leader asks for its retirement again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemovedMemberTest
{
    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.registerMachine("counter", CounterMachine::new));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    /**
     * The leader that appended a removal lost its leadership before it committed (here its node stopped, its
     * followers' acknowledgements cut off): the removeMember call failed, and the next leader committed the removal.
     * The removed member must still be retired, as docs/RUNTIME.md ("Removal") promises, not run on forever.
     */
    @Test
    void aRemovalCommittedByTheNextLeaderRetiresTheRemovedMember()
    {
        try (InJvmCluster four = new InJvmCluster(4, b -> b.registerMachine("counter", CounterMachine::new)))
        {
            final List<ServerId> members = four.startCluster("c", new CounterMachine());
            final ServerId leader = four.awaitLeader(members, Duration.ofSeconds(10));
            final List<ServerId> others = members.stream().filter(m -> !m.equals(leader)).toList();
            final ServerId removed = others.get(2);
            final RaSystem caller = four.system(others.get(0));
            assertThat(caller.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
            for (final ServerId other : others)
            {
                four.network().cutOneWay(other.node(), leader.node());
            }
            final var removal = four.system(leader).removeMemberAsync(leader, removed);
            final List<ServerId> rest = List.of(others.get(0), others.get(1));
            for (final ServerId other : rest)
            {
                InJvmCluster.await(() -> !four.system(other).overview(other).members().contains(removed),
                    Duration.ofSeconds(10), "the removal appended on " + other);
            }
            four.stopNode(leader.node());
            // The call failed with its leader's node (its outcome is what the members report, not the call's).
            catchThrowable(removal::join);
            final ServerId next = four.awaitLeader(rest, Duration.ofSeconds(10));
            assertThat(caller.<Long>processCommand(next, 10L).reply()).isEqualTo(11L);

            InJvmCluster.await(() -> !four.system(removed).isRunning(removed), Duration.ofSeconds(20),
                "the removed member retired; " + four.describe(members));
        }
    }

    @Test
    void aConsistentQueryOnARemovedMemberThatRunsFailsInsteadOfWaitingForItsTimeout()
    {
        final List<ServerId> members = cluster.startCluster("c", new CounterMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId removed = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem leaderNode = cluster.system(leader);
        assertThat(leaderNode.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
        cluster.stopNode(removed.node());
        leaderNode.removeMember(leader, removed);
        assertThat(leaderNode.<Long>processCommand(leader, 10L).reply()).isEqualTo(11L);

        final RaSystem removedNode = cluster.startNode(removed.node());
        removedNode.restartServer(removed);
        assertThat(removedNode.isRunning(removed)).isTrue();

        // Until the leader hears it campaign and retires it (the next test), its queries fail soon, saying why.
        final long started = System.nanoTime();
        final Throwable thrown = catchThrowable(() -> removedNode.consistentQuery(removed, (Long s) -> s,
            Duration.ofSeconds(30)));
        final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(thrown).as("waited %d ms", waitedMs).isNotNull();
        assertThat(thrown).as("waited %d ms", waitedMs).isNotInstanceOf(RaTimeoutException.class)
            .hasMessageMatching("(?s).*(removed|stopped).*");
        assertThat(catchThrowable(() -> removedNode.leaderQuery(removed, (Long s) -> s, Duration.ofSeconds(30))))
            .isNotNull().isNotInstanceOf(RaTimeoutException.class);

        final ServerId follower = members.stream().filter(m -> !m.equals(leader) && !m.equals(removed)).findFirst()
            .orElseThrow();
        assertThat(cluster.system(follower).<Long, Long>consistentQuery(follower, s -> s).result())
            .as("a member's query is answered as before").isEqualTo(11L);
    }

    /**
     * The retirement asked for when the removal commits cannot reach a member whose node is down. Restarted, the
     * member hears nothing from the leader and campaigns for ever; the leader, hearing a server its committed
     * configurations named campaign, asks for its retirement again.
     */
    @Test
    void aMemberRemovedWhileItsNodeWasDownIsRetiredOnceItCampaigns()
    {
        final List<ServerId> members = cluster.startCluster("c", new CounterMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId removed = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem leaderNode = cluster.system(leader);
        assertThat(leaderNode.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
        cluster.stopNode(removed.node());
        leaderNode.removeMember(leader, removed);

        final RaSystem removedNode = cluster.startNode(removed.node());
        removedNode.restartServer(removed);

        InJvmCluster.await(() -> !removedNode.isRunning(removed), Duration.ofSeconds(30),
            "the removed member retired; " + cluster.describe(members));
        assertThat(leaderNode.<Long>processCommand(leader, 10L).reply()).isEqualTo(11L);
        assertThat(leaderNode.members(leader)).doesNotContain(removed);
    }

    /**
     * As above, but the others took a snapshot past the removal and their nodes restarted before the removed member's
     * node came back: no configuration their logs hold names it any more. It ran in PRE_VOTE for ever, its pre-votes
     * refused and nobody telling it why; the snapshot carries the ids of the members the cluster removed, so the
     * leader still knows it for a removed member.
     */
    @Test
    void aMemberRemovedWhileItsNodeWasDownIsRetiredAfterTheOthersCompactedTheRemovalAndRestarted()
    {
        try (InJvmCluster snapshotting = new InJvmCluster(3, b -> b.minSnapshotInterval(10)
            .registerMachine("kv-snap", () -> new KvMachine(20))))
        {
            final List<ServerId> members = snapshotting.serverIds("kv");
            final ServerId leader = snapshotting.first().startCluster("kv", "kv-snap", members);
            final ServerId removed = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final List<ServerId> rest = members.stream().filter(m -> !m.equals(removed)).toList();
            snapshotting.system(leader).processCommand(leader, new KvMachine.Put("k", "v"));
            final long first = snapshotting.system(leader).overview(leader).lastIndex();
            InJvmCluster.await(() -> snapshotting.system(removed).overview(removed).lastApplied() >= first,
                Duration.ofSeconds(10), "the first write applied on " + removed);
            snapshotting.stopNode(removed.node());
            snapshotting.system(leader).removeMember(leader, removed);
            final long removedAt = snapshotting.system(leader).overview(leader).lastIndex();
            for (int written = 0; !rest.stream().allMatch(m -> snapshotting.system(m).overview(m).snapshotIndex() >
                removedAt); written++)
            {
                assertThat(written).as("writes before both took a snapshot past the removal").isLessThan(5000);
                snapshotting.system(leader).processCommand(leader, new KvMachine.Put("k" + written, "v" + written));
            }
            for (final ServerId member : rest)
            {
                snapshotting.stopNode(member.node());
            }
            for (final ServerId member : rest)
            {
                snapshotting.startNode(member.node()).restartServer(member);
            }
            snapshotting.awaitLeader(rest, Duration.ofSeconds(20));

            final RaSystem removedNode = snapshotting.startNode(removed.node());
            removedNode.restartServer(removed);

            InJvmCluster.await(() -> !removedNode.isRunning(removed), Duration.ofSeconds(30),
                "the removed member retired; " + snapshotting.describe(members));
        }
    }

    @Test
    void aConsistentQueryOnAMemberRemovedWhileCutOffFailsInsteadOfWaitingForItsTimeout()
    {
        final List<ServerId> members = cluster.startCluster("c", new CounterMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId removed = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem leaderNode = cluster.system(leader);
        assertThat(leaderNode.<Long>processCommand(leader, 1L).reply()).isEqualTo(1L);
        cluster.network().isolate(removed.node());
        leaderNode.removeMember(leader, removed);
        assertThat(leaderNode.<Long>processCommand(leader, 10L).reply()).isEqualTo(11L);
        cluster.network().healAll();
        final RaSystem removedNode = cluster.system(removed);
        assertThat(removedNode.isRunning(removed)).isTrue();

        final Throwable thrown = catchThrowable(() -> removedNode.consistentQuery(removed, (Long s) -> s,
            Duration.ofSeconds(30)));
        assertThat(thrown).as(cluster.describe(members)).isNotNull().isNotInstanceOf(RaTimeoutException.class)
            .hasMessageContaining("not a member");
        final long written = leaderNode.<Long, Long>consistentQuery(leader, s -> s).index();
        assertThat(catchThrowable(() -> removedNode.localQuery(removed, (Long s) -> s, written, 0,
            Duration.ofSeconds(30)))).as("a local query waiting for an index").isNotNull()
            .isNotInstanceOf(RaTimeoutException.class).hasMessageContaining("not a member");
    }
}
