package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ParticipantMachineTest
{
    private final ParticipantMachine machine = new ParticipantMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<ParticipantCommand, ParticipantState> bank =
        new MachineDriver<>(machine, ParticipantCommand.class);

    @Test
    void shouldReserveTheDebitAtPrepareAndMoveItAtCommit()
    {
        bank.apply(new ParticipantCommand.Deposit("x", 10));
        bank.apply(new ParticipantCommand.Deposit("y", 1));

        assertThat(bank.apply(new ParticipantCommand.Prepare("t", List.of(new Change("x", -4), new Change("y", 4))))
            .reply()).isEqualTo(Vote.YES);
        assertThat(bank.state().account("x")).isEqualTo(new Account(6, 4));
        assertThat(bank.state().account("y")).as("credits wait for the commit").isEqualTo(new Account(1, 0));
        assertThat(bank.apply(new ParticipantCommand.Commit("t")).reply()).isEqualTo(TxStatus.COMMITTED);
        assertThat(bank.apply(new ParticipantCommand.Commit("t")).reply()).as("retry").isEqualTo(TxStatus.COMMITTED);

        assertThat(bank.state().account("x")).isEqualTo(new Account(6, 0));
        assertThat(bank.state().account("y")).isEqualTo(new Account(5, 0));
    }

    @Test
    void shouldReleaseTheReservationAtAbortAndRefuseALatePrepare()
    {
        bank.apply(new ParticipantCommand.Deposit("x", 10));
        bank.apply(new ParticipantCommand.Prepare("t", List.of(new Change("x", -4))));

        assertThat(bank.apply(new ParticipantCommand.Abort("t")).reply()).isEqualTo(TxStatus.ABORTED);
        assertThat(bank.state().account("x")).isEqualTo(new Account(10, 0));
        assertThat(bank.apply(new ParticipantCommand.Abort("never-seen")).reply()).isEqualTo(TxStatus.ABORTED);
        assertThat(bank.apply(new ParticipantCommand.Prepare("never-seen", List.of(new Change("x", -1)))).reply())
            .isEqualTo(Vote.no("transaction never-seen was aborted"));
        assertThat(bank.state().account("x")).isEqualTo(new Account(10, 0));
    }

    @Test
    void shouldVoteNoForAMissingAccountOrMissingMoney()
    {
        bank.apply(new ParticipantCommand.Deposit("x", 3));

        assertThat(bank.apply(new ParticipantCommand.Prepare("t1", List.of(new Change("x", -2), new Change("x", -2))))
            .reply()).isEqualTo(Vote.no("account 'x' has 3 available, the transaction debits 4"));
        assertThat(bank.apply(new ParticipantCommand.Prepare("t2", List.of(new Change("nobody", 2)))).reply())
            .isEqualTo(Vote.no("no account 'nobody'"));
        assertThat(bank.state().status("t1")).isEqualTo(TxStatus.ABORTED);
        assertThat(bank.state().account("x")).isEqualTo(new Account(3, 0));
    }

    @Test
    void shouldVoteNoForADebitOfTwoToTheSixtyThree()
    {
        bank.apply(new ParticipantCommand.Deposit("alice", 10));
        bank.apply(new ParticipantCommand.Deposit("bob", 1));
        bank.apply(new ParticipantCommand.Deposit("carol", 1));

        // Long.MIN_VALUE negated is itself, so "alice has 10, needs -(-2^63)" must not read as "needs a negative".
        assertThat(bank.apply(new ParticipantCommand.Prepare("t1", List.of(new Change("alice", Long.MIN_VALUE))))
            .reply()).isEqualTo(Vote.no("account 'alice' has 10 available, the transaction debits more than " +
            Long.MAX_VALUE));
        assertThat(prepare("t2", new Change("alice", Long.MIN_VALUE), new Change("bob", Long.MAX_VALUE),
            new Change("carol", 1)).yes()).isFalse();
        assertThat(prepare("t3", new Change("alice", -5), new Change("alice", Long.MIN_VALUE)).yes())
            .as("debits that only wrap past 0 together").isFalse();

        assertThat(bank.state().account("alice")).isEqualTo(new Account(10, 0));
        assertThat(bank.state().account("bob")).isEqualTo(new Account(1, 0));
        assertThat(bank.state().total()).isEqualTo(12);
    }

    @Test
    void shouldRefuseADepositThatWouldTakeTheAccountsOverLongMaxValue()
    {
        bank.apply(new ParticipantCommand.Deposit("x", Long.MAX_VALUE - 1));

        assertThat(bank.apply(new ParticipantCommand.Deposit("x", 2)).reply()).isEqualTo(new Refused(
            "account 'x': a deposit of 2 would take the participant over " + Long.MAX_VALUE + " (it holds " +
            (Long.MAX_VALUE - 1) + ", and prepared transactions credit 0)"));
        assertThat(bank.apply(new ParticipantCommand.Deposit("y", 2)).reply()).as("the total would wrap too")
            .isInstanceOf(Refused.class);
        assertThat(bank.state().account("y")).isNull();
        assertThat(bank.apply(new ParticipantCommand.Deposit("x", 1)).reply()).isEqualTo(Long.MAX_VALUE);
        assertThat(bank.state().total()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldKeepRoomForPreparedCreditsSoThatTheCommitCannotWrap()
    {
        bank.apply(new ParticipantCommand.Deposit("x", 1));
        bank.apply(new ParticipantCommand.Deposit("y", 1));
        bank.apply(new ParticipantCommand.Deposit("z", 1));

        assertThat(bank.apply(new ParticipantCommand.Prepare("overflow", List.of(new Change("x", Long.MAX_VALUE),
            new Change("y", Long.MAX_VALUE), new Change("z", 2)))).reply()).as("credits of 2^64 + 2")
            .isEqualTo(Vote.no("the transaction credits more than the " + (Long.MAX_VALUE - 3) +
            " the participant can still take (it holds at most " + Long.MAX_VALUE + ")"));
        assertThat(bank.apply(new ParticipantCommand.Prepare("t1", List.of(new Change("x", -1),
            new Change("y", Long.MAX_VALUE - 3)))).reply()).isEqualTo(Vote.YES);
        assertThat(bank.apply(new ParticipantCommand.Deposit("z", 1)).reply()).as("the room is promised to t1")
            .isInstanceOf(Refused.class);
        assertThat(prepare("t2", new Change("z", 1)).yes()).isFalse();
        assertThat(bank.apply(new ParticipantCommand.Commit("t1")).reply()).isEqualTo(TxStatus.COMMITTED);

        assertThat(bank.state().account("x")).isEqualTo(new Account(0, 0));
        assertThat(bank.state().account("y")).isEqualTo(new Account(Long.MAX_VALUE - 2, 0));
        assertThat(bank.state().total()).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(bank.apply(new ParticipantCommand.Deposit("z", 1)).reply()).isEqualTo(2L);
    }

    @Test
    void shouldRejectBadInputWithAClearMessage()
    {
        assertThatThrownBy(() -> new ParticipantCommand.Deposit("x", 0))
            .hasMessage("account 'x': deposit must be >= 1, got 0");
        assertThatThrownBy(() -> new ParticipantCommand.Prepare("t", List.of()))
            .hasMessage("transaction t: a prepare needs at least one change");
        assertThatThrownBy(() -> new ParticipantCommand.Commit(null))
            .hasMessage("transaction id must be a non-empty string, got null");
        assertThatThrownBy(() -> machine.query(ParticipantMachine.ACCOUNT, 1, ParticipantState.EMPTY))
            .hasMessageContaining("takes a string");
    }

    @Test
    void shouldHandleEveryCommandType()
    {
        final List<ParticipantCommand> samples = List.of(new ParticipantCommand.Deposit("x", 1),
            new ParticipantCommand.Prepare("t", List.of(new Change("x", -1))), new ParticipantCommand.Commit("t"),
            new ParticipantCommand.Abort("t"), new ParticipantCommand.Forget(1));
        final Set<Class<?>> covered = samples.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrder(ParticipantCommand.class.getPermittedSubclasses());
        samples.forEach(bank::apply);
    }

    private Vote prepare(final String txId, final Change... changes)
    {
        return (Vote)bank.apply(new ParticipantCommand.Prepare(txId, List.of(changes))).reply();
    }
}
