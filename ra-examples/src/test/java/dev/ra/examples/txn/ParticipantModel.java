package dev.ra.examples.txn;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain sequential model the {@link ParticipantMachine} is checked against: a bank with mutable balances, a
 * table of reservations per transaction, a table of decided transactions, and the coordinator's watermark: the
 * decisions of ids stamped up to it are dropped and none is recorded, and a prepare of one not prepared votes no.
 */
final class ParticipantModel
{
    private final Map<String, Long> balances = new HashMap<>();
    private final Map<String, Long> reserved = new HashMap<>();
    private final Map<String, List<Change>> prepared = new HashMap<>();
    private final Map<String, TxStatus> decided = new HashMap<>();
    private long watermark;

    Object apply(final ParticipantCommand command)
    {
        if (command instanceof ParticipantCommand.Deposit deposit)
        {
            reserved.putIfAbsent(deposit.account(), 0L);
            return balances.merge(deposit.account(), deposit.amount(), Long::sum);
        }
        if (command instanceof ParticipantCommand.Prepare prepare)
        {
            return prepare(prepare);
        }
        if (command instanceof ParticipantCommand.Forget forget)
        {
            watermark = Math.max(watermark, forget.watermark());
            decided.keySet().removeIf(this::belowWatermark);
            return watermark;
        }
        final String txId = command instanceof ParticipantCommand.Commit commit ? commit.txId() :
            ((ParticipantCommand.Abort)command).txId();
        final boolean commit = command instanceof ParticipantCommand.Commit;
        final List<Change> changes = prepared.remove(txId);
        if (null == changes)
        {
            if (!commit && !decided.containsKey(txId))
            {
                decide(txId, TxStatus.ABORTED);
                return TxStatus.ABORTED;
            }
            return decided.getOrDefault(txId, TxStatus.UNKNOWN);
        }
        for (final Change change : changes)
        {
            if (change.delta() < 0)
            {
                reserved.merge(change.account(), change.delta(), Long::sum);
                if (!commit)
                {
                    balances.merge(change.account(), -change.delta(), Long::sum);
                }
            }
            else if (commit)
            {
                balances.merge(change.account(), change.delta(), Long::sum);
            }
        }
        decide(txId, commit ? TxStatus.COMMITTED : TxStatus.ABORTED);
        return commit ? TxStatus.COMMITTED : TxStatus.ABORTED;
    }

    private void decide(final String txId, final TxStatus status)
    {
        if (!belowWatermark(txId))
        {
            decided.put(txId, status);
        }
    }

    private boolean belowWatermark(final String txId)
    {
        final long stamp = TransferIds.stampOf(txId);
        return stamp > 0 && stamp <= watermark;
    }

    private Vote prepare(final ParticipantCommand.Prepare prepare)
    {
        if (prepared.containsKey(prepare.txId()) || decided.get(prepare.txId()) == TxStatus.COMMITTED)
        {
            return Vote.YES;
        }
        if (decided.get(prepare.txId()) == TxStatus.ABORTED)
        {
            return Vote.no("transaction " + prepare.txId() + " was aborted");
        }
        if (belowWatermark(prepare.txId()))
        {
            return Vote.no("below the watermark");
        }
        final Map<String, Long> available = new HashMap<>(balances);
        for (final Change change : prepare.changes())
        {
            if (!balances.containsKey(change.account()))
            {
                decide(prepare.txId(), TxStatus.ABORTED);
                return Vote.no("no account '" + change.account() + "'");
            }
            if (change.delta() < 0 && available.merge(change.account(), change.delta(), Long::sum) < 0)
            {
                decide(prepare.txId(), TxStatus.ABORTED);
                return Vote.no("insufficient funds");
            }
        }
        for (final Change change : prepare.changes())
        {
            if (change.delta() < 0)
            {
                balances.merge(change.account(), change.delta(), Long::sum);
                reserved.merge(change.account(), -change.delta(), Long::sum);
            }
        }
        prepared.put(prepare.txId(), prepare.changes());
        return Vote.YES;
    }

    long balance(final String account)
    {
        return balances.getOrDefault(account, 0L);
    }

    long reserved(final String account)
    {
        return reserved.getOrDefault(account, 0L);
    }

    TxStatus status(final String txId)
    {
        return prepared.containsKey(txId) ? TxStatus.PREPARED : decided.getOrDefault(txId, TxStatus.UNKNOWN);
    }
}
