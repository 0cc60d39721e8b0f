package dev.ra.log;

/**
 * Lets latency-sensitive threads run while a long background task uses the processor and the device: the task reports
 * the bytes it has worked through, and every 16 KiB of them it yields; before each of its syncs it waits while a WAL
 * sync is in progress (see {@link WalSyncGate}). Its writes do not wait: those through the page cache only copy, and
 * direct ones are on the device when they return, so neither leaves the device a backlog for a WAL sync.
 *
 * <p>Why yield: a WAL flush is a second or so of copying and checksumming a whole WAL file. On a machine with few cores
 * the scheduler let it run for milliseconds at a time while the WAL writer, woken by the end of a sync, waited for a
 * core: measured on 2 cores, the WAL writer spent 50-70 % of its time in the run queue during a flush (10 % otherwise),
 * and that was most of the tail of the append-to-durable latency. A yield per 16 KiB (some tens of microseconds of
 * work) costs one system call. Not thread safe: one per thread.
 */
final class GiveWay
{
    private static final int BYTES_BETWEEN_YIELDS = 16 << 10;

    private final WalSyncGate gate;
    private final boolean yields;
    private int sinceYield;

    /**
     * @param gate   tells when a WAL sync is in progress; null: never wait for one.
     * @param yields whether to yield the processor every 16 KiB (false when writing in a hurry, on several threads).
     */
    GiveWay(final WalSyncGate gate, final boolean yields)
    {
        this.gate = gate;
        this.yields = yields;
    }

    /**
     * @param bytes just worked through.
     */
    void worked(final int bytes)
    {
        sinceYield += bytes;
        if (sinceYield >= BYTES_BETWEEN_YIELDS)
        {
            sinceYield = 0;
            if (yields)
            {
                Thread.yield();
            }
        }
    }

    /**
     * Before a sync of the background task: let a WAL sync in progress end first (bounded).
     */
    void beforeSync()
    {
        if (null != gate)
        {
            gate.awaitNoSync();
        }
    }
}
