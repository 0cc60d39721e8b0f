package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogReader;
import dev.ra.spi.LogStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Entries are collected for a message (or for applying) bounded in command bytes as well as in count, from the store
 * and from the unflushed tail alike, and at least one entry is always collected: a run of large entries then goes out
 * a bounded batch at a time, and no AppendEntries message exceeds the transport's frame limit.
 */
class RaftLogByteLimitTest
{
    private static final int MIB = 1024 * 1024;

    @Test
    void collectStopsAtTheByteLimitButAlwaysTakesOneEntry()
    {
        // Ten 3 MiB entries in the store (which ignores the soft limit, as it may), ten more appended unflushed.
        final List<LogEntry> stored = new ArrayList<>();
        for (int i = 1; i <= 10; i++)
        {
            stored.add(entry(i, 3 * MIB));
        }
        final RaftLog log = new RaftLog(new ListReader(stored), 0, 0);
        for (int i = 11; i <= 20; i++)
        {
            log.appendNew(entry(i, 3 * MIB));
        }

        assertThat(collect(log, 1, 20, 128, 8 * MIB)).containsExactly(1L, 2L);
        assertThat(collect(log, 9, 20, 128, 8 * MIB)).containsExactly(9L, 10L);
        assertThat(collect(log, 11, 20, 128, 8 * MIB)).containsExactly(11L, 12L);
        assertThat(collect(log, 1, 20, 128, MIB)).as("one entry above the limit still goes").containsExactly(1L);
        assertThat(collect(log, 15, 20, 128, MIB)).containsExactly(15L);
        assertThat(collect(log, 1, 20, 3, Long.MAX_VALUE)).containsExactly(1L, 2L, 3L);
    }

    private static List<Long> collect(final RaftLog log, final long from, final long to, final int max,
        final long maxBytes)
    {
        final List<LogEntry> out = new ArrayList<>();
        log.collect(from, to, max, maxBytes, out);
        return out.stream().map(LogEntry::index).toList();
    }

    private static LogEntry entry(final long index, final int bytes)
    {
        return new LogEntry(index, 1, 0, UserCommand.ofData(Bytes.wrap(new byte[bytes])));
    }

    /** A store that reads every entry asked for, ignoring the soft byte limit. */
    private record ListReader(List<LogEntry> entries) implements LogReader
    {
        @Override
        public long firstIndex()
        {
            return 1;
        }

        @Override
        public long lastIndex()
        {
            return entries.size();
        }

        @Override
        public long lastWrittenIndex()
        {
            return entries.size();
        }

        @Override
        public long term(final long index)
        {
            return index >= 1 && index <= entries.size() ? 1 : LogStore.UNKNOWN_TERM;
        }

        @Override
        public LogEntry entry(final long index)
        {
            return index >= 1 && index <= entries.size() ? entries.get((int)index - 1) : null;
        }

        @Override
        public int read(final long fromIndex, final long toIndex, final int maxEntries, final long maxBytes,
            final List<LogEntry> out)
        {
            int read = 0;
            for (long i = fromIndex; i <= Math.min(toIndex, entries.size()) && read < maxEntries; i++, read++)
            {
                out.add(entries.get((int)i - 1));
            }
            return read;
        }
    }
}
