package dev.ra.examples.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.RememberedReplies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A join or leave whose first attempt was applied but whose reply was lost is sent again; the retry must answer as
 * the first attempt did (the process was added, or removed, by this call), not false because it finds the work done.
 */
class GroupAnswersOnceTest
{
    private static final ProcessRef P1 = new ProcessRef("n1", 1);

    private final GroupMachine newest = new GroupMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<GroupCommand, GroupState> groups =
        new MachineDriver<>(newest, GroupCommand.class);

    @Test
    void aRetriedJoinAndARetriedLeaveAnswerAsTheirFirstAttempts()
    {
        final GroupCommand join = GroupClient.joining("g", P1);
        assertThat(groups.apply(join).reply()).isEqualTo(true);
        assertThat(groups.apply(join).reply()).as("the retry of the join that added it").isEqualTo(true);
        assertThat(groups.state().members("g")).containsExactly(P1);
        assertThat(groups.apply(GroupClient.joining("g", P1)).reply()).as("another call's join").isEqualTo(false);

        final GroupCommand leave = GroupClient.leaving("g", P1);
        assertThat(groups.apply(leave).reply()).isEqualTo(true);
        assertThat(groups.apply(leave).reply()).as("the retry of the leave that removed it").isEqualTo(true);
        assertThat(groups.state().members("g")).isEmpty();
        assertThat(groups.apply(GroupClient.leaving("g", P1)).reply()).as("another call's leave").isEqualTo(false);
    }

    @Test
    void onlyTheLastRepliesAreRemembered()
    {
        for (int i = 0; i < RememberedReplies.KEPT + 5; i++)
        {
            groups.apply(new GroupCommand.JoinOnce("g", P1, "r" + i));
        }
        assertThat(groups.state().replies().replies()).hasSize(RememberedReplies.KEPT);
        assertThat(groups.state().replies().of("r4")).isNull();
        assertThat(groups.state().replies().of("r5")).isFalse();
        assertThat(groups.state().replies().of("r0")).isNull();
    }

    @Test
    void versionZeroRefusesTheCommandsWithARequestIdAndKeepsItsSnapshotShape()
    {
        assertThat(newest.machineFor(newest.version())).isSameAs(newest);
        final StateMachine<GroupCommand, GroupState> zero = newest.machineFor(0);
        assertThatThrownBy(() -> zero.commandCodec().toBytes(new GroupCommand.JoinOnce("g", P1, "r")))
            .isInstanceOf(CodecException.class).hasMessageContaining("machine version 1");
        final GroupCommand.Join plain = new GroupCommand.Join("g", P1);
        assertThat(zero.commandCodec().fromBytes(zero.commandCodec().toBytes(plain))).isEqualTo(plain);
        final GroupState state = new GroupState(Map.of("g", List.of(P1)), 7);
        assertThat(zero.stateCodec().fromBytes(zero.stateCodec().toBytes(state))).isEqualTo(state);

        // Version 0's apply, even given one, changes nothing with it; its join is unchanged.
        final MachineDriver<GroupCommand, GroupState> old = new MachineDriver<>(zero, GroupCommand.class);
        assertThat(old.apply(new GroupCommand.JoinOnce("g", P1, "r")).reply()).isEqualTo(false);
        assertThat(old.state()).isEqualTo(GroupState.EMPTY);
        assertThat(old.apply(plain).reply()).isEqualTo(true);
        assertThat(old.apply(plain).reply()).isEqualTo(false);
    }
}
