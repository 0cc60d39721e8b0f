package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogReader;
import dev.ra.spi.LogStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Durability reports reach the core after the fact: the runtime coalesces them and the core may have overwritten the
 * reported entry since (a follower dropping a divergent suffix). A report names the entry by index and term, and one
 * for an entry the log no longer holds must not make the entry now at that index count as durable: the follower would
 * acknowledge, and the leader count, an entry that is not on disk.
 */
class RaftLogDurabilityTest
{
    @Test
    void aReportForAnOverwrittenEntryDoesNotMakeItsReplacementDurable()
    {
        final RaftLog log = new RaftLog(new EmptyReader(), 0, 0);
        log.appendNew(entry(1, 1));
        log.appendNew(entry(2, 1));
        log.appendNew(entry(3, 1));
        assertThat(log.takeUnflushed()).hasSize(3);
        assertThat(log.markWritten(2, 1)).isTrue();

        // Entry 3 of term 1 is overwritten by entry 3 of term 2, which the runtime is asked to write.
        log.truncateFrom(3);
        log.appendNew(entry(3, 2));
        assertThat(log.takeUnflushed()).containsExactly(entry(3, 2));

        assertThat(log.markWritten(3, 1)).as("the report of the entry 3 of term 1").isFalse();
        assertThat(log.lastWritten()).as("durable while the entry 3 of term 2 is not written").isEqualTo(2);
        assertThat(log.markWritten(3, 2)).isTrue();
        assertThat(log.lastWritten()).isEqualTo(3);
    }

    private static LogEntry entry(final long index, final long term)
    {
        return new LogEntry(index, term, 0, UserCommand.ofData(Bytes.wrap(new byte[] {(byte)index, (byte)term})));
    }

    /** A store that holds nothing yet. */
    private static final class EmptyReader implements LogReader
    {
        @Override
        public long firstIndex()
        {
            return 1;
        }

        @Override
        public long lastIndex()
        {
            return 0;
        }

        @Override
        public long lastWrittenIndex()
        {
            return 0;
        }

        @Override
        public long term(final long index)
        {
            return index == 0 ? LogStore.NO_TERM : LogStore.UNKNOWN_TERM;
        }

        @Override
        public LogEntry entry(final long index)
        {
            return null;
        }

        @Override
        public int read(final long fromIndex, final long toIndex, final int maxEntries, final long maxBytes,
            final List<LogEntry> out)
        {
            return 0;
        }
    }
}
