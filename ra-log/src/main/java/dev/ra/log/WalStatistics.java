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
 * @param segmentWrites     servers' shares of those files written into their segments (one per server with records
 *                          in a file).
 * @param hurriedSegmentWrites of those, the ones written in a hurry: in parallel on the segment writer's I/O pool and
 *                          without giving way to the WAL writer, because another full WAL file was already waiting.
 *                          A large share means the disk barely keeps up with the WAL's rate: the WAL's syncs then
 *                          queue behind the segment writer's parallel writes and syncs, and the append-to-durable
 *                          tail grows (docs/benchmarks.md, "ra-log").
 * @param segmentFilesOverSpares segment files written over a spare (a file compaction dropped, see
 *                          {@link FileStorage.Builder#segmentSpareBytes}) instead of created.
 * @param backPressureWaits times the WAL writer stopped writing because too many full WAL files awaited the segment
 *                          writer (the disk cannot keep up; acknowledgements pause meanwhile).
 * @param syncLatency       how long each batch's sync took (empty with {@link SyncMethod#NONE}).
 */
public record WalStatistics(long batches, long records, long bytes, long segmentFlushes, long segmentWrites,
    long hurriedSegmentWrites, long segmentFilesOverSpares, long backPressureWaits, LatencySnapshot syncLatency)
{
    /**
     * @return records per batch on average, so per sync with {@link SyncMethod#DATASYNC}; 0 before the first batch.
     */
    public double recordsPerBatch()
    {
        return batches == 0 ? 0 : (double)records / batches;
    }
}
