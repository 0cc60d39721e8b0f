package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server thread that ends its round with {@code writeIfIdle} writes and syncs its own appends when the WAL writer is
 * idle and the node quiet; otherwise the writer thread does, as before. Either way what was reported durable
 * survives a restart, and a failure met on the server thread fails the storage as one met by the writer would.
 */
class WalInlineWriteTest
{
    private static final ServerId A = new ServerId("a", "n1");
    private static final ServerId B = new ServerId("b", "n1");

    @TempDir
    Path dir;

    /** Records which thread each durability report came from. */
    private static final class ThreadRecordingListener implements LogListener
    {
        final RecordingListener delegate = new RecordingListener();
        final List<Thread> reportedOn = new CopyOnWriteArrayList<>();

        @Override
        public void onWritten(final long index, final long term)
        {
            reportedOn.add(Thread.currentThread());
            delegate.onWritten(index, term);
        }

        @Override
        public void onFailure(final Throwable cause)
        {
            delegate.onFailure(cause);
        }
    }

    private static List<LogEntry> entries(final long from, final long to)
    {
        final List<LogEntry> entries = new ArrayList<>();
        for (long i = from; i <= to; i++)
        {
            entries.add(entry(i, 1, "entry " + i));
        }
        return entries;
    }

    private static void awaitWriterIdle(final FileStorage storage) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!storage.wal().isIdle() && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertThat(storage.wal().isIdle()).isTrue();
    }

    @Test
    void aQuietServerThreadWritesItsOwnAppendsAndTheyRecover() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final ThreadRecordingListener listener = new ThreadRecordingListener();
            final LogStore log = storage.open(A, listener).log();
            for (long i = 1; i <= 20; i++)
            {
                awaitWriterIdle(storage);
                log.appendInRound(entries(i, i));
                log.writeIfIdle();
                assertThat(listener.delegate.awaitIndex(i)).isTrue();
            }
            // Every report came from this thread: no hand-off to the writer and back.
            assertThat(listener.reportedOn).isNotEmpty().allMatch(t -> t == Thread.currentThread());
            assertThat(storage.walStatistics().records()).isGreaterThanOrEqualTo(20);
        }
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            assertThat(log.lastIndex()).isEqualTo(20);
            for (long i = 1; i <= 20; i++)
            {
                assertThat(log.entry(i)).isEqualTo(entry(i, 1, "entry " + i));
            }
        }
    }

    @Test
    void underLoadTheWriterThreadWritesInstead() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final ThreadRecordingListener a = new ThreadRecordingListener();
            final ThreadRecordingListener b = new ThreadRecordingListener();
            final LogStore logA = storage.open(A, a).log();
            final LogStore logB = storage.open(B, b).log();
            awaitWriterIdle(storage);
            // Two servers waiting, one with many records: not quiet, so the writer thread batches them.
            logA.appendInRound(entries(1, 50));
            logB.appendInRound(entries(1, 1));
            logA.writeIfIdle();
            assertThat(a.delegate.awaitIndex(50)).isTrue();
            assertThat(b.delegate.awaitIndex(1)).isTrue();
            assertThat(a.reportedOn).noneMatch(t -> t == Thread.currentThread());
            assertThat(b.reportedOn).noneMatch(t -> t == Thread.currentThread());
        }
    }

    @Test
    void aFailureOnTheServerThreadFailsTheStorage() throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        try (FileStorage storage = FileStorage.builder().directory(Path.of("/d")).fileLayer(disk.view()).build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(A, listener).log();
            log.append(entries(1, 3));
            assertThat(listener.awaitIndex(3)).isTrue();
            awaitWriterIdle(storage);
            disk.failWritesAfter(0);
            log.appendInRound(entries(4, 4));
            log.writeIfIdle();
            assertThat(listener.awaitFailure()).isTrue();
            assertThat(listener.failure()).hasMessageContaining("No space left");
            assertThat(listener.index()).isEqualTo(3);
            assertThatThrownBy(() -> log.append(entries(5, 5)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("storage failed");
        }
    }
}
