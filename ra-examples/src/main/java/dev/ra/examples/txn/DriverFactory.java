package dev.ra.examples.txn;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.util.Map;

/**
 * Makes the driver a {@link DriverHost} runs for an epoch; {@code TransferDriver::new} outside tests.
 */
@FunctionalInterface
interface DriverFactory
{
    /**
     * @param system       the system the driver works through.
     * @param localMember  the coordinator member on this node.
     * @param epoch        the driver's epoch.
     * @param participants a client of each participant cluster, by name.
     * @param checkpoint   told at the protocol's critical points.
     * @return the driver.
     */
    DriverPasses create(RaSystem system, ServerId localMember, long epoch, Map<String, ParticipantClient> participants,
        DriverCheckpoint checkpoint);
}
