package dev.ra.examples.txn;

/**
 * What a {@link DriverHost}'s thread runs for one epoch: passes over the coordinator's unfinished transactions while
 * its member leads that epoch. {@link TransferDriver} is the real one.
 */
interface DriverPasses
{
    /**
     * @return whether the member still leads with this driver's epoch (true when it cannot tell: a pass will).
     */
    boolean isCurrent();

    /**
     * Drive every unfinished transaction once, as far as it goes.
     *
     * @throws RuntimeException if the pass could not run at all (the member's state could not be read).
     */
    void runOnce();
}
