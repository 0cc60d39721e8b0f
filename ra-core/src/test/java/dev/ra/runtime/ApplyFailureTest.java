package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyFailureMode;
import dev.ra.ApplyResult;
import dev.ra.CommandFailedException;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import dev.ra.StateMachine;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.ThrowingMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A machine that throws, or a reply that cannot be encoded, fails the command's caller only: every member leaves the
 * state as it was, counts the entry as applied and the failure in its counters, and the cluster keeps serving (also
 * after a restart, which must not trip over the same entry again). Ra's behaviour, stopping the member, is an option.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ApplyFailureTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aThrowingApplyFailsThatCommandOnlyWithTheMachinesExceptionAndTheClusterKeepsServing()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("throwing", new ThrowingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem leaderNode = cluster.system(leader);
            final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final RaSystem followerNode = cluster.system(follower);

            assertThat((Long)leaderNode.processCommand(leader, "inc", WAIT).reply()).isEqualTo(1L);
            // On the leader's node (a local caller) and from another node (the failure crosses the transport).
            assertThatThrownBy(() -> leaderNode.processCommand(leader, "boom", WAIT))
                .isInstanceOfSatisfying(CommandFailedException.class, failed ->
                {
                    assertThat(failed.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(failed.getMessage()).isEqualTo("boom at count 1");
                });
            assertThatThrownBy(() -> followerNode.processCommand(follower, "boom", WAIT))
                .isInstanceOfSatisfying(CommandFailedException.class, failed ->
                {
                    assertThat(failed.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(failed.getMessage()).isEqualTo("boom at count 1");
                    assertThat(failed.index()).isPositive();
                });
            assertThat((Long)followerNode.processCommand(follower, "inc", WAIT).reply()).isEqualTo(2L);

            awaitSameStateEverywhere(cluster, members, 2L);
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).as(member + " runs").isTrue();
                assertThat(cluster.system(member).overview(member).counters().get("apply_failures"))
                    .as(member + " counted both failures").isEqualTo(2L);
            }
        }
    }

    @Test
    void aPipelinedCommandWhoseApplyThrowsIsNotifiedAsACommandFailedException() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("throwing", new ThrowingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);
            final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            final RaProcess observer = node.spawn(events::add);
            node.pipelineCommand(leader, "boom", "c1", observer.ref());
            node.pipelineCommand(leader, "inc", "c2", observer.ref());
            final List<RaEvent.Correlated> applied = new ArrayList<>();
            while (applied.size() < 2)
            {
                final Object event = events.poll(10, TimeUnit.SECONDS);
                assertThat(event).as("notification").isInstanceOf(RaEvent.Applied.class);
                applied.addAll(((RaEvent.Applied)event).applied());
            }
            assertThat(applied.get(0).correlation()).isEqualTo("c1");
            assertThat(applied.get(0).reply()).isInstanceOfSatisfying(CommandFailedException.class, failed ->
                assertThat(failed.getMessage()).isEqualTo("boom at count 0"));
            assertThat(applied.get(1).correlation()).isEqualTo("c2");
            assertThat(applied.get(1).reply()).isEqualTo(1L);
        }
    }

    /** Declares no command type, so a command of the wrong type reaches {@code apply}: a ClassCastException. */
    public static final class LengthMachine implements StateMachine<String, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final String command, final Long state)
        {
            final long next = state + command.length();
            return ApplyResult.of(next, next);
        }
    }

    @Test
    void aCommandOfTheWrongTypeThatReachesApplyFailsLikeAnyThrowingApply()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("length", new LengthMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final RaSystem node = cluster.system(follower);
            assertThatThrownBy(() -> node.processCommand(follower, 42L, WAIT))
                .isInstanceOfSatisfying(CommandFailedException.class, failed ->
                    assertThat(failed.exceptionClass()).isEqualTo(ClassCastException.class.getName()));
            assertThat((Long)node.processCommand(follower, "abc", WAIT).reply()).isEqualTo(3L);
        }
    }

    @Test
    void membersRestartedAfterAThrowingApplyReplayItAndServe()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("throwing", new ThrowingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);
            node.processCommand(leader, "inc", WAIT);
            assertThatThrownBy(() -> node.processCommand(leader, "boom", WAIT))
                .isInstanceOf(CommandFailedException.class);
            awaitSameStateEverywhere(cluster, members, 1L);
            for (final ServerId member : members)
            {
                cluster.system(member).stopServer(member);
            }
            for (final ServerId member : members)
            {
                cluster.system(member).restartServer(member);
            }
            final ServerId newLeader = cluster.awaitLeader(members, WAIT);
            assertThat((Long)cluster.system(newLeader).processCommand(newLeader, "inc", WAIT).reply()).isEqualTo(2L);
            awaitSameStateEverywhere(cluster, members, 2L);
        }
    }

    @Test
    void stopServerModeStopsEveryMemberThatAppliesTheEntryAsRaDoes()
    {
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.registerMachine("failing-counter",
            CounterMachine::failingOnNegative).applyFailureMode(ApplyFailureMode.STOP_SERVER)))
        {
            final List<ServerId> failing = cluster.serverIds("failing");
            final RaSystem n1 = cluster.first();
            n1.startCluster("failing", "failing-counter", failing);
            final List<ServerId> healthy = cluster.startCluster("healthy", new KvMachine());
            n1.processCommand(failing.get(0), 5L);

            assertThatThrownBy(() -> n1.processCommand(failing.get(0), -1L, Duration.ofSeconds(3)))
                .isInstanceOfAny(ServerStoppedException.class, RaTimeoutException.class);
            // The leader stops first, then the member elected after it, which commits the entry with its noop.
            InJvmCluster.await(() -> failing.stream().filter(m -> !cluster.system(m).isRunning(m)).count() >= 2,
                WAIT, "two members of the failing cluster to stop");
            assertThat(n1.processCommand(healthy.get(0), new KvMachine.Put("a", "b")).leader()).isIn(healthy);
        }
    }

    @Test
    void aReplyTheCodecCannotEncodeFailsThatCallerAtOnceAndTheLeaderKeepsLeading()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("opaque", new ThrowingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            final RaSystem followerNode = cluster.system(follower);

            // Long enough that a caller left to its timeout would fail the test's own timeout budget visibly.
            assertThatThrownBy(() -> followerNode.processCommand(follower, "opaque", Duration.ofSeconds(60)))
                .isInstanceOf(RaException.class)
                .isNotInstanceOf(RaTimeoutException.class)
                .hasMessageContaining("cannot be encoded");
            assertThat(cluster.system(leader).isRunning(leader)).isTrue();
            assertThat((Long)followerNode.processCommand(follower, "inc", WAIT).reply()).isEqualTo(2L);
        }
    }

    @Test
    void throwingTickAndStateEnterAreCountedAndNeverStopAMember()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("callbacks", new ThrowingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);
            node.processCommand(leader, "tick-boom", WAIT);
            node.processCommand(leader, "enter-boom", WAIT);
            // Ticks come every 100 ms on the leader; a new leader's stateEnter throws too.
            InJvmCluster.await(() -> node.overview(leader).counters().get("machine_callback_failures") > 0, WAIT,
                "a failed tick to be counted");
            node.transferLeadership(leader, members.stream().filter(m -> !m.equals(leader)).findFirst()
                .orElseThrow());
            final ServerId next = InJvmCluster.await(() ->
            {
                final ServerId l = cluster.leaderOf(members);
                return null == l || l.equals(leader) ? null : l;
            }, WAIT, "another leader");
            assertThat((Long)cluster.system(next).processCommand(next, "inc", WAIT).reply()).isEqualTo(3L);
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).as(member + " runs").isTrue();
            }
        }
    }

    /** A machine whose stateEnter(LEADER) and tick return a list holding a null effect. */
    public static final class NullEffects implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1);
        }

        @Override
        public List<Effect> stateEnter(final RaftRole role, final Long state)
        {
            return role == RaftRole.LEADER ? Arrays.asList(new Effect.MonitorNode("n1"), null) : List.of();
        }

        @Override
        public List<Effect> tick(final long nowMs, final Long state)
        {
            return Arrays.asList(new Effect[] {null});
        }
    }

    /**
     * A null effect is refused as ApplyResult refuses one: the callback counts as having failed, and no member stops
     * (before, the shell's log line for the failed effect threw, stopping every leader in turn).
     */
    @Test
    void aNullEffectFromStateEnterOrTickIsCountedAndNeverStopsAMember()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("null-effects", new NullEffects());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);

            assertThat((Long)node.processCommand(leader, "x", WAIT).reply()).isEqualTo(1L);
            // stateEnter(LEADER) once, then every tick.
            InJvmCluster.await(() -> node.overview(leader).counters().get("machine_callback_failures") > 1, WAIT,
                "the leader's null effects to be counted");
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).as(member + " runs").isTrue();
            }
        }
    }

    private static void awaitSameStateEverywhere(final InJvmCluster cluster, final List<ServerId> members,
        final long count)
    {
        for (final ServerId member : members)
        {
            InJvmCluster.await(() -> cluster.system(member).<List<Long>, Long>localQuery(member, s -> s.get(0))
                .result() == count ? Boolean.TRUE : null, WAIT, member + " to reach count " + count);
        }
    }
}
