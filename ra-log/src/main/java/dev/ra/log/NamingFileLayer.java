package dev.ra.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A file layer whose open files put their path in their I/O errors. The operating system's messages for a read,
 * write or sync that fails ("Input/output error", "No space left on device") name no file, and a node holds thousands
 * of them: the WAL files, the mark, and each server's segments, snapshots and meta files. Opening a file already
 * names it.
 */
final class NamingFileLayer implements FileLayer
{
    private final FileLayer delegate;

    private NamingFileLayer(final FileLayer delegate)
    {
        this.delegate = delegate;
    }

    /**
     * @param layer to wrap.
     * @return a layer whose files name themselves in their errors (the layer itself if it does already).
     */
    static FileLayer wrap(final FileLayer layer)
    {
        return layer instanceof NamingFileLayer ? layer : new NamingFileLayer(layer);
    }

    @Override
    public LogFile open(final Path path, final boolean create) throws IOException
    {
        return new NamedFile(path, delegate.open(path, create));
    }

    @Override
    public LogFile openDirect(final Path path, final int alignment) throws IOException
    {
        final LogFile file = delegate.openDirect(path, alignment);
        return null == file ? null : new NamedFile(path, file);
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
    public boolean exists(final Path path)
    {
        return delegate.exists(path);
    }

    @Override
    public int linkCount(final Path path) throws IOException
    {
        return delegate.linkCount(path);
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
        try
        {
            delegate.syncDirectory(dir);
        }
        catch (final IOException ex)
        {
            throw named(dir, "directory sync", ex);
        }
    }

    private static IOException named(final Path path, final String operation, final IOException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        return message.contains(path.toString()) ? ex :
            new IOException(path + ": " + operation + " failed: " + message, ex);
    }

    private static final class NamedFile implements LogFile
    {
        private final Path path;
        private final LogFile file;

        NamedFile(final Path path, final LogFile file)
        {
            this.path = path;
            this.file = file;
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            try
            {
                return file.read(dst, position);
            }
            catch (final IOException ex)
            {
                throw named(path, "read at offset " + position, ex);
            }
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            try
            {
                file.write(src, position);
            }
            catch (final IOException ex)
            {
                throw named(path, "write at offset " + position, ex);
            }
        }

        @Override
        public long size() throws IOException
        {
            try
            {
                return file.size();
            }
            catch (final IOException ex)
            {
                throw named(path, "size", ex);
            }
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            try
            {
                file.truncate(size);
            }
            catch (final IOException ex)
            {
                throw named(path, "truncation to " + size + " bytes", ex);
            }
        }

        @Override
        public void force() throws IOException
        {
            try
            {
                file.force();
            }
            catch (final IOException ex)
            {
                throw named(path, "sync", ex);
            }
        }

        @Override
        public void close() throws IOException
        {
            file.close();
        }
    }
}
