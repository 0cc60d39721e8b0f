package dev.ra.examples.txn;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;

/**
 * A transaction in the coordinator's log.
 *
 * @param legs   its changes, in order.
 * @param epoch  of the driver that was current when it began (see {@link CoordinatorMachine}).
 * @param phase  where it stands.
 * @param client process told when it ends.
 * @param reason why it aborts, once the decision is to abort; empty otherwise.
 */
public record Transaction(List<Leg> legs, long epoch, Phase phase, ProcessRef client, String reason)
{
    /** Checks that the legs, phase, client and reason are not null. */
    public Transaction
    {
        Objects.requireNonNull(legs, "legs");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param next phase.
     * @return this transaction in that phase.
     */
    public Transaction in(final Phase next)
    {
        return new Transaction(legs, epoch, next, client, reason);
    }

    /**
     * @param decision  {@link Phase#COMMITTING} or {@link Phase#ABORTING}.
     * @param why       the decision, for an abort.
     * @return this transaction with its decision.
     */
    public Transaction decided(final Phase decision, final String why)
    {
        return new Transaction(legs, epoch, decision, client, decision.commits() ? "" : why);
    }
}
