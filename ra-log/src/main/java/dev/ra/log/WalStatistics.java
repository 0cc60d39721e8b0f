package dev.ra.log;

/**
 * Counters of a storage's write-ahead log since it was opened, for monitoring and benchmarks.
 *
 * @param batches written, each with one write call and (with {@link SyncMethod#DATASYNC}) one sync.
 * @param records written, entries plus control records.
 * @param bytes   written, headers included.
 */
public record WalStatistics(long batches, long records, long bytes)
{
}
