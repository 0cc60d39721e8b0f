package dev.ra.examples.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GroupMachineTest
{
    private static final ProcessRef P1 = new ProcessRef("n1", 1);
    private static final ProcessRef P2 = new ProcessRef("n2", 1);
    private static final ProcessRef P3 = new ProcessRef("n2", 2);

    private final MachineDriver<GroupCommand, GroupState> groups =
        new MachineDriver<>(new GroupMachine(ReleaseCursorPolicy.every(1_000)), GroupCommand.class);

    @Test
    void shouldAddAJoiningProcessAndMonitorIt()
    {
        final ApplyResult<GroupState> result = groups.apply(new GroupCommand.Join("g", P1));

        assertThat(result).isEqualTo(ApplyResult.of(
            new GroupState(Map.of("g", List.of(P1)), 0), true, new Effect.Monitor(P1)));
    }

    @Test
    void shouldKeepJoinOrderAndTreatASecondJoinAsANoOpThatStillMonitors()
    {
        groups.apply(new GroupCommand.Join("g", P1));
        groups.apply(new GroupCommand.Join("g", P2));

        final ApplyResult<GroupState> again = groups.apply(new GroupCommand.Join("g", P1));

        assertThat(again.reply()).isEqualTo(false);
        assertThat(again.effects()).containsExactly(new Effect.Monitor(P1));
        assertThat(groups.state().members("g")).containsExactly(P1, P2);
    }

    @Test
    void shouldDemonitorAProcessOnlyWhenItLeavesItsLastGroup()
    {
        groups.apply(new GroupCommand.Join("g", P1));
        groups.apply(new GroupCommand.Join("h", P1));

        final ApplyResult<GroupState> first = groups.apply(new GroupCommand.Leave("g", P1));
        final ApplyResult<GroupState> last = groups.apply(new GroupCommand.Leave("h", P1));

        assertThat(first.reply()).isEqualTo(true);
        assertThat(first.effects()).isEmpty();
        assertThat(last.reply()).isEqualTo(true);
        assertThat(last.effects()).containsExactly(new Effect.Demonitor(P1));
        assertThat(groups.state().groups()).isEmpty();
    }

    @Test
    void shouldAnswerFalseWhenLeavingAGroupOneIsNotIn()
    {
        groups.apply(new GroupCommand.Join("g", P1));
        final GroupState before = groups.state();

        assertThat(groups.apply(new GroupCommand.Leave("g", P2))).isEqualTo(ApplyResult.of(before, false));
        assertThat(groups.apply(new GroupCommand.Leave("unknown", P1))).isEqualTo(ApplyResult.of(before, false));
    }

    @Test
    void shouldRemoveADeadProcessFromEveryGroup()
    {
        groups.apply(new GroupCommand.Join("g", P1));
        groups.apply(new GroupCommand.Join("g", P2));
        groups.apply(new GroupCommand.Join("h", P1));

        final ApplyResult<GroupState> result = groups.builtin(new BuiltinCommand.Down(P1, DownReason.ERROR));

        assertThat(result.effects()).isEmpty();
        assertThat(result.state().groups()).isEqualTo(Map.of("g", List.of(P2)));
    }

    @Test
    void shouldKeepAnUnreachableMemberAndWatchItsNode()
    {
        groups.apply(new GroupCommand.Join("g", P2));

        final ApplyResult<GroupState> result = groups.builtin(new BuiltinCommand.Down(P2, DownReason.NOCONNECTION));

        assertThat(result.state().members("g")).containsExactly(P2);
        assertThat(result.effects()).containsExactly(new Effect.MonitorNode("n2"));
    }

    @Test
    void shouldMonitorTheMembersOfANodeThatComesBackAndDropTheDeadOnes()
    {
        groups.apply(new GroupCommand.Join("g", P1));
        groups.apply(new GroupCommand.Join("g", P2));
        groups.apply(new GroupCommand.Join("h", P3));
        groups.builtin(new BuiltinCommand.Down(P2, DownReason.NOCONNECTION));
        groups.builtin(new BuiltinCommand.Down(P3, DownReason.NOCONNECTION));

        assertThat(groups.builtin(new BuiltinCommand.NodeDown("n2")).effects()).isEmpty();
        final ApplyResult<GroupState> up = groups.builtin(new BuiltinCommand.NodeUp("n2"));
        assertThat(up.effects()).containsExactly(new Effect.Monitor(P2), new Effect.Monitor(P3));

        groups.builtin(new BuiltinCommand.Down(P3, DownReason.NOPROC));
        assertThat(groups.state().groups()).isEqualTo(Map.of("g", List.of(P1, P2)));
    }

    @Test
    void shouldIgnoreTheDownOfAProcessThatIsNoMember()
    {
        groups.apply(new GroupCommand.Join("g", P1));
        final GroupState before = groups.state();

        assertThat(groups.builtin(new BuiltinCommand.Down(P2, DownReason.NOCONNECTION)))
            .isEqualTo(ApplyResult.of(before));
        assertThat(groups.builtin(new BuiltinCommand.Down(P2, DownReason.NORMAL))).isEqualTo(ApplyResult.of(before));
    }

    @Test
    void shouldMonitorEveryMemberOnceOnBecomingLeaderOnly()
    {
        groups.apply(new GroupCommand.Join("g", P1));
        groups.apply(new GroupCommand.Join("g", P2));
        groups.apply(new GroupCommand.Join("h", P1));
        groups.apply(new GroupCommand.Join("h", P3));

        assertThat(groups.enter(RaftRole.LEADER))
            .containsExactly(new Effect.Monitor(P1), new Effect.Monitor(P2), new Effect.Monitor(P3));
        assertThat(groups.enter(RaftRole.FOLLOWER)).isEmpty();
        assertThat(groups.enter(RaftRole.CANDIDATE)).isEmpty();
    }

    @Test
    void shouldOfferSnapshotsFromBuiltinsToo()
    {
        final MachineDriver<GroupCommand, GroupState> driver =
            new MachineDriver<>(new GroupMachine(ReleaseCursorPolicy.every(2)), GroupCommand.class);
        driver.apply(new GroupCommand.Join("g", P1));

        final ApplyResult<GroupState> down = driver.builtin(new BuiltinCommand.Down(P1, DownReason.NORMAL));

        assertThat(down.effects()).containsExactly(new Effect.ReleaseCursor(2, new GroupState(Map.of(), 2)));
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<GroupCommand> samples = List.of(new GroupCommand.Join("g", P1), new GroupCommand.Leave("g", P1),
            new GroupCommand.JoinOnce("g", P1, "r1"), new GroupCommand.LeaveOnce("g", P1, "r2"),
            new GroupCommand.NumberedJoin("g", P1, new CommandNumber("c", 1, 1)),
            new GroupCommand.NumberedLeave("g", P1, new CommandNumber("c", 2, 2)));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(GroupCommand.class.getPermittedSubclasses());
        samples.forEach(groups::apply);
    }
}
