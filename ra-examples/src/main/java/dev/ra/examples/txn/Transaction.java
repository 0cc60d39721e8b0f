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
 */
public record Transaction(List<Leg> legs, long epoch, Phase phase, ProcessRef client)
{
    /** Checks that the legs, phase and client are not null. */
    public Transaction
    {
        Objects.requireNonNull(legs, "legs");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(client, "client");
    }

    /**
     * @param next phase.
     * @return this transaction in that phase.
     */
    public Transaction in(final Phase next)
    {
        return new Transaction(legs, epoch, next, client);
    }
}
