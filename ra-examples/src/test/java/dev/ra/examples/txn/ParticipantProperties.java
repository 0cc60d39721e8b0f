package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The participant machine against {@link ParticipantModel} on random sequences of deposits, prepares, commits and
 * aborts, with retries (a coordinator resending after a failover), the coordinator's watermarks (ids stamped and not),
 * role changes and snapshots; and the invariants two-phase commit relies on.
 */
class ParticipantProperties
{
    private static final List<String> ACCOUNTS = List.of("x", "y", "z");
    private static final List<String> TX_IDS = List.of("t1", "t2", "txn-1-a", "txn-2-b", "txn-3-c");

    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        Property.forAll(300, Pools.withCut(inputs(false), 60), sequence -> Determinism.check(
            () -> new ParticipantMachine(ReleaseCursorPolicy.every(7)), ParticipantCommand.class, sequence.inputs(),
            sequence.cutWithin()));
    }

    @Test
    void shouldBehaveLikeTheSequentialModelAndConserveMoney()
    {
        Property.forAll(500, inputs(true), ParticipantProperties::behavesLikeTheModel);
    }

    private static void behavesLikeTheModel(final List<Input> inputs)
    {
        final MachineDriver<ParticipantCommand, ParticipantState> bank =
            new MachineDriver<>(new ParticipantMachine(ReleaseCursorPolicy.every(5)), ParticipantCommand.class);
        final ParticipantModel model = new ParticipantModel();
        ParticipantCommand last = null;
        for (final Input input : inputs)
        {
            final Object payload = input.payload() instanceof Retry ? last : input.payload();
            if (null == payload)
            {
                continue;
            }
            final ParticipantState before = bank.state();
            final Outcome<ParticipantState> outcome = bank.step(new Input(payload, input.advanceMs()));
            if (!(payload instanceof ParticipantCommand command))
            {
                assertThat(outcome.state()).as("a role change changes nothing").isEqualTo(before);
                assertThat(outcome.effects()).isEmpty();
                continue;
            }
            last = command;
            final Object expected = model.apply(command);
            if (expected instanceof Vote vote)
            {
                assertThat(((Vote)outcome.reply()).yes()).as("vote on %s", command).isEqualTo(vote.yes());
            }
            else
            {
                assertThat(outcome.reply()).as("reply to %s", command).isEqualTo(expected);
            }
            final ParticipantState state = outcome.state();
            for (final String name : ACCOUNTS)
            {
                final Account account = state.account(name);
                assertThat(null == account ? 0 : account.balance()).as("balance of %s", name)
                    .isEqualTo(model.balance(name)).isNotNegative();
                assertThat(null == account ? 0 : account.reserved()).as("reserved of %s", name)
                    .isEqualTo(model.reserved(name)).isNotNegative();
            }
            assertThat(state.total()).as("the total kept is the accounts' sum")
                .isEqualTo(state.accounts().values().stream().mapToLong(Account::total).sum());
            assertThat(state.total() - before.total()).as("money moves only by deposits and commits")
                .isEqualTo(expectedChange(command, before, state));
            for (final String txId : TX_IDS)
            {
                assertThat(state.status(txId)).isEqualTo(model.status(txId));
                final boolean forgotten = command instanceof ParticipantCommand.Forget && state.belowWatermark(txId);
                if ((before.status(txId) == TxStatus.COMMITTED || before.status(txId) == TxStatus.ABORTED) &&
                    !forgotten)
                {
                    assertThat(state.status(txId)).as("a decision is final").isEqualTo(before.status(txId));
                }
            }
            for (final Map.Entry<String, Account> e : state.accounts().entrySet())
            {
                final long reservedByPrepared = state.prepared().values().stream().flatMap(List::stream)
                    .filter(c -> c.account().equals(e.getKey()) && c.delta() < 0).mapToLong(c -> -c.delta()).sum();
                assertThat(e.getValue().reserved()).as("reservations of %s are those of prepared transactions",
                    e.getKey()).isEqualTo(reservedByPrepared);
            }
        }
    }

    private static long expectedChange(final ParticipantCommand command, final ParticipantState before,
        final ParticipantState after)
    {
        if (command instanceof ParticipantCommand.Deposit deposit)
        {
            return deposit.amount();
        }
        if (command instanceof ParticipantCommand.Commit commit && before.status(commit.txId()) == TxStatus.PREPARED)
        {
            return before.prepared().get(commit.txId()).stream().mapToLong(Change::delta).sum();
        }
        return 0;
    }

    /**
     * "Send the previous command again": a coordinator's driver resending after a failover.
     */
    private record Retry()
    {
    }

    private static Gen<List<Input>> inputs(final boolean withRetries)
    {
        final Gen<String> accounts = Gen.of("x", "y", "z", "missing");
        final Gen<String> txIds = Gen.of("t1", "t2", "txn-1-a", "txn-2-b", "txn-3-c");
        final Gen<Long> amounts = Gen.longs(1, 6);
        final Gen<Change> changes = c -> new Change(accounts.next(c), Gen.booleans().next(c) ? amounts.next(c) :
            -amounts.next(c));
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(2, c -> new ParticipantCommand.Deposit(Gen.of("x", "y", "z").next(c), amounts.next(c))),
            Gen.weight(5, c -> new ParticipantCommand.Prepare(txIds.next(c), changes.list(1, 3).next(c))),
            Gen.weight(3, txIds.map(ParticipantCommand.Commit::new)),
            Gen.weight(2, txIds.map(ParticipantCommand.Abort::new)),
            Gen.weight(1, Gen.longs(1, 4).map(ParticipantCommand.Forget::new)),
            Gen.weight(1, Pools.roles()),
            Gen.weight(2, withRetries ? Gen.constant(new Retry()) : Pools.roles()));
        return Pools.inputs(payload).list(0, 60);
    }
}
