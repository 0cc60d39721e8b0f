package dev.ra.examples.txn;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The typed client of a {@link ParticipantMachine} cluster, used by the {@link TransferDriver} and by applications
 * that read balances. Thread-safe; blocking calls; works from any node, including one hosting no member. Prepare,
 * commit and abort are idempotent and retried across leader changes; a deposit is not.
 */
public final class ParticipantClient
{
    private final ClusterClient cluster;

    /**
     * @param system  to send calls through; if it does not know the cluster yet, the client registers it there.
     * @param members of the participant cluster.
     */
    public ParticipantClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
        system.cluster(members.get(0).name(), new ParticipantMachine(), Object.class, members);
    }

    /**
     * @param cluster client with its own timeouts; its system must know the cluster.
     */
    public ParticipantClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /**
     * @return the name of the participant cluster.
     */
    public String name()
    {
        return cluster.members().get(0).name();
    }

    /**
     * Add money to an account, creating it if needed. Not retried when its outcome is unknown.
     *
     * @param account to credit.
     * @param amount  at least 1.
     * @return the new balance.
     * @throws IllegalArgumentException if the participant refused it: its accounts together would hold more than
     *                                  {@link Long#MAX_VALUE}.
     */
    public long deposit(final String account, final long amount)
    {
        final Object reply = cluster.command(new ParticipantCommand.Deposit(account, amount), false);
        if (reply instanceof Refused refused)
        {
            throw new IllegalArgumentException(refused.reason());
        }
        return (Long)reply;
    }

    /**
     * @param txId    of the transaction.
     * @param changes this participant's part.
     * @return the vote.
     */
    public Vote prepare(final String txId, final List<Change> changes)
    {
        return cluster.command(new ParticipantCommand.Prepare(txId, changes), true);
    }

    /**
     * @param txId of a prepared transaction.
     * @return the resulting status (COMMITTED unless the protocol was broken).
     */
    public TxStatus commit(final String txId)
    {
        return cluster.command(new ParticipantCommand.Commit(txId), true);
    }

    /**
     * @param txId of the transaction.
     * @return the resulting status (ABORTED unless the protocol was broken).
     */
    public TxStatus abort(final String txId)
    {
        return cluster.command(new ParticipantCommand.Abort(txId), true);
    }

    /**
     * Tell the participant that the coordinator needs no vote any more on the ids stamped up to {@code watermark}
     * ({@link ParticipantCommand.Forget}).
     *
     * @param watermark a stamp, at least 1.
     * @return the watermark in force there.
     * @throws IllegalArgumentException if the participant refuses it (after its log time), saying why.
     */
    public long forget(final long watermark)
    {
        final Object reply = cluster.command(new ParticipantCommand.Forget(watermark), true);
        if (reply instanceof Refused refused)
        {
            throw new IllegalArgumentException(refused.reason());
        }
        return (Long)reply;
    }

    /**
     * @param name of the account.
     * @return the account, linearizably, or empty if it does not exist.
     */
    public Optional<Account> account(final String name)
    {
        return Optional.ofNullable(cluster.namedQuery(ParticipantMachine.ACCOUNT, name, true));
    }

    /**
     * @param txId of a transaction.
     * @return what the participant knows of it, linearizably.
     */
    public TxStatus status(final String txId)
    {
        return cluster.namedQuery(ParticipantMachine.STATUS, txId, true);
    }

    /**
     * @return the money held by all accounts, reservations included, linearizably.
     */
    public long total()
    {
        return cluster.<Long>namedQuery(ParticipantMachine.TOTAL, "", true);
    }
}
