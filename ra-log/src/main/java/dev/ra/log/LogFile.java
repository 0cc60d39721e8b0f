package dev.ra.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One open file of the {@link FileLayer}: positional reads and writes, size, truncate and data sync. Positional reads
 * are thread-safe; writes come from one thread at a time.
 */
interface LogFile extends Closeable
{
    /**
     * Read into {@code dst} from {@code position} until it is full or the file ends.
     *
     * @param dst      to fill.
     * @param position in the file.
     * @return bytes read; fewer than requested only at the end of the file.
     * @throws IOException on failure.
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Write all of {@code src} at {@code position}.
     *
     * @param src      bytes to write.
     * @param position in the file.
     * @throws IOException on failure, e.g. a full disk.
     */
    void write(ByteBuffer src, long position) throws IOException;

    /**
     * @return the current size in bytes.
     * @throws IOException on failure.
     */
    long size() throws IOException;

    /**
     * @param size to cut the file to.
     * @throws IOException on failure.
     */
    void truncate(long size) throws IOException;

    /**
     * Make the file's data durable ({@code fdatasync}); returns AFTER it is.
     *
     * @throws IOException on failure, which is fatal: the page cache can no longer be trusted.
     */
    void force() throws IOException;

    @Override
    void close() throws IOException;
}
