package dev.ra.examples.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Calls of one client applied out of their order, directly against the machine: a first attempt of a join that lands
 * after its retry and the client's leave must add nobody, however many other calls came between (the request ids of
 * version 1 remembered only the last 1,000).
 */
class GroupLateAttemptTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);

    private final GroupMachine newest = new GroupMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<GroupCommand, GroupState> groups = new MachineDriver<>(newest, GroupCommand.class);
    private final CommandNumbering client = new CommandNumbering();

    @Test
    void aLateFirstAttemptOfAJoinAfterTheLeaveAndAThousandOtherCallsAddsNobody()
    {
        final GroupCommand join;
        try (CommandNumbering.Call call = client.start())
        {
            join = new GroupCommand.NumberedJoin("g", A, call.number());
            assertThat(groups.apply(join).reply()).as("the retry").isEqualTo(true);
        }
        try (CommandNumbering.Call call = client.start())
        {
            assertThat(groups.apply(new GroupCommand.NumberedLeave("g", A, call.number())).reply()).isEqualTo(true);
        }
        // A thousand calls of ten other members: more than the request ids of version 1 remembered.
        for (int i = 0; i < 1_000; i++)
        {
            try (CommandNumbering.Call call = client.start())
            {
                final ProcessRef other = new ProcessRef("n2", 1 + i % 10);
                groups.apply(i / 10 % 2 == 0 ? new GroupCommand.NumberedJoin("others", other, call.number()) :
                    new GroupCommand.NumberedLeave("others", other, call.number()));
            }
        }

        final ApplyResult<GroupState> late = groups.apply(join);
        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).as("not even a monitor").isEmpty();
        assertThat(groups.state().members("g")).as("the group after the late first attempt").isEmpty();
    }

    @Test
    void aLateJoinOfALongLivedMemberIsCaughtAfterMoreShortLivedMembersThanTheBound()
    {
        // Which processes the leader monitors, as the runtime keeps them: a process that ends is reported Down only
        // if it is monitored then.
        final Set<ProcessRef> monitored = new HashSet<>();
        final GroupCommand join;
        try (CommandNumbering.Call call = client.start())
        {
            join = new GroupCommand.NumberedJoin("g", A, call.number());
            follow(monitored, groups.apply(join));
        }
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, groups.apply(new GroupCommand.NumberedLeave("g", A, call.number())));
        }
        // More members than the clients remembered, each joining, leaving and then ending.
        for (int i = 0; i < ClientSequences.MAX_CLIENTS + 10; i++)
        {
            final ProcessRef member = new ProcessRef("n2", 100 + i);
            try (CommandNumbering.Call call = client.start())
            {
                follow(monitored, groups.apply(new GroupCommand.NumberedJoin("others", member, call.number())));
            }
            try (CommandNumbering.Call call = client.start())
            {
                follow(monitored, groups.apply(new GroupCommand.NumberedLeave("others", member, call.number())));
            }
            if (monitored.remove(member))
            {
                follow(monitored, groups.builtin(new BuiltinCommand.Down(member, DownReason.NORMAL)));
            }
        }
        assertThat(groups.state().sequences().entries()).as("the ended members are forgotten").hasSize(1);
        assertThat(groups.apply(join).reply()).isInstanceOf(StaleCommand.class);
        assertThat(groups.state().members("g")).as("the group after the late first attempt").isEmpty();
    }

    @Test
    void theLeaderMonitorsNoMemberWhoseCallsWereForgottenByTheBoundOrIdleTime()
    {
        // Members that live on: each joins and leaves once, by numbered calls. What the leader monitors must stay what
        // a new leader monitors from the same state (stateEnter): a process whose calls the bound or the idle time
        // forgot is in no group, and a monitor kept for it would never go while it lives.
        final Set<ProcessRef> monitored = new HashSet<>();
        final CommandNumbering members = new CommandNumbering();
        for (int i = 0; i < ClientSequences.MAX_CLIENTS + 10; i++)
        {
            final ProcessRef member = new ProcessRef("n2", 100 + i);
            try (CommandNumbering.Call call = members.start())
            {
                follow(monitored, groups.apply(new GroupCommand.NumberedJoin("g", member, call.number())));
            }
            try (CommandNumbering.Call call = members.start())
            {
                follow(monitored, groups.apply(new GroupCommand.NumberedLeave("g", member, call.number())));
            }
        }
        assertThat(monitored).as("after the bound").isEqualTo(monitoredByANewLeader());

        groups.advance(ClientSequences.RETAINED_MS + 1);
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, groups.apply(new GroupCommand.NumberedJoin("g", A, call.number())));
        }
        assertThat(monitored).as("after the idle time").containsExactly(A).isEqualTo(monitoredByANewLeader());
    }

    @Test
    void aRememberedMemberCutOffIsMonitoredAgainWhenItsNodeComesBack()
    {
        // A left its last group by a numbered call: monitored while its calls are remembered. Its node is cut off
        // (the monitor is gone, the calls kept), then comes back: A must be monitored again, as a new leader would,
        // or its end is never reported and its calls stay until the bound.
        final Set<ProcessRef> monitored = new HashSet<>();
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, groups.apply(new GroupCommand.NumberedJoin("g", A, call.number())));
        }
        try (CommandNumbering.Call call = client.start())
        {
            follow(monitored, groups.apply(new GroupCommand.NumberedLeave("g", A, call.number())));
        }
        assertThat(monitored).containsExactly(A);

        monitored.remove(A);
        final ApplyResult<GroupState> cutOff = groups.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        assertThat(cutOff.effects()).as("the node watched").contains(new Effect.MonitorNode(A.node()));
        follow(monitored, groups.builtin(new BuiltinCommand.NodeUp(A.node())));
        assertThat(monitored).as("after the node came back").containsExactly(A).isEqualTo(monitoredByANewLeader());
    }

    private Set<ProcessRef> monitoredByANewLeader()
    {
        final Set<ProcessRef> monitored = new HashSet<>();
        for (final Effect effect : newest.stateEnter(RaftRole.LEADER, groups.state()))
        {
            if (effect instanceof Effect.Monitor monitor)
            {
                monitored.add(monitor.process());
            }
        }
        return monitored;
    }

    private static void follow(final Set<ProcessRef> monitored, final ApplyResult<GroupState> result)
    {
        for (final Effect effect : result.effects())
        {
            if (effect instanceof Effect.Monitor monitor)
            {
                monitored.add(monitor.process());
            }
            else if (effect instanceof Effect.Demonitor demonitor)
            {
                monitored.remove(demonitor.process());
            }
        }
    }

    @Test
    void aRetriedJoinAnswersAsItsFirstAttemptAndRepairsTheMonitor()
    {
        try (CommandNumbering.Call call = client.start())
        {
            final GroupCommand join = new GroupCommand.NumberedJoin("g", A, call.number());
            assertThat(groups.apply(join).reply()).isEqualTo(true);
            final ApplyResult<GroupState> retry = groups.apply(join);
            assertThat(retry.reply()).isEqualTo(true);
            assertThat(retry.effects()).contains(new Effect.Monitor(A));
        }
        assertThat(groups.state().members("g")).containsExactly(A);
    }

    @Test
    void theNumbersOfAMemberThatEndedGoAndThoseOfOneCutOffStay()
    {
        final ProcessRef b = new ProcessRef("n2", 1);
        try (CommandNumbering.Call call = client.start())
        {
            groups.apply(new GroupCommand.NumberedJoin("g", A, call.number()));
            groups.apply(new GroupCommand.NumberedJoin("g", b, call.number()));
        }
        groups.builtin(new BuiltinCommand.Down(A, DownReason.NOCONNECTION));
        assertThat(groups.state().sequences().clients()).hasSize(2);
        groups.builtin(new BuiltinCommand.Down(b, DownReason.ERROR));
        assertThat(groups.state().sequences().clients().keySet()).extracting(c -> c.process()).containsOnly(A);
        assertThat(groups.state().members("g")).containsExactly(A);
    }

    @Test
    void olderVersionsRefuseTheNumberedCommandsAndKeepTheirSnapshotShape()
    {
        assertThat(newest.version()).isEqualTo(2);
        assertThat(newest.machineFor(2)).isSameAs(newest);
        final CommandNumber number = new CommandNumber("c", 1, 1);
        for (int version = 0; version < 2; version++)
        {
            final StateMachine<GroupCommand, GroupState> older = newest.machineFor(version);
            for (final GroupCommand numbered : List.of(new GroupCommand.NumberedJoin("g", A, number),
                new GroupCommand.NumberedLeave("g", A, number)))
            {
                assertThatThrownBy(() -> older.commandCodec().toBytes(numbered)).as("version " + version)
                    .isInstanceOf(CodecException.class).hasMessageContaining("machine version 2");
            }
        }
        final StateMachine<GroupCommand, GroupState> one = newest.machineFor(1);
        final GroupState state = new GroupState(Map.of("g", List.of(A)), 7).answered("r", true);
        assertThat(one.stateCodec().fromBytes(one.stateCodec().toBytes(state))).isEqualTo(state);
        final GroupState numbered = state.withSequences(state.sequences().applied(A, number, true, 5));
        assertThat(newest.stateCodec().fromBytes(newest.stateCodec().toBytes(numbered))).isEqualTo(numbered);
    }
}
