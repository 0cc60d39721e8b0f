package dev.ra.examples.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class GroupProperties
{
    @Property(tries = 300)
    void shouldBeDeterministicAndSurviveASnapshot(
        @ForAll("inputs") final List<Input> inputs, @ForAll @IntRange(max = 40) final int cut)
    {
        Determinism.check(() -> new GroupMachine(ReleaseCursorPolicy.every(5)), GroupCommand.class, inputs,
            Math.min(cut, inputs.size()));
    }

    @Property(tries = 300)
    void shouldMonitorEveryMemberAndNeverKeepADeadOne(@ForAll("inputs") final List<Input> inputs)
    {
        final MachineDriver<GroupCommand, GroupState> groups =
            new MachineDriver<>(new GroupMachine(), GroupCommand.class);
        for (final Input input : inputs)
        {
            groups.step(input);
            if (input.payload() instanceof BuiltinCommand.Down down && down.reason() != DownReason.NOCONNECTION)
            {
                assertThat(groups.state().allMembers()).doesNotContain(down.process());
            }
            for (final List<ProcessRef> members : groups.state().groups().values())
            {
                assertThat(members).isNotEmpty().doesNotHaveDuplicates();
            }
        }
        final List<Effect> monitors = groups.state().allMembers().stream().<Effect>map(Effect.Monitor::new).toList();
        assertThat(groups.enter(dev.ra.RaftState.LEADER)).containsExactlyElementsOf(monitors);
    }

    @Provide
    Arbitrary<List<Input>> inputs()
    {
        final Arbitrary<String> groupNames = Arbitraries.of("g", "h");
        final Arbitrary<Object> payload = Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, Combinators.combine(groupNames, Pools.processes()).as(GroupCommand.Join::new)),
            net.jqwik.api.Tuple.of(2, Combinators.combine(groupNames, Pools.processes()).as(GroupCommand.Leave::new)),
            net.jqwik.api.Tuple.of(3, Pools.builtins(Arbitraries.of("t"))),
            net.jqwik.api.Tuple.of(1, Pools.roles()));
        return Pools.inputs(payload).list().ofMaxSize(40);
    }
}
