package dev.ra.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The floor program's counterpart of ra-log's WAL mark: after each record's sync, a member writes a 128-byte row at
 * offset 4096 and a 32-byte head at offset 512 of a second file, and syncs that file. The same system calls ra-log
 * makes for its mark with one command in flight (two writes and one {@code fdatasync} of a second, preallocated file),
 * and nothing else, so that the figures with the mark have a floor making the same syncs.
 */
final class MarkFile implements AutoCloseable
{
    private static final int HEAD_OFFSET = 512;
    private static final int ROW_OFFSET = 4096;
    private static final int FILE_BYTES = 8192;

    private final FileChannel channel;
    private final ByteBuffer row = ByteBuffer.allocateDirect(128);
    private final ByteBuffer head = ByteBuffer.allocateDirect(32);

    private MarkFile(final FileChannel channel)
    {
        this.channel = channel;
    }

    /**
     * @param file the member's record file; the mark is {@code file.mark} beside it, preallocated here.
     * @return the mark, or null if the member keeps none ({@link ReplicatedWriteFloor#MARK_PROPERTY}).
     * @throws IOException if the file cannot be made.
     */
    static MarkFile openIfKept(final Path file) throws IOException
    {
        if (!Boolean.getBoolean(ReplicatedWriteFloor.MARK_PROPERTY))
        {
            return null;
        }
        final Path mark = file.resolveSibling(file.getFileName() + ".mark");
        ReplicatedWriteFloor.preallocate(mark, FILE_BYTES);
        return new MarkFile(ReplicatedWriteFloor.open(mark));
    }

    /**
     * Record how far the member's file is synced: the row, then the head, then one sync.
     *
     * @param position where the member's synced records end.
     * @throws IOException on failure.
     */
    void write(final long position) throws IOException
    {
        row.clear();
        row.putLong(0, position);
        channel.write(row, ROW_OFFSET);
        head.clear();
        head.putLong(0, position);
        channel.write(head, HEAD_OFFSET);
        channel.force(false);
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
