package dev.ra.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A file layer that forwards every call to another one: a test extends it and overrides only what it counts, checks
 * or holds up (wrapping the files it opens in a {@link ForwardingLogFile} to watch their reads, writes and syncs).
 */
class ForwardingFileLayer implements FileLayer
{
    private final FileLayer delegate;

    /**
     * Forward to the real file system.
     */
    ForwardingFileLayer()
    {
        this(RealFileLayer.INSTANCE);
    }

    /**
     * @param delegate what every call goes to.
     */
    ForwardingFileLayer(final FileLayer delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public LogFile open(final Path path, final boolean create) throws IOException
    {
        return delegate.open(path, create);
    }

    @Override
    public LogFile openDirect(final Path path, final int alignment) throws IOException
    {
        return delegate.openDirect(path, alignment);
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        delegate.createDirectories(dir);
    }

    @Override
    public List<String> list(final Path dir) throws IOException
    {
        return delegate.list(dir);
    }

    @Override
    public int linkCount(final Path path) throws IOException
    {
        return delegate.linkCount(path);
    }

    @Override
    public boolean exists(final Path path)
    {
        return delegate.exists(path);
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        delegate.delete(path);
    }

    @Override
    public void move(final Path from, final Path to) throws IOException
    {
        delegate.move(from, to);
    }

    @Override
    public Closeable lock(final Path path) throws IOException
    {
        return delegate.lock(path);
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        delegate.syncDirectory(dir);
    }
}
