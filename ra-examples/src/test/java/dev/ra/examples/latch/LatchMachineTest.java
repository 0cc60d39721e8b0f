package dev.ra.examples.latch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LatchMachineTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n2", 1);
    private static final ProcessRef C = new ProcessRef("n3", 1);

    private final LatchMachine machine = new LatchMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<LatchCommand, LatchState> latches = new MachineDriver<>(machine, LatchCommand.class);

    @Test
    void shouldOpenTheLatchAndTellItsWaitersWhenTheCountReachesZero()
    {
        assertThat(latches.apply(new LatchCommand.TrySetCount("l", 2, "set-1")).reply()).isEqualTo(true);
        assertThat(latches.apply(new LatchCommand.Await("l", A)).reply()).isEqualTo(new LatchReply.Waiting(1, 2));
        assertThat(latches.apply(new LatchCommand.CountDown("l", 1, "d1")).reply()).isEqualTo(1L);

        final var last = latches.apply(new LatchCommand.CountDown("l", 1, "d2"));

        assertThat(last.reply()).isEqualTo(0L);
        assertThat(last.effects()).containsExactly(new Effect.SendMsg(A, new LatchOpened("l", 1)),
            new Effect.Demonitor(A));
        assertThat(latches.apply(new LatchCommand.Await("l", B)).reply()).isEqualTo(new LatchReply.Opened(1));
    }

    @Test
    void shouldCountARetriedCountDownOnceAndIgnoreOneForAnOldRound()
    {
        latches.apply(new LatchCommand.TrySetCount("l", 3, "set-1"));
        latches.apply(new LatchCommand.CountDown("l", 1, "d1"));

        assertThat(latches.apply(new LatchCommand.CountDown("l", 1, "d1")).reply()).as("retry").isEqualTo(2L);
        assertThat(latches.apply(new LatchCommand.CountDown("l", 0, "d2")).reply()).as("old round").isEqualTo(2L);
        assertThat(latches.state().latch("l").count()).isEqualTo(2);
    }

    @Test
    void shouldAnswerTrueToARetriedSetCountAndFalseToAnotherWhileCounting()
    {
        latches.apply(new LatchCommand.TrySetCount("l", 1, "set-1"));

        assertThat(latches.apply(new LatchCommand.TrySetCount("l", 1, "set-1")).reply()).isEqualTo(true);
        assertThat(latches.apply(new LatchCommand.TrySetCount("l", 5, "set-2")).reply()).isEqualTo(false);
        latches.apply(new LatchCommand.CountDown("l", 1, "d1"));
        assertThat(latches.apply(new LatchCommand.TrySetCount("l", 5, "set-1")).reply()).as("retry after the round")
            .isEqualTo(true);
        assertThat(latches.state().latch("l").round()).as("the retry started no round").isEqualTo(1);
        assertThat(latches.apply(new LatchCommand.TrySetCount("l", 5, "set-2")).reply()).isEqualTo(true);
        assertThat(latches.state().latch("l")).extracting(Latch::round, Latch::count).containsExactly(2L, 5L);
    }

    @Test
    void shouldNotStartARoundForASetCountRetriedAfterAnotherClientsRound()
    {
        // set-1's reply is lost; its round opens, and set-2's round starts and opens before set-1 is retried.
        latches.apply(new LatchCommand.TrySetCount("l", 1, "set-1"));
        latches.apply(new LatchCommand.CountDown("l", 1, "d1"));
        latches.apply(new LatchCommand.TrySetCount("l", 1, "set-2"));
        latches.apply(new LatchCommand.CountDown("l", 2, "d2"));
        final LatchState before = latches.state();

        assertThat(latches.apply(new LatchCommand.TrySetCount("l", 3, "set-1")).reply()).isEqualTo(true);
        assertThat(latches.state()).as("the retry changes nothing").isEqualTo(before);
    }

    @Test
    void shouldRememberTheSetCountsOfTheLastRoundsOnly()
    {
        for (int round = 1; round <= LatchMachine.SETTERS_KEPT + 1; round++)
        {
            latches.apply(new LatchCommand.TrySetCount("l", 1, "set-" + round));
            latches.apply(new LatchCommand.CountDown("l", round, "down-" + round));
        }

        assertThat(latches.state().latch("l").setters()).as("oldest first, bounded")
            .hasSize(LatchMachine.SETTERS_KEPT).startsWith("set-2").endsWith("set-" + (LatchMachine.SETTERS_KEPT + 1));
        assertThat(latches.apply(new LatchCommand.TrySetCount("l", 1, "set-2")).reply()).isEqualTo(true);
        assertThat(latches.state().latch("l").round()).isEqualTo(LatchMachine.SETTERS_KEPT + 1);
    }

    @Test
    void shouldTripTheBarrierWhenTheLastPartyArrivesAndStartTheNextGeneration()
    {
        assertThat(latches.apply(new LatchCommand.BarrierAwait("b", 3, A)).reply())
            .isEqualTo(new BarrierReply.Waiting(1, 1));
        assertThat(latches.apply(new LatchCommand.BarrierAwait("b", 3, B)).reply())
            .isEqualTo(new BarrierReply.Waiting(1, 2));

        final var last = latches.apply(new LatchCommand.BarrierAwait("b", 3, C));

        assertThat(last.reply()).isEqualTo(new BarrierReply.Tripped(1));
        assertThat(last.effects()).filteredOn(Effect.SendMsg.class::isInstance).containsExactly(
            new Effect.SendMsg(A, new BarrierTripped("b", 1)), new Effect.SendMsg(B, new BarrierTripped("b", 1)),
            new Effect.SendMsg(C, new BarrierTripped("b", 1)));
        assertThat(latches.state().barrier("b").generation()).isEqualTo(2);
        assertThat(latches.apply(new LatchCommand.BarrierAwait("b", 3, A)).reply()).as("a retry of the first await")
            .isEqualTo(new BarrierReply.Tripped(1));
    }

    @Test
    void shouldBreakTheBarrierWhenAWaitingPartyGoesDownUntilReset()
    {
        latches.apply(new LatchCommand.BarrierAwait("b", 3, A));
        latches.apply(new LatchCommand.BarrierAwait("b", 3, B));

        final var down = latches.builtin(new BuiltinCommand.Down(A, DownReason.NOPROC));

        assertThat(down.effects()).contains(new Effect.SendMsg(B, new BarrierBroken("b", 1)));
        assertThat(latches.apply(new LatchCommand.BarrierAwait("b", 3, C)).reply())
            .isEqualTo(new BarrierReply.Broken(1));
        assertThat(latches.apply(new LatchCommand.BarrierReset("b", "reset-1")).reply()).isEqualTo(2L);
        assertThat(latches.apply(new LatchCommand.BarrierAwait("b", 3, C)).reply())
            .isEqualTo(new BarrierReply.Waiting(2, 1));
    }

    @Test
    void shouldAnswerARetriedResetWithItsGenerationWithoutBreakingThePartiesThatArrivedSince()
    {
        latches.apply(new LatchCommand.BarrierAwait("b", 3, A));
        assertThat(latches.apply(new LatchCommand.BarrierReset("b", "reset-1")).reply()).isEqualTo(2L);
        latches.apply(new LatchCommand.BarrierAwait("b", 3, B));

        final var retry = latches.apply(new LatchCommand.BarrierReset("b", "reset-1"));

        assertThat(retry.reply()).isEqualTo(2L);
        assertThat(retry.effects()).noneMatch(Effect.SendMsg.class::isInstance);
        assertThat(latches.apply(new LatchCommand.BarrierAwait("b", 3, C)).reply())
            .isEqualTo(new BarrierReply.Waiting(2, 2));
        assertThat(latches.apply(new LatchCommand.BarrierReset("b", "reset-2")).reply()).isEqualTo(3L);
    }

    @Test
    void shouldRejectAnAwaitNamingAnotherNumberOfParties()
    {
        latches.apply(new LatchCommand.BarrierAwait("b", 3, A));

        assertThat(latches.apply(new LatchCommand.BarrierAwait("b", 2, B)).reply())
            .isEqualTo(new BarrierReply.Rejected("barrier 'b' has 3 parties, not 2"));
    }

    @Test
    void shouldMonitorEveryWaiterAgainOnBecomingLeader()
    {
        latches.apply(new LatchCommand.TrySetCount("l", 1, "s"));
        latches.apply(new LatchCommand.Await("l", A));
        latches.apply(new LatchCommand.BarrierAwait("b", 2, B));

        assertThat(latches.enter(RaftRole.LEADER)).containsExactly(new Effect.Monitor(A), new Effect.Monitor(B));
        assertThat(latches.enter(RaftRole.FOLLOWER)).isEmpty();
    }

    @Test
    void shouldRejectBadInputWithAClearMessage()
    {
        assertThatThrownBy(() -> new LatchCommand.TrySetCount("l", 0, "s"))
            .hasMessage("latch 'l': count must be >= 1, got 0");
        assertThatThrownBy(() -> new LatchCommand.BarrierAwait("b", 0, A))
            .hasMessage("barrier 'b': parties must be >= 1, got 0");
        assertThatThrownBy(() -> new LatchCommand.Await("", A))
            .hasMessage("a latch or barrier needs a non-empty name, got ''");
        assertThatThrownBy(() -> machine.query("count", "l", LatchState.EMPTY))
            .hasMessageContaining("not 'count'");
        assertThatThrownBy(() -> machine.query(LatchMachine.LATCH, 42, LatchState.EMPTY))
            .hasMessageContaining("takes a name");
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<LatchCommand> samples = List.of(new LatchCommand.TrySetCount("l", 1, "s"),
            new LatchCommand.CountDown("l", 1, "d"), new LatchCommand.Await("l", A),
            new LatchCommand.CancelAwait("l", A), new LatchCommand.BarrierAwait("b", 2, A),
            new LatchCommand.BarrierLeave("b", A), new LatchCommand.BarrierReset("b", "r"));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(LatchCommand.class.getPermittedSubclasses());
        samples.forEach(latches::apply);
    }
}
