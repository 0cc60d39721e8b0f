package dev.ra.examples.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FollowTheLeaderMachineTest
{
    private static final ServerId S1 = new ServerId("ftl", "n1");
    private static final ServerId S2 = new ServerId("ftl", "n2");
    private static final String HANDLER = "companions";

    private final MachineDriver<LeaderCommand, LeadershipState> machine = new MachineDriver<>(
        new FollowTheLeaderMachine(S1, HANDLER, Duration.ofSeconds(3), ReleaseCursorPolicy.every(1_000)),
        LeaderCommand.class);

    @Test
    void shouldClaimLeadershipForTheLocalMemberOnBecomingLeaderOnly()
    {
        assertThat(machine.enter(RaftRole.LEADER))
            .containsExactly(new Effect.Append(new LeaderCommand.Claim(S1)));
        assertThat(machine.enter(RaftRole.FOLLOWER)).isEmpty();
        assertThat(machine.enter(RaftRole.CANDIDATE)).isEmpty();
    }

    @Test
    void shouldRecordTheClaimWithItsIndexAsEpochAndAskToStartTheCompanion()
    {
        machine.skip(4);
        machine.advance(250);

        final ApplyResult<LeadershipState> claim = machine.apply(new LeaderCommand.Claim(S2));

        assertThat(claim).isEqualTo(ApplyResult.of(
            new LeadershipState(S2, 5, MachineDriver.START_TIME_MS + 250, 0), 5L,
            new Effect.ModCall(HANDLER, new StartCompanion(S2, 5, 3_000))));
    }

    @Test
    void shouldGiveEveryClaimANewEpochEvenForTheSameLeader()
    {
        machine.apply(new LeaderCommand.Claim(S1));
        final LeadershipState first = machine.state();
        machine.apply(new LeaderCommand.Claim(S2));
        machine.apply(new LeaderCommand.Claim(S1));

        assertThat(first.isCurrent(S1, 1)).isTrue();
        assertThat(machine.state().epoch()).isEqualTo(3);
        assertThat(machine.state().isCurrent(S1, 1)).isFalse();
        assertThat(machine.state().isCurrent(S1, 3)).isTrue();
        assertThat(machine.state().isCurrent(S2, 3)).isFalse();
    }

    @Test
    void shouldIgnoreBuiltinsButStillOfferSnapshots()
    {
        final MachineDriver<LeaderCommand, LeadershipState> driver = new MachineDriver<>(
            new FollowTheLeaderMachine(S1, HANDLER, Duration.ZERO, ReleaseCursorPolicy.every(2)),
            LeaderCommand.class);
        driver.apply(new LeaderCommand.Claim(S1));

        final ApplyResult<LeadershipState> down =
            driver.builtin(new BuiltinCommand.Down(new ProcessRef("n1", 1), DownReason.ERROR));

        assertThat(down.state()).isEqualTo(new LeadershipState(S1, 1, MachineDriver.START_TIME_MS, 0));
        assertThat(down.effects()).isEmpty();
    }

    @Test
    void shouldRejectANegativeGracePeriod()
    {
        assertThatThrownBy(() -> new FollowTheLeaderMachine(S1, Duration.ofMillis(-1)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<LeaderCommand> samples = List.of(new LeaderCommand.Claim(S1));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(LeaderCommand.class.getPermittedSubclasses());
        samples.forEach(machine::apply);
    }
}
