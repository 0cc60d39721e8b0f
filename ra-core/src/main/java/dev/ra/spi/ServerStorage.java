package dev.ra.spi;

/**
 * The storage of one server: its log, its metadata and its snapshots.
 *
 * <p>When opened, the log continues after the newest snapshot if that snapshot is ahead of it: its
 * {@link LogStore#lastIndex()} is at least the snapshot's index, and the next append may start right after the
 * snapshot. This happens without any damage: a member may apply an entry a quorum of others made durable, and take a
 * snapshot of it, before its own copy is durable; a crash then loses the copy but not the snapshot.
 */
public interface ServerStorage extends AutoCloseable
{
    /**
     * @return the log.
     */
    LogStore log();

    /**
     * @return the metadata store.
     */
    MetaStore meta();

    /**
     * @return the snapshot store.
     */
    SnapshotStore snapshots();

    /**
     * Release the server's resources; like a crash for anything not yet durable.
     */
    @Override
    void close();
}
