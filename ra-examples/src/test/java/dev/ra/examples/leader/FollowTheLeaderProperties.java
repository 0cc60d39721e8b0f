package dev.ra.examples.leader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FollowTheLeaderProperties
{
    private static final ServerId LOCAL = new ServerId("ftl", "n1");

    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        Property.forAll(200, Pools.withCut(inputs(), 30), sequence -> Determinism.check(
            () -> new FollowTheLeaderMachine(LOCAL, "h", Duration.ofSeconds(1), ReleaseCursorPolicy.every(4)),
            LeaderCommand.class, sequence.inputs(), sequence.cutWithin()));
    }

    @Test
    void shouldIncreaseTheEpochWithEveryClaim()
    {
        Property.forAll(200, inputs(), FollowTheLeaderProperties::increasesTheEpochWithEveryClaim);
    }

    private static void increasesTheEpochWithEveryClaim(final List<Input> inputs)
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

    private static Gen<List<Input>> inputs()
    {
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(4, Pools.nodes().map(n -> new LeaderCommand.Claim(new ServerId("ftl", n)))),
            Gen.weight(1, Pools.builtins(Gen.of("t"))),
            Gen.weight(1, Pools.roles()));
        return Pools.inputs(payload).list(0, 30);
    }
}
