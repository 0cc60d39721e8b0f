package dev.ra.spi;

/**
 * The storage of one server: its log, its metadata and its snapshots.
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
