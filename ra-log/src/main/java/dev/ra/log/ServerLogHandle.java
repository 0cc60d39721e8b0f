package dev.ra.log;

import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogStore;
import java.util.List;

/**
 * One open server's handle on its {@link ServerLog}, which outlives it: a re-open of the server in the same storage
 * gets the same log. A write through the handle of an earlier open (an append, truncation or reset from code that
 * kept it after the close) would otherwise land in the log of the server opened since, under it; so every write is
 * refused once the handle is closed, and closing it again does not detach the log of a later open. Reads stay
 * allowed.
 */
final class ServerLogHandle implements LogStore
{
    private final ServerLog log;
    private volatile boolean closed;

    ServerLogHandle(final ServerLog log)
    {
        this.log = log;
    }

    ServerLog log()
    {
        return log;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("log of " + log.directory().id() + " is closed (this handle is of an " +
                "earlier open of the server)");
        }
    }

    @Override
    public long firstIndex()
    {
        return log.firstIndex();
    }

    @Override
    public long lastIndex()
    {
        return log.lastIndex();
    }

    @Override
    public long lastWrittenIndex()
    {
        return log.lastWrittenIndex();
    }

    @Override
    public long term(final long index)
    {
        return log.term(index);
    }

    @Override
    public LogEntry entry(final long index)
    {
        return log.entry(index);
    }

    @Override
    public int read(final long fromIndex, final long toIndex, final int maxEntries, final long maxBytes,
        final List<LogEntry> out)
    {
        return log.read(fromIndex, toIndex, maxEntries, maxBytes, out);
    }

    @Override
    public void append(final List<LogEntry> entries)
    {
        checkOpen();
        log.append(entries);
    }

    @Override
    public void appendInRound(final List<LogEntry> entries)
    {
        checkOpen();
        log.appendInRound(entries);
    }

    @Override
    public void writeIfIdle()
    {
        if (!closed)
        {
            log.writeIfIdle();
        }
    }

    @Override
    public void truncateUpTo(final long index)
    {
        checkOpen();
        log.truncateUpTo(index);
    }

    @Override
    public void resetTo(final long index, final long term)
    {
        checkOpen();
        log.resetTo(index, term);
    }

    /**
     * Stop accepting writes; the log is detached unless this handle was closed already (a later open may own it).
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            log.detach();
        }
    }
}
