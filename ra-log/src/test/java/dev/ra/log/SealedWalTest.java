package dev.ra.log;

import static dev.ra.log.TestEntries.appendPadded;
import static dev.ra.log.TestEntries.padded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.LogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean close seals the newest WAL file with its end marker, and the next start reads a recycled file only up to
 * that marker: what follows it is an earlier use's, and there is nothing to search for after a clean stop.
 */
class SealedWalTest
{
    private static final ServerId A = new ServerId("a", "n1");
    private static final long WAL_SIZE = 1 << 20;

    @TempDir
    Path dir;

    /** The real file system, counting the bytes read from each file. */
    private static final class CountingFileLayer extends ForwardingFileLayer
    {
        final Map<Path, AtomicLong> bytesRead = new ConcurrentHashMap<>();

        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            final LogFile file = super.open(path, create);
            final AtomicLong counter = bytesRead.computeIfAbsent(path, p -> new AtomicLong());
            return new ForwardingLogFile(file)
            {
                @Override
                public int read(final ByteBuffer dst, final long position) throws IOException
                {
                    final int read = super.read(dst, position);
                    counter.addAndGet(Math.max(0, read));
                    return read;
                }
            };
        }
    }

    private List<Path> walFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            return files.filter(p -> WalFormat.sequenceOf(p.getFileName().toString()) >= 0).sorted().toList();
        }
    }

    @Test
    void aCleanCloseSealsTheNewestFileAndTheNextStartReadsOnlyUpToTheMarker() throws Exception
    {
        long next = 1;
        // Rollovers until the newest file is a recycled one (full size, an earlier use's bytes after the data), and
        // stop just after one, so the newest file holds little.
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(WAL_SIZE).build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            long newestSequence = 1;
            while (newestSequence < 5 && next < 100_000)
            {
                next = appendPadded(log, listener, next, 100, 200);
                // Each rolled file flushed and kept as a spare before the next rollover claims one.
                assertThat(storage.awaitSegmentWriter(java.time.Duration.ofSeconds(30))).isTrue();
                final List<Path> files = walFiles();
                newestSequence = WalFormat.sequenceOf(files.get(files.size() - 1).getFileName().toString());
            }
        }
        final Path newest = walFiles().get(walFiles().size() - 1);
        final long sequence = WalFormat.sequenceOf(newest.getFileName().toString());
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(newest));
        final WalScanner.Result scan = WalScanner.scan(newest, bytes, sequence, true, null);
        assertThat(scan.ended()).as("sealed with its end marker").isTrue();
        assertThat(WalFormat.isEndMarker(bytes, (int)scan.validEnd(), bytes.limit(), sequence, new CRC32C())).isTrue();
        final long newestSize = Files.size(newest);
        assertThat(newestSize).as("a recycled file").isGreaterThan(scan.validEnd() + (256 << 10));

        final CountingFileLayer counting = new CountingFileLayer();
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(WAL_SIZE)
            .fileLayer(counting).build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            assertThat(log.lastIndex()).isEqualTo(next - 1);
            for (long i = 1; i < next; i += 997)
            {
                assertThat(log.entry(i)).isEqualTo(padded(i, 200));
            }
            assertThat(log.entry(next - 1)).isEqualTo(padded(next - 1, 200));
        }
        // Read in 64 KiB steps: at most one step beyond the marker, never the stale rest of the file.
        assertThat(counting.bytesRead.get(newest).get())
            .isLessThanOrEqualTo(scan.validEnd() + WalFormat.RECORD_HEADER + (64 << 10))
            .isLessThan(newestSize);
    }
}
