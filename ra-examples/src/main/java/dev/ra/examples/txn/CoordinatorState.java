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
 * @param horizon      the highest stamp ({@link TransferIds}) of the finished transactions forgotten, 0 before the
 *                     first: a begin of an unknown id stamped no later is refused (version 1; version 0 forgets
 *                     nothing and its snapshots do not hold it).
 */
public record CoordinatorState(ServerId driver, long epoch, Map<String, Transaction> transactions, long cursorIndex,
    long horizon) implements CursorTracked<CoordinatorState>
{
    /** Nothing yet. */
    public static final CoordinatorState EMPTY = new CoordinatorState(null, 0, Map.of(), 0);

    /** Checks that {@code transactions} is not null. */
    public CoordinatorState
    {
        transactions = TransactionLog.of(Objects.requireNonNull(transactions, "transactions"));
    }

    /**
     * A state that has forgotten nothing, as every state of version 0 is.
     *
     * @param driver       see above.
     * @param epoch        see above.
     * @param transactions see above.
     * @param cursorIndex  see above.
     */
    public CoordinatorState(final ServerId driver, final long epoch, final Map<String, Transaction> transactions,
        final long cursorIndex)
    {
        this(driver, epoch, transactions, cursorIndex, 0);
    }

    /**
     * @param txId of a transaction.
     * @return it, or {@code null} if it never began (or ended and was forgotten).
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

    /**
     * The stamp up to which the participants may forget their decisions: no transaction of an id stamped at or below
     * it is unfinished here, and none can begin (its stamp is not after the horizon). Walks only the unfinished.
     *
     * @return that stamp, 0 while there is none.
     */
    public long participantWatermark()
    {
        long watermark = horizon;
        for (final String txId : log().unfinishedIds())
        {
            final long stamp = TransferIds.stampOf(txId);
            if (stamp > 0)
            {
                watermark = Math.min(watermark, stamp - 1);
            }
        }
        return watermark;
    }

    CoordinatorState withTransaction(final String txId, final Transaction transaction)
    {
        return new CoordinatorState(driver, epoch, log().with(txId, transaction), cursorIndex, horizon);
    }

    /**
     * @return this state with the transaction ended, placed after every other, and forgetting as
     *     {@link #forgettingBeyond} does.
     */
    CoordinatorState withFinished(final String txId, final Transaction transaction, final int kept,
        final long stampedBefore)
    {
        return new CoordinatorState(driver, epoch, log().withLast(txId, transaction), cursorIndex, horizon)
            .forgettingBeyond(kept, stampedBefore);
    }

    /**
     * @param kept          how many finished transactions of stamped ids to keep at least.
     * @param stampedBefore only those stamped before this are forgotten (the log time less the time they are kept),
     *                      so that the horizon stays that far behind the log time whatever clocks stamped the ids.
     * @return this state without the finished transactions of stamped ids beyond {@code kept}, the oldest stamps
     *     first, the horizon raised to their stamps.
     */
    CoordinatorState forgettingBeyond(final int kept, final long stampedBefore)
    {
        TransactionLog log = log();
        long forgotten = horizon;
        while (log.forgettableCount() > kept && TransferIds.stampOf(log.firstForgettable()) < stampedBefore)
        {
            final String oldest = log.firstForgettable();
            forgotten = Math.max(forgotten, TransferIds.stampOf(oldest));
            log = log.without(oldest);
        }
        return log == transactions ? this : new CoordinatorState(driver, epoch, log, cursorIndex, forgotten);
    }

    CoordinatorState withDriver(final ServerId leader, final long claimEpoch)
    {
        return new CoordinatorState(leader, claimEpoch, transactions, cursorIndex, horizon);
    }

    private TransactionLog log()
    {
        return (TransactionLog)transactions;
    }

    @Override
    public CoordinatorState withCursorIndex(final long index)
    {
        return new CoordinatorState(driver, epoch, transactions, index, horizon);
    }
}
