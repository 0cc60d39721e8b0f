package dev.ra.examples.txn;

import java.util.List;
import java.util.Objects;

/**
 * The commands of the {@link ParticipantMachine}. Prepare, commit and abort are idempotent by transaction id.
 */
public sealed interface ParticipantCommand
{
    /**
     * Add money to an account, creating it if needed (setting up accounts; not idempotent). Replies the new balance
     * (a {@code Long}), or {@link Refused} if the participant's accounts together would hold more than
     * {@link Long#MAX_VALUE}, counting what prepared transactions will credit.
     *
     * @param account to credit.
     * @param amount  at least 1.
     */
    record Deposit(String account, long amount) implements ParticipantCommand
    {
        /** Checks the account name and a positive amount. */
        public Deposit
        {
            Names.require(account, "account");
            if (amount < 1)
            {
                throw new IllegalArgumentException("account '" + account + "': deposit must be >= 1, got " + amount);
            }
        }
    }

    /**
     * Phase one: reserve the debits of {@code changes} and vote. Replies a {@link Vote}: yes if every account exists
     * and has the money and the participant has room for the credits (as for a deposit) (the debits are then
     * reserved until commit or abort), no otherwise (the transaction is then aborted here). A prepare of a
     * transaction already prepared or committed votes yes again; of an aborted one, no.
     *
     * @param txId    of the transaction.
     * @param changes this participant's part of it; at least one.
     */
    record Prepare(String txId, List<Change> changes) implements ParticipantCommand
    {
        /** Checks the id and a non-empty list of changes. */
        public Prepare
        {
            Names.require(txId, "transaction id");
            changes = List.copyOf(Objects.requireNonNull(changes, "changes"));
            if (changes.isEmpty())
            {
                throw new IllegalArgumentException("transaction " + txId + ": a prepare needs at least one change");
            }
        }
    }

    /**
     * Phase two, commit: apply a prepared transaction. Replies the resulting {@link TxStatus}: COMMITTED (also for a
     * retry), ABORTED if it was aborted (a coordinator bug), UNKNOWN if it was never prepared.
     *
     * @param txId of the transaction.
     */
    record Commit(String txId) implements ParticipantCommand
    {
        /** Checks the id. */
        public Commit
        {
            Names.require(txId, "transaction id");
        }
    }

    /**
     * Phase two, abort: release a prepared transaction's reservations, or remember that an unknown one is aborted so
     * that a late prepare votes no. Replies the resulting {@link TxStatus}: ABORTED, or COMMITTED if it was already
     * committed (a coordinator bug).
     *
     * @param txId of the transaction.
     */
    record Abort(String txId) implements ParticipantCommand
    {
        /** Checks the id. */
        public Abort
        {
            Names.require(txId, "transaction id");
        }
    }

    /**
     * The coordinator needs no vote any more on a transaction whose id is stamped ({@link TransferIds}) no later than
     * {@code watermark}: every such transaction has ended there, and a begin of a new one is refused. The participant
     * forgets its decisions of those ids, keeps none it makes later, and votes no on a prepare of one it does not
     * know (a late message of a driver that was replaced). Machine version 1. Replies the watermark in force.
     *
     * @param watermark a stamp, at least 1.
     */
    record Forget(long watermark) implements ParticipantCommand
    {
        /** Checks a positive watermark. */
        public Forget
        {
            if (watermark < 1)
            {
                throw new IllegalArgumentException("watermark must be >= 1, got " + watermark);
            }
        }
    }
}
