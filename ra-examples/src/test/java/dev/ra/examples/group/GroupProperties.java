package dev.ra.examples.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupProperties
{
    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        Property.forAll(300, Pools.withCut(inputs(), 40), sequence -> Determinism.check(
            () -> new GroupMachine(ReleaseCursorPolicy.every(5)), GroupCommand.class, sequence.inputs(),
            sequence.cutWithin()));
    }

    @Test
    void shouldMonitorEveryMemberAndNeverKeepADeadOne()
    {
        Property.forAll(300, inputs(), GroupProperties::monitorsEveryMemberAndNeverKeepsADeadOne);
    }

    private static void monitorsEveryMemberAndNeverKeepsADeadOne(final List<Input> inputs)
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
        // The members, and the processes whose numbered calls are remembered (kept monitored so that their end
        // forgets them).
        final Set<ProcessRef> watched = new LinkedHashSet<>(groups.state().allMembers());
        groups.state().sequences().entries().forEach(entry -> watched.add(entry.caller().process()));
        final List<Effect> monitors = watched.stream().<Effect>map(Effect.Monitor::new).toList();
        assertThat(groups.enter(dev.ra.RaftRole.LEADER)).containsExactlyElementsOf(monitors);
    }

    private static Gen<List<Input>> inputs()
    {
        final Gen<String> groupNames = Gen.of("g", "h");
        final Gen<ProcessRef> processes = Pools.processes();
        final Gen<CommandNumber> numbers = Pools.commandNumbers();
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(4, c -> new GroupCommand.Join(groupNames.next(c), processes.next(c))),
            Gen.weight(2, c -> new GroupCommand.Leave(groupNames.next(c), processes.next(c))),
            Gen.weight(3, c -> new GroupCommand.NumberedJoin(groupNames.next(c), processes.next(c), numbers.next(c))),
            Gen.weight(2, c -> new GroupCommand.NumberedLeave(groupNames.next(c), processes.next(c),
                numbers.next(c))),
            Gen.weight(3, Pools.builtins(Gen.of("t"))),
            Gen.weight(1, Pools.roles()));
        return Pools.inputs(payload).list(0, 40);
    }
}
