package dev.ra.examples.txn;

import dev.ra.ServerId;
import dev.ra.examples.support.CursorTracked;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link CoordinatorMachine}.
 *
 * @param driver       the member whose claim was applied last ({@code null} before the first): its node runs the
 *                     driver.
 * @param epoch        log index of that claim; 0 before the first.
 * @param transactions by id, in the order they began; indexed ({@link TransactionLog}), so that a command costs
 *                     O(log n) and a driver's pass walks only the unfinished ones, at any number held.
 * @param cursorIndex  log index of the last release cursor (see {@link CursorTracked}).
 */
public record CoordinatorState(ServerId driver, long epoch, Map<String, Transaction> transactions, long cursorIndex)
    implements CursorTracked<CoordinatorState>
{
    /** Nothing yet. */
    public static final CoordinatorState EMPTY = new CoordinatorState(null, 0, Map.of(), 0);

    /** Checks that {@code transactions} is not null. */
    public CoordinatorState
    {
        transactions = TransactionLog.of(Objects.requireNonNull(transactions, "transactions"));
    }

    /**
     * @param txId of a transaction.
     * @return it, or {@code null} if it never began.
     */
    public Transaction transaction(final String txId)
    {
        return transactions.get(txId);
    }

    /**
     * @return the ids of the transactions that have not ended, in the order they began.
     */
    public List<String> unfinished()
    {
        return log().unfinishedIds();
    }

    CoordinatorState withTransaction(final String txId, final Transaction transaction)
    {
        return new CoordinatorState(driver, epoch, log().with(txId, transaction), cursorIndex);
    }

    CoordinatorState withDriver(final ServerId leader, final long claimEpoch)
    {
        return new CoordinatorState(leader, claimEpoch, transactions, cursorIndex);
    }

    private TransactionLog log()
    {
        return (TransactionLog)transactions;
    }

    @Override
    public CoordinatorState withCursorIndex(final long index)
    {
        return new CoordinatorState(driver, epoch, transactions, index);
    }
}
