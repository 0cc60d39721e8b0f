package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.LogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment writer's counts in {@link WalStatistics}: every server's share of a full WAL file is one segment write,
 * and the ones written in a hurry (another full WAL file already waiting) are counted apart, so that an operator sees
 * the disk barely keeping up before back-pressure stops the WAL.
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
            for (int round = 0; round < 12; round++)
            {
                // A third of a file at a time, and the segment writer done before the next: never a file waiting.
                for (int i = 0; i < 20; i++)
                {
                    index++;
                    log.append(List.of(entry(index, 1, TEXT)));
                }
                assertThat(listener.awaitIndex(index)).isTrue();
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
    void filesWaitingForTheSegmentWriterAreWrittenInAHurry() throws Exception
    {
        final HeldSegments disk = new HeldSegments();
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).fileLayer(disk)
            .build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(new ServerId("a", "n1"), listener).log();
            try
            {
                // Over three full files while the first one's segment cannot be written: the next two wait. In
                // rounds, each durable before the next, so that no batch is larger than a sixth of a file.
                long index = 0;
                for (int round = 0; round < 26; round++)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        index++;
                        log.append(List.of(entry(index, 1, TEXT)));
                    }
                    assertThat(listener.awaitIndex(index)).isTrue();
                }
                assertThat(disk.held.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("segment writer held").isTrue();
            }
            finally
            {
                disk.release.countDown();
            }
            assertThat(storage.awaitSegmentWriter(WAIT)).isTrue();
            final WalStatistics statistics = storage.walStatistics();
            assertThat(statistics.segmentFlushes()).isGreaterThanOrEqualTo(3);
            assertThat(statistics.segmentWrites()).isEqualTo(statistics.segmentFlushes());
            assertThat(statistics.hurriedSegmentWrites()).as("the file flushed while another waited").isPositive()
                .isLessThan(statistics.segmentWrites());
        }
    }

    /** Holds the first segment file's creation until released. */
    private static final class HeldSegments extends ForwardingFileLayer
    {
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);

        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            if (path.getFileName().toString().endsWith(SegmentFile.SUFFIX + AtomicFiles.TEMP_SUFFIX) &&
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
