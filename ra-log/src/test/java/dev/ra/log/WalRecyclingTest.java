package dev.ra.log;

import static dev.ra.log.TestEntries.appendPadded;
import static dev.ra.log.TestEntries.padded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flushed WAL files are kept as spares and overwritten in place as later WAL files (the same inodes come back), a
 * fresh directory gets a prepared spare before its first rollover, and sequences keep growing across restarts.
 */
class WalRecyclingTest
{
    private static final ServerId A = new ServerId("a", "n1");
    private static final long WAL_SIZE = 64 << 10;

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(WAL_SIZE).segmentMaxEntries(64).build();
    }

    private List<String> walDirectory() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Object inode(final String name) throws IOException
    {
        return Files.getAttribute(dir.resolve("wal").resolve(name), "unix:ino");
    }


    @Test
    void flushedFilesComeBackAsLaterWalFiles() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            long next = 1;
            // Half a file: a spare of zeros is prepared for the first rollover.
            while (next < 120)
            {
                next = appendPadded(log, listener, next, 10, 300);
            }
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            assertThat(walDirectory()).containsExactlyInAnyOrder(WalFormat.fileName(1),
                WalFormat.spareName(WalFiles.ZEROED_SPARE));
            final Object zeroed = inode(WalFormat.spareName(WalFiles.ZEROED_SPARE));
            while (!walDirectory().contains(WalFormat.fileName(2)))
            {
                next = appendPadded(log, listener, next, 10, 300);
            }
            assertThat(inode(WalFormat.fileName(2))).isEqualTo(zeroed);
            final Set<Object> inodes = new HashSet<>();
            inodes.add(inode(WalFormat.fileName(1)));
            inodes.add(zeroed);
            while (!walDirectory().contains(WalFormat.fileName(8)))
            {
                next = appendPadded(log, listener, next, 10, 300);
                assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
                for (final String name : walDirectory())
                {
                    inodes.add(inode(name));
                }
            }
            assertThat(inodes).as("WAL files are overwritten, not created anew").hasSizeLessThanOrEqualTo(4);
            final List<String> names = walDirectory();
            assertThat(names).contains(WalFormat.fileName(8));
            assertThat(names.stream().filter(n -> WalFormat.spareSequenceOf(n) >= 0).count()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void sequencesStayAboveEverySpareAcrossRestarts() throws Exception
    {
        long next = 1;
        for (int run = 0; run < 3; run++)
        {
            try (FileStorage storage = storage())
            {
                final RecordingListener listener = new RecordingListener();
                final LogStore log = storage.open(A, listener).log();
                assertThat(log.lastIndex()).isEqualTo(next - 1);
                final long until = next + 400;
                while (next < until)
                {
                    next = appendPadded(log, listener, next, 20, 300);
                }
                assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            }
        }
        long highestSpare = -1;
        long lowestWal = Long.MAX_VALUE;
        for (final String name : walDirectory())
        {
            highestSpare = Math.max(highestSpare, WalFormat.spareSequenceOf(name));
            final long sequence = WalFormat.sequenceOf(name);
            lowestWal = sequence >= 0 ? Math.min(lowestWal, sequence) : lowestWal;
        }
        assertThat(highestSpare).isPositive();
        assertThat(lowestWal).isGreaterThan(highestSpare);
        try (FileStorage storage = storage())
        {
            final LogStore log = storage.open(A, new RecordingListener()).log();
            final List<LogEntry> all = new ArrayList<>();
            log.read(1, log.lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, all);
            assertThat(all).hasSize((int)(next - 1));
            assertThat(all.get((int)next - 2)).isEqualTo(padded(next - 1, 300));
        }
    }
}
