package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memtable entries outside the object window are kept as WAL locations and read back from the WAL file: the same
 * entries come back, across overwrites, truncations, rollovers (files being flushed, then recycled) and restarts.
 */
class WalReadBackTest
{
    private static final ServerId A = new ServerId("a", "n1");

    @TempDir
    Path dir;

    private FileStorage storage(final int objectWindow)
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).segmentMaxEntries(64)
            .memTableObjectWindow(objectWindow).build();
    }

    private static List<LogEntry> readAll(final LogStore log)
    {
        final List<LogEntry> out = new ArrayList<>();
        log.read(log.firstIndex(), log.lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, out);
        return out;
    }

    private static List<LogEntry> padded(final long from, final long to, final long term)
    {
        final List<LogEntry> entries = new ArrayList<>();
        for (long i = from; i <= to; i++)
        {
            entries.add(entry(i, term, "entry " + i + " of term " + term + " " + "p".repeat(300)));
        }
        return entries;
    }

    @Test
    void entriesOutsideTheObjectWindowAreReadBackFromTheWal() throws Exception
    {
        try (FileStorage storage = storage(4))
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            for (long from = 1; from <= 91; from += 10)
            {
                log.append(range(from, from + 9, 1));
                assertThat(listener.awaitIndex(from + 9)).isTrue();
            }
            final ServerLog serverLog = storage.loadedLog(A);
            assertThat(serverLog.memTableSize()).isEqualTo(100);
            assertThat(serverLog.memTableObjectCount()).isEqualTo(4);
            assertThat(readAll(log)).isEqualTo(range(1, 100, 1));
            assertThat(log.entry(3)).isEqualTo(entry(3, 1));
            assertThat(log.term(50)).isEqualTo(1);
            final List<LogEntry> limited = new ArrayList<>();
            assertThat(log.read(10, 100, 5, Long.MAX_VALUE, limited)).isEqualTo(5);
            assertThat(limited).isEqualTo(range(10, 14, 1));
            limited.clear();
            assertThat(log.read(10, 100, 100, 1, limited)).as("at least one entry").isEqualTo(1);
            assertThat(limited).isEqualTo(range(10, 10, 1));
        }
    }

    @Test
    void overwrittenAndTruncatedEntriesAreReadBackAsTheyNowAre() throws Exception
    {
        final List<LogEntry> expected = new ArrayList<>();
        try (FileStorage storage = storage(0))
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            log.append(range(1, 50, 1));
            assertThat(listener.awaitIndex(50)).isTrue();
            log.append(range(30, 60, 2));
            assertThat(listener.awaitReport(60, 2)).isTrue();
            expected.addAll(range(1, 29, 1));
            expected.addAll(range(30, 60, 2));
            assertThat(readAll(log)).isEqualTo(expected);
            // Entries the log already holds, ending before its end: the log is cut after them (a TRUNCATE record).
            log.append(new ArrayList<>(expected.subList(0, 40)));
            expected.subList(40, expected.size()).clear();
            assertThat(log.lastIndex()).isEqualTo(40);
            assertThat(readAll(log)).isEqualTo(expected);
            log.append(range(41, 45, 3));
            assertThat(listener.awaitReport(45, 3)).isTrue();
            expected.addAll(range(41, 45, 3));
            assertThat(storage.loadedLog(A).memTableObjectCount()).isZero();
            assertThat(readAll(log)).isEqualTo(expected);
            assertThat(log.term(35)).isEqualTo(2);
        }
        try (FileStorage storage = storage(0))
        {
            assertThat(readAll(storage.open(A, new RecordingListener()).log())).isEqualTo(expected);
        }
    }

    @Test
    void readsRacingWithRolloversFlushesAndRecyclingSeeTheSameEntries() throws Exception
    {
        final List<LogEntry> expected = padded(1, 2000, 1);
        try (FileStorage storage = storage(0))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            final LogStore log = server.log();
            final AtomicLong appended = new AtomicLong();
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<Throwable> readerFailure = new AtomicReference<>();
            final Thread reader = new Thread(() ->
            {
                final Random random = new Random(7);
                final List<LogEntry> out = new ArrayList<>();
                try
                {
                    while (!done.get())
                    {
                        final long last = appended.get();
                        if (last == 0)
                        {
                            continue;
                        }
                        final long from = 1 + random.nextInt((int)last);
                        out.clear();
                        log.read(from, last, 200, Long.MAX_VALUE, out);
                        for (int i = 0; i < out.size(); i++)
                        {
                            assertThat(out.get(i)).isEqualTo(expected.get((int)from - 1 + i));
                        }
                    }
                }
                catch (final Throwable t)
                {
                    readerFailure.set(t);
                }
            }, "reader");
            reader.start();
            for (int from = 1; from <= 2000; from += 50)
            {
                log.append(expected.subList(from - 1, from + 49));
                appended.set(from + 49);
                assertThat(listener.awaitIndex(from + 49)).isTrue();
            }
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            done.set(true);
            reader.join();
            assertThat(readerFailure.get()).isNull();
            assertThat(storage.loadedLog(A).segmentFileCount()).as("flushed files").isGreaterThan(5);
            assertThat(storage.loadedLog(A).memTableSize()).as("entries read back from the WAL").isPositive();
            assertThat(readAll(log)).isEqualTo(expected);
        }
        try (FileStorage storage = storage(0))
        {
            assertThat(readAll(storage.open(A, new RecordingListener()).log())).isEqualTo(expected);
        }
    }

    /** The safety net before a WAL file is reused: entries still pointing into it become objects again. */
    @Test
    void entriesStillPointingIntoAFileAboutToBeReusedAreKeptInMemory() throws Exception
    {
        try (FileStorage storage = storage(0))
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            log.append(range(1, 10, 1));
            assertThat(listener.awaitIndex(10)).isTrue();
            final ServerLog serverLog = storage.loadedLog(A);
            assertThat(serverLog.memTableObjectCount()).isZero();
            serverLog.releaseWalFile(Long.MAX_VALUE - 1);
            assertThat(serverLog.memTableObjectCount()).isEqualTo(10);
            assertThat(readAll(log)).isEqualTo(range(1, 10, 1));
        }
    }
}
