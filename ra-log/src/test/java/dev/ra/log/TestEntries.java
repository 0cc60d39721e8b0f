package dev.ra.log;

import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
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

    static String text(final LogEntry entry)
    {
        return new String(((UserCommand)entry.payload()).dataIfEncoded().unsafeArray(), StandardCharsets.UTF_8);
    }
}
