package dev.ra.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The floor program's counterpart of ra-log's WAL mark: after each record's sync, a member writes a 32-byte head at
 * offset 512 and a 128-byte row at offset 4096 of a second file in one write (from offset 512 to the end of the row),
 * and syncs that file. The same system calls ra-log makes for its mark with one command in flight (one write
 * of the same bytes and one {@code fdatasync} of a second, preallocated file), and nothing else, so that the figures
 * with the mark have a floor making the same syncs.
 */
final class MarkFile implements AutoCloseable
{
    private static final int HEAD_OFFSET = 512;
    private static final int ROW_OFFSET = 4096;
    private static final int ROW_BYTES = 128;
    private static final int FILE_BYTES = 8192;

    private final FileChannel channel;
    /** The file from the head on: the head at 0, the row at {@code ROW_OFFSET - HEAD_OFFSET}. */
    private final ByteBuffer image = ByteBuffer.allocateDirect(ROW_OFFSET + ROW_BYTES - HEAD_OFFSET);

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
     * Record how far the member's file is synced: the head and the row in one write, then one sync.
     *
     * @param position where the member's synced records end.
     * @throws IOException on failure.
     */
    void write(final long position) throws IOException
    {
        image.clear();
        image.putLong(0, position);
        image.putLong(ROW_OFFSET - HEAD_OFFSET, position);
        channel.write(image, HEAD_OFFSET);
        channel.force(false);
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
