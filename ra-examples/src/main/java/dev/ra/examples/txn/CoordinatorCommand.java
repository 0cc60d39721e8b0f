package dev.ra.examples.txn;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import java.util.List;
import java.util.Objects;

/**
 * The commands of the {@link CoordinatorMachine}: the coordinator's log of begin, decision and end.
 */
public sealed interface CoordinatorCommand
{
    /**
     * "I lead now, my driver takes over": appended by a member on becoming leader. Its log index becomes the driver
     * EPOCH. Replies the epoch.
     *
     * @param leader the member that became leader.
     */
    record Claim(ServerId leader) implements CoordinatorCommand
    {
        /** Checks that {@code leader} is not null. */
        public Claim
        {
            Objects.requireNonNull(leader, "leader");
        }
    }

    /**
     * Start a transaction (idempotent by id: a retry changes nothing). Replies its {@link Phase}.
     *
     * @param txId   chosen by the client, unique.
     * @param legs   its changes: at least two, none zero, summing to 0 (money moves, it is not made), the credits
     *               together at most {@link Long#MAX_VALUE}.
     * @param client process told with {@link TransferFinished} when it ends.
     */
    record Begin(String txId, List<Leg> legs, ProcessRef client) implements CoordinatorCommand
    {
        /** Checks the id, the client, and legs that balance without overflowing a {@code long}. */
        public Begin
        {
            Names.require(txId, "transaction id");
            Objects.requireNonNull(client, "client");
            legs = List.copyOf(Objects.requireNonNull(legs, "legs"));
            if (legs.size() < 2)
            {
                throw new IllegalArgumentException("transaction " + txId + " needs at least two legs, got " + legs);
            }
            long credits = 0;
            long debits = 0;
            try
            {
                for (final Leg leg : legs)
                {
                    if (leg.delta() > 0)
                    {
                        credits = Math.addExact(credits, leg.delta());
                    }
                    else
                    {
                        debits = Math.addExact(debits, leg.delta());
                    }
                }
            }
            catch (final ArithmeticException overflow)
            {
                // A plain sum wraps: credits of 2^64 would pass as 0. No account can hold that much anyway.
                throw new IllegalArgumentException("transaction " + txId + ": legs must move at most " +
                    Long.MAX_VALUE + ", got " + legs, overflow);
            }
            if (credits + debits != 0)
            {
                throw new IllegalArgumentException("transaction " + txId + ": legs must sum to 0, got " +
                    (credits + debits));
            }
        }
    }

    /**
     * Log the decision of a transaction that is still preparing; the FIRST decision wins, so a driver that was
     * replaced learns the decision its successor logged. Replies the resulting {@link Phase}, or {@code null} for an
     * unknown transaction.
     *
     * @param txId   of the transaction.
     * @param commit true to commit, false to abort.
     * @param reason of an abort, for the client (which participant refused and why, or the failover); empty for a
     *               commit.
     */
    record Decide(String txId, boolean commit, String reason) implements CoordinatorCommand
    {
        /** Checks the id and the reason. */
        public Decide
        {
            Names.require(txId, "transaction id");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Every participant applied the decision: the transaction ends, and its client is told. Replies the resulting
     * {@link Phase}, or {@code null} for an unknown transaction; changes nothing before a decision.
     *
     * @param txId of the transaction.
     */
    record Finish(String txId) implements CoordinatorCommand
    {
        /** Checks the id. */
        public Finish
        {
            Names.require(txId, "transaction id");
        }
    }
}
