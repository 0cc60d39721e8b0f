/**
 * On-disk storage for Ra: {@link dev.ra.log.FileStorage} implements {@link dev.ra.spi.Storage} with one write-ahead
 * log shared by all servers of a node (a single writer thread, group commit), per-server memtables and immutable
 * segment files, snapshots, a meta store for term, vote and last applied, and crash recovery that cuts a torn tail but
 * refuses to skip damaged acknowledged data.
 *
 * <p>Only {@link dev.ra.log.FileStorage}, its builder, {@link dev.ra.log.SyncMethod} and
 * {@link dev.ra.log.WalStatistics} are public; every file format stays inside this package and is documented in
 * {@code docs/log-format.md}.
 */
package dev.ra.log;
