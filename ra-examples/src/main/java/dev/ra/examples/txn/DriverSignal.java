package dev.ra.examples.txn;

import dev.ra.ServerId;
import java.util.Objects;

/**
 * The argument of the {@link dev.ra.Effect.ModCall} with which the coordinator asks the leader's node to run (or wake)
 * its {@link TransferDriver}.
 *
 * @param leader the member whose claim made it the driver; a node that does not host it ignores the call.
 * @param epoch  of that claim; a newer epoch replaces the running driver.
 */
public record DriverSignal(ServerId leader, long epoch)
{
    /** Checks that {@code leader} is not null. */
    public DriverSignal
    {
        Objects.requireNonNull(leader, "leader");
    }
}
