package dev.ra.examples.txn;

import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.InsertionOrderedMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link ParticipantMachine}.
 *
 * @param accounts    by name.
 * @param prepared    changes of the prepared (undecided) transactions, by transaction id.
 * @param decided     final status (COMMITTED or ABORTED) of the transactions decided here, by id, but for the
 *                    stamped ids ({@link TransferIds}) of a stamp up to the watermark, which are forgotten.
 * @param total       money held by all accounts, reservations included; kept up to date as accounts change rather
 *                    than summed over every account at each deposit and prepare (which still add up the prepared
 *                    credits, {@link #incoming()}).
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 * @param watermark   the highest stamp the coordinator said it needs no vote for any more
 *                    ({@link ParticipantCommand.Forget}), 0 before the first (version 1; version 0's snapshots do not
 *                    hold it).
 */
public record ParticipantState(Map<String, Account> accounts, Map<String, List<Change>> prepared,
    Map<String, TxStatus> decided, long total, long cursorIndex, long watermark)
    implements CursorTracked<ParticipantState>
{
    /** No accounts, no transactions. */
    public static final ParticipantState EMPTY = new ParticipantState(Map.of(), Map.of(), Map.of(), 0, 0);

    /** Checks that the maps are not null. */
    public ParticipantState
    {
        // Indexed, so that a command copies O(log n) of each map rather than all of it at any number held.
        accounts = InsertionOrderedMap.of(Objects.requireNonNull(accounts, "accounts"));
        prepared = InsertionOrderedMap.of(Objects.requireNonNull(prepared, "prepared"));
        decided = DecidedIds.of(Objects.requireNonNull(decided, "decided"));
    }

    /**
     * A state told no watermark, as every state of version 0 is.
     *
     * @param accounts    see above.
     * @param prepared    see above.
     * @param decided     see above.
     * @param total       see above.
     * @param cursorIndex see above.
     */
    public ParticipantState(final Map<String, Account> accounts, final Map<String, List<Change>> prepared,
        final Map<String, TxStatus> decided, final long total, final long cursorIndex)
    {
        this(accounts, prepared, decided, total, cursorIndex, 0);
    }

    /**
     * @param name of the account.
     * @return the account, or {@code null} if it does not exist.
     */
    public Account account(final String name)
    {
        return accounts.get(name);
    }

    /**
     * @param txId of a transaction.
     * @return what this participant knows of it.
     */
    public TxStatus status(final String txId)
    {
        if (prepared.containsKey(txId))
        {
            return TxStatus.PREPARED;
        }
        return decided.getOrDefault(txId, TxStatus.UNKNOWN);
    }

    /**
     * @param txId of a transaction.
     * @return true if its id is stamped no later than the watermark: the coordinator needs no vote on it, and this
     *     participant keeps no decision of it.
     */
    public boolean belowWatermark(final String txId)
    {
        final long stamp = TransferIds.stampOf(txId);
        return stamp > 0 && stamp <= watermark;
    }

    /**
     * @return what the prepared transactions will add to the accounts if they commit.
     */
    public long incoming()
    {
        long incoming = 0;
        for (final List<Change> changes : prepared.values())
        {
            for (final Change change : changes)
            {
                if (change.delta() > 0)
                {
                    incoming = Math.addExact(incoming, change.delta());
                }
            }
        }
        return incoming;
    }

    /**
     * @return how much more the accounts can be credited, counting what the prepared transactions will add, without
     *         their total leaving the range of a {@code long}.
     */
    public long room()
    {
        return Long.MAX_VALUE - total - incoming();
    }

    ParticipantState withAccount(final String name, final Account account)
    {
        final Account previous = accounts.getOrDefault(name, Account.EMPTY);
        return new ParticipantState(indexed(accounts).with(name, account), prepared, decided,
            Math.addExact(total - previous.total(), account.total()), cursorIndex, watermark);
    }

    ParticipantState withPrepared(final String txId, final List<Change> changes)
    {
        return new ParticipantState(accounts, indexed(prepared).with(txId, changes), decided, total,
            cursorIndex, watermark);
    }

    ParticipantState withDecided(final String txId, final TxStatus status)
    {
        // A decision below the watermark is not kept: the coordinator will ask for no vote on it again.
        return new ParticipantState(accounts, indexed(prepared).without(txId),
            belowWatermark(txId) ? decided : ((DecidedIds)decided).with(txId, status), total, cursorIndex, watermark);
    }

    /**
     * @return this state with the watermark raised to {@code stamp} (if higher) and the decided stamped ids up to it
     *     forgotten.
     */
    ParticipantState withWatermark(final long stamp)
    {
        final long raised = Math.max(watermark, stamp);
        return new ParticipantState(accounts, prepared, ((DecidedIds)decided).withoutStampedThrough(raised), total,
            cursorIndex, raised);
    }

    private static <V> InsertionOrderedMap<String, V> indexed(final Map<String, V> map)
    {
        return (InsertionOrderedMap<String, V>)map;
    }

    @Override
    public ParticipantState withCursorIndex(final long index)
    {
        return new ParticipantState(accounts, prepared, decided, total, index, watermark);
    }
}
