package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.UnknownServerException;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailuresTest
{
    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.registerMachine("failing-counter",
        CounterMachine::failingOnNegative));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aLeaderCutOffFromItsQuorumFailsPendingCommandsAsOutcomeUnknown() throws Exception
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final RaSystem leaderNode = cluster.system(leader);
        for (final ServerId member : members)
        {
            if (!member.equals(leader))
            {
                // One-way cuts first, so the command is appended but cannot commit; then the partition proper.
                cluster.network().cutOneWay(leader.node(), member.node());
            }
        }
        final CompletableFuture<CommandResult<String>> pending = leaderNode.processCommandAsync(leader,
            new KvMachine.Put("lost", "?"), Duration.ofSeconds(20));
        for (final ServerId member : members)
        {
            if (!member.equals(leader))
            {
                cluster.network().partition(leader.node(), member.node());
            }
        }

        assertThatThrownBy(() -> pending.get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(CommandOutcomeUnknownException.class);
    }

    @Test
    void aCommandWithoutAQuorumTimesOut()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        for (final ServerId member : members)
        {
            if (!member.equals(leader))
            {
                // Both ways and silently: cut only from the leader, the others would elect a new leader (they find
                // the old one silent) that deposes it, and the command would fail as outcome unknown instead.
                cluster.network().cutOneWay(leader.node(), member.node());
                cluster.network().cutOneWay(member.node(), leader.node());
            }
        }

        assertThatThrownBy(() -> cluster.system(leader).processCommand(leader, new KvMachine.Put("x", "y"),
            Duration.ofMillis(500))).isInstanceOf(RaTimeoutException.class);
    }

    @Test
    void callsToUnknownServersFailFastWithClearErrors()
    {
        final RaSystem n1 = cluster.first();
        final ServerId nowhere = new ServerId("nowhere", "n2");

        assertThatThrownBy(() -> n1.processCommand(nowhere, "cmd")).isInstanceOf(UnknownServerException.class)
            .hasMessageContaining("nowhere@n2");
        assertThatThrownBy(() -> n1.localQuery(new ServerId("nowhere", "n1"), s -> s))
            .isInstanceOf(UnknownServerException.class);
        assertThatThrownBy(() -> n1.overview(new ServerId("nowhere", "n1")))
            .isInstanceOf(UnknownServerException.class);
        n1.stopServer(new ServerId("nowhere", "n1"));
    }

    @Test
    void badArgumentsFailFast()
    {
        final RaSystem n1 = cluster.first();
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());

        assertThatThrownBy(() -> n1.startCluster("empty", new KvMachine(), List.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one member");
        assertThatThrownBy(() -> n1.startCluster("dup", new KvMachine(), List.of(members.get(0), members.get(0))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> n1.startCluster("bad name", new KvMachine(), members))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster name");
        assertThatThrownBy(() -> n1.processCommand(members.get(0), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> n1.processCommand(members.get(0), "x", Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> n1.localQuery(members.get(1), s -> s))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never shipped");
        final ServerId newcomer = new ServerId("kv2", "n1");
        assertThatThrownBy(() -> n1.startServer("kv2", new KvMachine(), newcomer, members, null))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("joinedBy");
        assertThatThrownBy(() -> n1.startServer("kv2", new KvMachine(), newcomer, members,
            new MemberChange(5, 0, members.get(0))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("join point");
        assertThat(n1.isRunning(newcomer)).isFalse();
        assertThatThrownBy(() -> RaSystem.builder().nodeId("x").build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("transport");
        assertThatThrownBy(() -> RaSystem.builder().eventLoops(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RaSystem.builder().electionTimeout(Duration.ofSeconds(2), Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A call other than a command that finds no leader until its timeout (the only member running waits for an election
     * that nobody triggered) says so: it used to read "Members to lone@n2 timed out", as if that member had not
     * answered, when every member asked answered at once that it knew no leader or did not run.
     */
    @Test
    void aCallThatFoundNoLeaderInTimeSaysWhatItWasAnswered()
    {
        final RaSystem n1 = cluster.first();
        final List<ServerId> lone = cluster.serverIds("lone");
        n1.startServer("lone", new KvMachine(), lone.get(0), lone);

        assertThatThrownBy(() -> n1.members(lone.get(0)))
            .isInstanceOf(RaTimeoutException.class).hasMessageContaining("Members to cluster 'lone' was taken by " +
                "no leader").hasMessageMatching(".*(knew no leader|does not run).*");
        assertThatThrownBy(() -> n1.addMember(lone.get(0), new ServerId("other", "n1")))
            .isInstanceOf(RaTimeoutException.class).hasMessageContaining("AddMember to cluster 'lone'")
            .hasMessageMatching(".*(knew no leader|does not run).*");
    }

    /**
     * A consistent query on a member that knows no leader until its timeout says what it waited for (a leader to give
     * the read index), as the other calls do: it used to read only "query to lone@n1 timed out", naming no cluster.
     */
    @Test
    void aConsistentQueryThatFoundNoLeaderInTimeSaysWhatItWaitedFor()
    {
        final RaSystem n1 = cluster.first();
        final List<ServerId> lone = cluster.serverIds("lone");
        n1.startServer("lone", new KvMachine(), lone.get(0), lone);

        assertThatThrownBy(() -> n1.consistentQuery(lone.get(0), (java.util.Map<String, String> s) -> s.size(),
            Duration.ofSeconds(2)))
            // The query's own timeout ("query on lone@n1 timed out waiting for a leader...") or, when it fires first,
            // that of the read index call it waits on ("ReadIndex to cluster 'lone' was taken by no leader in time"):
            // both name the cluster and that no leader was found.
            .isInstanceOf(RaTimeoutException.class).hasMessageContaining("'lone'").hasMessageContaining("no leader");
    }

    /**
     * A call whose only member's node cannot be reached sent nothing: its timeout says so, rather than that every send
     * was answered and the member does not run.
     */
    @Test
    void aCallToAMemberWhoseNodeIsUnreachableSaysSo()
    {
        final RaSystem n1 = cluster.first();
        final ServerId away = new ServerId("away", "n9");
        n1.registerCluster("away", new KvMachine(), List.of(away));

        assertThatThrownBy(() -> n1.members(away)).isInstanceOf(RaTimeoutException.class)
            .hasMessageContaining("node n9").hasMessageContaining("not reachable")
            .hasMessageNotContaining("does not run").hasMessageNotContaining("every send was answered");
    }

    /**
     * A list of members holding a null (an id not yet filled in, say) is refused naming the members and where the null
     * is, by every call that takes members, rather than with a bare {@link NullPointerException} from inside a copy.
     */
    @Test
    void aNullAmongTheMembersIsNamedWithItsPosition()
    {
        final RaSystem n1 = cluster.first();
        final List<ServerId> withNull = java.util.Arrays.asList(new ServerId("c", "n1"), null);

        assertThatThrownBy(() -> n1.startCluster("c", new KvMachine(), withNull))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("members").hasMessageContaining("1");
        assertThatThrownBy(() -> n1.registerCluster("c", new KvMachine(), withNull))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("members").hasMessageContaining("1");
        assertThatThrownBy(() -> n1.cluster("c", new KvMachine(), Object.class, withNull))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("members").hasMessageContaining("1");
    }

    /**
     * The tick interval and the election timeout are counted in whole milliseconds: under one, a tick would be
     * rescheduled at once for ever (spinning its loop), so the builder refuses it, naming the setting and the value.
     */
    @Test
    void builderSettingsCountedInMillisecondsRefuseLessThanOne()
    {
        final Duration halfAMillisecond = Duration.ofNanos(500_000);
        assertThatThrownBy(() -> RaSystem.builder().tickInterval(halfAMillisecond))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tickInterval")
            .hasMessageContaining(halfAMillisecond.toString());
        assertThatThrownBy(() -> RaSystem.builder().electionTimeout(halfAMillisecond, Duration.ofMillis(5)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("electionTimeout min")
            .hasMessageContaining(halfAMillisecond.toString());
        assertThatThrownBy(() -> RaSystem.builder().electionTimeout(Duration.ofMillis(5),
            Duration.ofNanos(5_500_000)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max must exceed min");
        assertThatThrownBy(() -> RaSystem.builder().tickInterval(Duration.ofSeconds(Long.MAX_VALUE)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tickInterval");
        RaSystem.builder().tickInterval(Duration.ofMillis(1)).electionTimeout(Duration.ofMillis(1),
            Duration.ofMillis(2));
    }

    @Test
    void aSystemBuiltWithoutStorageIsToldWhichStorageToGiveEvenWhenItHostsNoMember()
    {
        assertThatThrownBy(() -> RaSystem.builder().nodeId("app1").transport(cluster.network().newTransport())
            .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("InMemoryStorage");
    }

    @Test
    void startingAClusterTwiceFailsAndLeavesTheFirstOneRunning()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());

        assertThatThrownBy(() -> cluster.first().startCluster("kv", new KvMachine(), members))
            .isInstanceOf(dev.ra.ClusterUnavailableException.class);
        assertThat(cluster.first().processCommand(members.get(0), new KvMachine.Put("a", "b")).leader())
            .isIn(members);
    }

    /**
     * A start refused because its members run already, under another cluster name and machine, leaves what the node
     * knows of their cluster as it was: its commands are still checked and encoded with its own machine.
     */
    @Test
    void aStartClusterRefusedOverRunningMembersLeavesTheirClusterKnownWithItsMachine()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final RaSystem n1 = cluster.first();
        n1.processCommand(members.get(0), new KvMachine.Put("a", "1"));

        assertThatThrownBy(() -> n1.startCluster("counter", new CounterMachine(), members))
            .isInstanceOf(dev.ra.ClusterUnavailableException.class);

        assertThat(n1.processCommand(members.get(0), new KvMachine.Put("b", "2")).leader()).isIn(members);
    }

    /** The same for a joining member's start refused because the server runs already. */
    @Test
    void aJoiningStartRefusedOverARunningMemberLeavesItsClusterKnownWithItsMachine()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final RaSystem n1 = cluster.first();
        final CommandResult<?> written = n1.processCommand(members.get(0), new KvMachine.Put("a", "1"));

        assertThatThrownBy(() -> n1.startServer("counter", new CounterMachine(), members.get(0), members,
            new MemberChange(1, 1, written.leader())))
            .isInstanceOf(RuntimeException.class);

        assertThat(n1.processCommand(members.get(0), new KvMachine.Put("b", "2")).leader()).isIn(members);
    }
}
