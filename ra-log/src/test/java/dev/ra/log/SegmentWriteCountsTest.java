package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.LogStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment writer's two speeds and its counts in {@link WalStatistics}: every server's share of a full WAL file is
 * one segment write, and the ones written in a hurry (another full WAL file already waiting: in parallel, without
 * giving way) are counted apart, so that an operator sees the disk barely keeping up before back-pressure stops the
 * WAL.
 */
class SegmentWriteCountsTest
{
    private static final String TEXT = "x".repeat(1000);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aSegmentWriterThatKeepsUpWritesEveryShareGivingWay() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(new ServerId("a", "n1"), listener).log();
            long index = 0;
            while (storage.walStatistics().segmentFlushes() < 3)
            {
                assertThat(index).as("WAL files rolled over").isLessThan(1_000);
                // A third of a file at a time, and the segment writer done before the next: never a file waiting.
                index = appendRound(log, listener, index, 20);
                assertThat(storage.awaitSegmentWriter(WAIT)).isTrue();
            }
            final WalStatistics statistics = storage.walStatistics();
            assertThat(statistics.segmentFlushes()).isGreaterThanOrEqualTo(3);
            assertThat(statistics.segmentWrites()).as("one server: one write per flushed file")
                .isEqualTo(statistics.segmentFlushes());
            assertThat(statistics.hurriedSegmentWrites()).isZero();
        }
    }

    @Test
    void filesWaitingForTheSegmentWriterAreWrittenInParallel() throws Exception
    {
        final HeldFlush disk = new HeldFlush();
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).fileLayer(disk)
            .build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(new ServerId("a", "n1"), listener).log();
            try
            {
                // Four full files while the segment writer cannot read the first: three wait behind it. In rounds,
                // each durable before the next, so that no batch is larger than a sixth of a file.
                long index = 0;
                while (walFiles() < 5)
                {
                    assertThat(index).as("WAL files rolled over").isLessThan(1_000);
                    index = appendRound(log, listener, index, 10);
                }
                assertThat(disk.held.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("segment writer held").isTrue();
            }
            finally
            {
                disk.release.countDown();
            }
            assertThat(storage.awaitSegmentWriter(WAIT)).isTrue();
            // Three waited behind the first file, two behind the second, one behind the third (all written in
            // parallel on the I/O pool), none behind the fourth (giving way, on the segment writer's own thread).
            assertThat(disk.writers).containsExactly("ra-log-segment-io", "ra-log-segment-io", "ra-log-segment-io",
                "ra-log-segment-writer");
            final WalStatistics statistics = storage.walStatistics();
            assertThat(statistics.segmentFlushes()).isEqualTo(4);
            assertThat(statistics.segmentWrites()).isEqualTo(4);
            assertThat(statistics.hurriedSegmentWrites()).isEqualTo(3);
        }
    }

    /**
     * Append {@code entries} entries after {@code last}, one per call, and wait until they are durable.
     *
     * @return the last index appended.
     */
    private static long appendRound(final LogStore log, final RecordingListener listener, final long last,
        final int entries) throws InterruptedException
    {
        for (long index = last + 1; index <= last + entries; index++)
        {
            log.append(List.of(entry(index, 1, TEXT)));
        }
        assertThat(listener.awaitIndex(last + entries)).isTrue();
        return last + entries;
    }

    private long walFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".wal")).count();
        }
    }

    /**
     * Holds the segment writer's first opening of a WAL file (before it decides how fast to go) until released; notes
     * the thread that creates each segment file.
     */
    private static final class HeldFlush extends ForwardingFileLayer
    {
        private final List<String> writers = new CopyOnWriteArrayList<>();
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);

        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            final String name = path.getFileName().toString();
            if (create && name.endsWith(SegmentFile.SUFFIX + AtomicFiles.TEMP_SUFFIX))
            {
                writers.add(Thread.currentThread().getName());
            }
            if (name.endsWith(".wal") && "ra-log-segment-writer".equals(Thread.currentThread().getName()) &&
                first.getAndSet(false))
            {
                held.countDown();
                try
                {
                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return super.open(path, create);
        }
    }
}
