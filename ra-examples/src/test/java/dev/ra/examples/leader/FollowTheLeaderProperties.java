package dev.ra.examples.leader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class FollowTheLeaderProperties
{
    private static final ServerId LOCAL = new ServerId("ftl", "n1");

    @Property(tries = 200)
    void shouldBeDeterministicAndSurviveASnapshot(
        @ForAll("inputs") final List<Input> inputs, @ForAll @IntRange(max = 30) final int cut)
    {
        Determinism.check(() -> new FollowTheLeaderMachine(LOCAL, "h", Duration.ofSeconds(1),
            ReleaseCursorPolicy.every(4)), LeaderCommand.class, inputs, Math.min(cut, inputs.size()));
    }

    @Property(tries = 200)
    void shouldIncreaseTheEpochWithEveryClaim(@ForAll("inputs") final List<Input> inputs)
    {
        final MachineDriver<LeaderCommand, LeadershipState> machine =
            new MachineDriver<>(new FollowTheLeaderMachine(LOCAL, Duration.ofSeconds(1)), LeaderCommand.class);
        for (final Input input : inputs)
        {
            final long before = machine.state().epoch();
            machine.step(input);
            if (input.payload() instanceof LeaderCommand.Claim claim)
            {
                assertThat(machine.state().epoch()).isGreaterThan(before);
                assertThat(machine.state().isCurrent(claim.leader(), machine.state().epoch())).isTrue();
            }
            else
            {
                assertThat(machine.state().epoch()).isEqualTo(before);
            }
        }
    }

    @Provide
    Arbitrary<List<Input>> inputs()
    {
        final Arbitrary<Object> payload = Arbitraries.frequencyOf(
            Tuple.of(4, Pools.nodes().map(n -> new LeaderCommand.Claim(new ServerId("ftl", n)))),
            Tuple.of(1, Pools.builtins(Arbitraries.of("t"))),
            Tuple.of(1, Pools.roles()));
        return Pools.inputs(payload).list().ofMaxSize(30);
    }
}
