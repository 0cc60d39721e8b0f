package dev.ra.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The real file system, for reading only: files open without write access and every operation that would change
 * the directory fails. What {@link DataDirectoryReader} reads through, so that reading a data directory (even one a
 * running node is using) can never modify it. Stateless and thread-safe.
 */
final class ReadOnlyFileLayer implements FileLayer
{
    /** The single instance. */
    static final ReadOnlyFileLayer INSTANCE = new ReadOnlyFileLayer();

    private ReadOnlyFileLayer()
    {
    }

    @Override
    public LogFile open(final Path path, final boolean create) throws IOException
    {
        if (create)
        {
            throw readOnly("create " + path);
        }
        return new ReadOnlyFile(FileChannel.open(path, StandardOpenOption.READ));
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        throw readOnly("create " + dir);
    }

    @Override
    public List<String> list(final Path dir) throws IOException
    {
        return RealFileLayer.INSTANCE.list(dir);
    }

    @Override
    public boolean exists(final Path path)
    {
        return RealFileLayer.INSTANCE.exists(path);
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        throw readOnly("delete " + path);
    }

    @Override
    public void move(final Path from, final Path to) throws IOException
    {
        throw readOnly("rename " + from);
    }

    @Override
    public Closeable lock(final Path path) throws IOException
    {
        throw readOnly("lock " + path);
    }

    @Override
    public void syncDirectory(final Path dir)
    {
        // nothing was changed, so there is nothing to make durable
    }

    private static IOException readOnly(final String what)
    {
        return new IOException("read-only access: refusing to " + what);
    }

    private static final class ReadOnlyFile implements LogFile
    {
        private final FileChannel channel;

        ReadOnlyFile(final FileChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return RealFileLayer.readAt(channel, dst, position);
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            throw readOnly("write");
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            throw readOnly("truncate");
        }

        @Override
        public void force()
        {
            // nothing written
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
