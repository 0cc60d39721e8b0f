package dev.ra.log;

/**
 * Lets latency-sensitive threads run while a long background task uses the processor: the task reports the bytes it
 * has worked through, and every 16 KiB of them it yields.
 *
 * <p>Why: a WAL flush is a second or so of copying and checksumming a whole WAL file. On a machine with few cores the
 * scheduler let it run for milliseconds at a time while the WAL writer, woken by the end of a sync, waited for a core:
 * measured on 2 cores, the WAL writer spent 50-70 % of its time in the run queue during a flush (10 % otherwise), and
 * that was most of the tail of the append-to-durable latency. A yield per 16 KiB (some tens of microseconds of work)
 * costs one system call. Not thread safe: one per thread.
 */
final class GiveWay
{
    private static final int BYTES_BETWEEN_YIELDS = 16 << 10;

    private int sinceYield;

    /**
     * @param bytes just worked through.
     */
    void worked(final int bytes)
    {
        sinceYield += bytes;
        if (sinceYield >= BYTES_BETWEEN_YIELDS)
        {
            sinceYield = 0;
            Thread.yield();
        }
    }
}
