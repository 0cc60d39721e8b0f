package dev.ra.log;

import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds log entries whose payload identifies them, for tests.
 */
final class TestEntries
{
    private TestEntries()
    {
    }

    static LogEntry entry(final long index, final long term, final String text)
    {
        return new LogEntry(index, term, 1000 + index, UserCommand.ofData(Bytes.wrap(text.getBytes(
            StandardCharsets.UTF_8))));
    }

    static LogEntry entry(final long index, final long term)
    {
        return entry(index, term, "e" + index + "t" + term);
    }

    static List<LogEntry> range(final long from, final long to, final long term)
    {
        final List<LogEntry> entries = new ArrayList<>();
        for (long i = from; i <= to; i++)
        {
            entries.add(entry(i, term));
        }
        return entries;
    }

    /**
     * @return an entry of term 1 whose payload names its index, padded to about {@code padding} more bytes.
     */
    static LogEntry padded(final long index, final int padding)
    {
        return entry(index, 1, "entry " + index + " " + "p".repeat(padding));
    }

    /**
     * Append {@code count} {@link #padded} entries from {@code from} on and wait until they are durable.
     *
     * @return the index after the last one appended.
     */
    static long appendPadded(final LogStore log, final RecordingListener listener, final long from, final int count,
        final int padding) throws InterruptedException
    {
        final List<LogEntry> entries = new ArrayList<>();
        for (long i = from; i < from + count; i++)
        {
            entries.add(padded(i, padding));
        }
        log.append(entries);
        if (!listener.awaitIndex(from + count - 1))
        {
            throw new AssertionError("entries up to " + (from + count - 1) + " not reported durable");
        }
        return from + count;
    }

    static String text(final LogEntry entry)
    {
        return new String(((UserCommand)entry.payload()).dataIfEncoded().unsafeArray(), StandardCharsets.UTF_8);
    }
}
