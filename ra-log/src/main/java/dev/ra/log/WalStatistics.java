package dev.ra.log;

import dev.ra.stats.LatencySnapshot;

/**
 * Counters of a storage's write-ahead log since it was opened, for monitoring and benchmarks.
 *
 * @param batches           written, each with one write call and (with {@link SyncMethod#DATASYNC}) one sync.
 * @param records           written, entries plus control records.
 * @param bytes             written, headers included.
 * @param segmentFlushes    full WAL files whose content was moved into segment files while the storage ran (those
 *                          recovered at opening are not counted).
 * @param backPressureWaits times the WAL writer stopped writing because too many full WAL files awaited the segment
 *                          writer (the disk cannot keep up; acknowledgements pause meanwhile).
 * @param syncLatency       how long each batch's sync took (empty with {@link SyncMethod#NONE}).
 */
public record WalStatistics(long batches, long records, long bytes, long segmentFlushes, long backPressureWaits,
    LatencySnapshot syncLatency)
{
    /**
     * @return records per batch on average, so per sync with {@link SyncMethod#DATASYNC}; 0 before the first batch.
     */
    public double recordsPerBatch()
    {
        return batches == 0 ? 0 : (double)records / batches;
    }
}
