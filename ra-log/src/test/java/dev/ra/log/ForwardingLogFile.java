package dev.ra.log;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An open file that forwards every call to another one: a test extends it and overrides only what it counts, checks
 * or holds up.
 */
class ForwardingLogFile implements LogFile
{
    private final LogFile delegate;

    /**
     * @param delegate what every call goes to.
     */
    ForwardingLogFile(final LogFile delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public int read(final ByteBuffer dst, final long position) throws IOException
    {
        return delegate.read(dst, position);
    }

    @Override
    public void write(final ByteBuffer src, final long position) throws IOException
    {
        delegate.write(src, position);
    }

    @Override
    public long size() throws IOException
    {
        return delegate.size();
    }

    @Override
    public void truncate(final long size) throws IOException
    {
        delegate.truncate(size);
    }

    @Override
    public void force() throws IOException
    {
        delegate.force();
    }

    @Override
    public void close() throws IOException
    {
        delegate.close();
    }
}
