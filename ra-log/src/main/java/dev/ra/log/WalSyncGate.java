package dev.ra.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells the segment writer when a sync that acknowledgements wait for (a WAL batch's, the WAL mark's) is in progress,
 * so that it holds back its own syncs until it ends.
 *
 * <p>Why: a WAL {@code fdatasync} queues behind whatever the device is writing when it is issued. The segment writer
 * moving a full WAL file into segments writes tens of megabytes; measured at half the WAL's maximum throughput, most
 * appends slower than 2 ms waited on its I/O. Issuing its syncs between the WAL's (and bounding what it leaves in
 * the page cache, see {@link SegmentBuilder} and {@link SegmentBatch}) keeps the device's queue short when a WAL sync
 * arrives. A sync waits only for the WAL syncs in progress when it is issued, at most {@link #MAX_WAIT_NANOS}, so a
 * WAL that syncs back to back cannot starve the segment writer, which must keep up. Thread-safe.
 */
final class WalSyncGate
{
    /** Longest a segment writer's sync waits for the syncs in progress to end. */
    static final long MAX_WAIT_NANOS = 2_000_000;
    private static final long PARK_NANOS = 20_000;

    private final AtomicLong started = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();

    /** A sync acknowledgements wait for starts. */
    void syncStarts()
    {
        started.incrementAndGet();
    }

    /** That sync ended (also when it failed). */
    void syncEnds()
    {
        ended.incrementAndGet();
    }

    /**
     * @return whether such a sync is in progress.
     */
    boolean syncInProgress()
    {
        return ended.get() < started.get();
    }

    /**
     * Segment writer: wait until the syncs in progress now have ended, at most {@link #MAX_WAIT_NANOS}. Syncs that
     * start meanwhile are not waited for: under load the WAL syncs back to back, and the segment writer must still
     * get its turn between them.
     */
    void awaitNoSync()
    {
        final long inProgress = started.get();
        if (ended.get() >= inProgress)
        {
            return;
        }
        final long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (ended.get() < inProgress && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(PARK_NANOS);
        }
    }
}
