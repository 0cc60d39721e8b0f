package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The invariants of transfers, checked once every transfer has ended: each one is committed on every participant it
 * touches or aborted on every one (never mixed), the coordinator's log agrees, money is conserved, and no account
 * keeps a reservation.
 */
final class TransferAudit
{
    private TransferAudit()
    {
    }

    /**
     * One transfer a test asked for, with its outcome.
     *
     * @param result of the transfer.
     * @param from   debited account.
     * @param to     credited account.
     */
    record Attempt(TransferResult result, AccountRef from, AccountRef to)
    {
    }

    /**
     * @param transfers    client of the coordinator.
     * @param participants clients of the participant clusters, by name.
     * @param accounts     every account of every participant, by participant name.
     * @param attempts     to check.
     * @param total        money in all accounts together before the transfers.
     */
    static void check(final TransferClient transfers, final Map<String, ParticipantClient> participants,
        final Map<String, List<String>> accounts, final Collection<Attempt> attempts, final long total)
    {
        for (final Attempt attempt : attempts)
        {
            final String txId = attempt.result().txId();
            final TxStatus expected = attempt.result().committed() ? TxStatus.COMMITTED : TxStatus.ABORTED;
            for (final AccountRef side : List.of(attempt.from(), attempt.to()))
            {
                assertThat(participants.get(side.participant()).status(txId))
                    .as("transfer %s at %s", txId, side.participant()).isEqualTo(expected);
            }
            assertThat(transfers.transaction(txId).orElseThrow().phase())
                .as("transfer %s in the coordinator's log", txId)
                .isEqualTo(attempt.result().committed() ? Phase.COMMITTED : Phase.ABORTED);
        }
        long sum = 0;
        for (final Map.Entry<String, List<String>> bank : accounts.entrySet())
        {
            final ParticipantClient participant = participants.get(bank.getKey());
            for (final String name : bank.getValue())
            {
                final Account account = participant.account(name).orElseThrow();
                assertThat(account.reserved()).as("reservations left on %s@%s", name, bank.getKey()).isZero();
                assertThat(account.balance()).as("balance of %s@%s", name, bank.getKey()).isNotNegative();
            }
            sum += participant.total();
        }
        assertThat(sum).as("money is conserved").isEqualTo(total);
    }
}
