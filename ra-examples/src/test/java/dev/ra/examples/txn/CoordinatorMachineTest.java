package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CoordinatorMachineTest
{
    private static final ServerId LOCAL = new ServerId("coordinator", "n1");
    private static final ProcessRef CLIENT = new ProcessRef("app", 1);
    private static final List<Leg> LEGS = List.of(new Leg("a", "alice", -5), new Leg("b", "bob", 5));

    private final CoordinatorMachine machine =
        new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<CoordinatorCommand, CoordinatorState> log =
        new MachineDriver<>(machine, CoordinatorCommand.class);

    @Test
    void shouldClaimOnBecomingLeaderAndStartADriverForTheClaimsEpoch()
    {
        assertThat(log.enter(RaftRole.LEADER)).containsExactly(new Effect.Append(new CoordinatorCommand.Claim(LOCAL)));
        assertThat(log.enter(RaftRole.FOLLOWER)).isEmpty();
        log.skip(2);

        final var claim = log.apply(new CoordinatorCommand.Claim(LOCAL));

        assertThat(claim.reply()).isEqualTo(3L);
        assertThat(claim.effects()).containsExactly(
            new Effect.ModCall(CoordinatorMachine.DEFAULT_HANDLER, new DriverSignal(LOCAL, 3)));
    }

    @Test
    void shouldRecordTheEpochOfABeginAndWakeTheDriver()
    {
        log.apply(new CoordinatorCommand.Claim(LOCAL));

        final var begin = log.apply(new CoordinatorCommand.Begin("t1", LEGS, CLIENT));

        assertThat(begin.reply()).isEqualTo(Phase.PREPARING);
        assertThat(begin.effects()).containsExactly(
            new Effect.ModCall(CoordinatorMachine.DEFAULT_HANDLER, new DriverSignal(LOCAL, 1)));
        assertThat(log.state().transaction("t1")).isEqualTo(new Transaction(LEGS, 1, Phase.PREPARING, CLIENT, ""));
        assertThat(log.apply(new CoordinatorCommand.Begin("t1", LEGS, CLIENT)).effects()).as("a retry").isEmpty();
    }

    @Test
    void shouldKeepTheFirstDecisionAndTellTheClientWhenFinished()
    {
        log.apply(new CoordinatorCommand.Begin("t1", LEGS, CLIENT));
        assertThat(log.apply(new CoordinatorCommand.Finish("t1")).reply()).as("no decision yet")
            .isEqualTo(Phase.PREPARING);

        assertThat(log.apply(new CoordinatorCommand.Decide("t1", false, "no money")).reply())
            .isEqualTo(Phase.ABORTING);
        assertThat(log.apply(new CoordinatorCommand.Decide("t1", true, "")).reply()).isEqualTo(Phase.ABORTING);
        final var finish = log.apply(new CoordinatorCommand.Finish("t1"));

        assertThat(finish.reply()).isEqualTo(Phase.ABORTED);
        assertThat(finish.effects()).containsExactly(new Effect.SendMsg(CLIENT,
            new TransferFinished("t1", false, "no money")));
        assertThat(log.apply(new CoordinatorCommand.Finish("t1")).effects()).isEmpty();
        assertThat(log.state().unfinished()).isEmpty();
        assertThat(log.apply(new CoordinatorCommand.Decide("t2", true, "")).reply()).isNull();
    }

    @Test
    void shouldRejectBadInputWithAClearMessage()
    {
        assertThatThrownBy(() -> new CoordinatorCommand.Begin("t", List.of(new Leg("a", "x", -1),
            new Leg("b", "y", 2)), CLIENT)).hasMessage("transaction t: legs must sum to 0, got 1");
        assertThatThrownBy(() -> new CoordinatorCommand.Begin("t", List.of(), CLIENT))
            .hasMessageContaining("needs at least two legs");
        assertThatThrownBy(() -> new Leg("a", "x", 0)).hasMessageContaining("a change of 0 changes nothing");
        assertThatThrownBy(() -> new AccountRef("", "x")).hasMessage("participant must be a non-empty string, got ''");
        assertThatThrownBy(() -> machine.query("balance", "t", CoordinatorState.EMPTY))
            .hasMessageContaining("not 'balance'");
    }

    @Test
    void shouldRefuseLegsThatBalanceOnlyByWrappingAround()
    {
        assertThatThrownBy(() -> new CoordinatorCommand.Begin("t", List.of(new Leg("a", "x", Long.MAX_VALUE),
            new Leg("a", "y", Long.MAX_VALUE), new Leg("b", "z", 2)), CLIENT)).as("credits of 2^64, a long's 0")
            .hasMessageStartingWith("transaction t: legs must move at most " + Long.MAX_VALUE);
        assertThatThrownBy(() -> new CoordinatorCommand.Begin("t", List.of(new Leg("a", "x", Long.MIN_VALUE),
            new Leg("a", "y", Long.MAX_VALUE), new Leg("b", "z", 1)), CLIENT)).as("2^63 in and out")
            .hasMessageStartingWith("transaction t: legs must move at most " + Long.MAX_VALUE);
        assertThatThrownBy(() -> new CoordinatorCommand.Begin("t", List.of(new Leg("a", "x", Long.MIN_VALUE),
            new Leg("a", "y", -1), new Leg("b", "z", 1)), CLIENT))
            .hasMessageStartingWith("transaction t: legs must move at most " + Long.MAX_VALUE);
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<CoordinatorCommand> samples = List.of(new CoordinatorCommand.Claim(LOCAL),
            new CoordinatorCommand.Begin("t", LEGS, CLIENT), new CoordinatorCommand.Decide("t", true, ""),
            new CoordinatorCommand.Finish("t"));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(CoordinatorCommand.class.getPermittedSubclasses());
        samples.forEach(log::apply);
    }

    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        final Gen<String> ids = Gen.of("t1", "t2", "t3");
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(1, Gen.constant(new CoordinatorCommand.Claim(LOCAL))),
            Gen.weight(3, ids.map(id -> new CoordinatorCommand.Begin(id, LEGS, CLIENT))),
            Gen.weight(3, c -> new CoordinatorCommand.Decide(ids.next(c), Gen.booleans().next(c), "why")),
            Gen.weight(3, ids.map(CoordinatorCommand.Finish::new)),
            Gen.weight(1, Pools.roles()));
        final Gen<List<Input>> inputs = Pools.inputs(payload).list(0, 40);
        Property.forAll(200, Pools.withCut(inputs, 40), sequence -> Determinism.check(
            () -> new CoordinatorMachine(LOCAL, CoordinatorMachine.DEFAULT_HANDLER, ReleaseCursorPolicy.every(5)),
            CoordinatorCommand.class, sequence.inputs(), sequence.cutWithin()));
    }
}
