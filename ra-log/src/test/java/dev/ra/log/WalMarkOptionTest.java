package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code FileStorage.Builder.walMark(false)}: no {@code wal.mark} is kept (one sync per batch), entries are durable as
 * before; a mark an earlier run left is still checked, then removed; turning the mark back on later starts a fresh one.
 */
class WalMarkOptionTest
{
    private static final ServerId A = new ServerId("a", "n1");

    @TempDir
    Path dir;

    private FileStorage storage(final boolean mark)
    {
        return FileStorage.builder().directory(dir).segmentMaxEntries(10).walMaxSizeBytes(64 << 10).walMark(mark)
            .build();
    }

    private void write(final boolean mark, final long from, final long to) throws Exception
    {
        try (FileStorage storage = storage(mark))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.meta().storeTermAndVote(2, A);
            server.log().append(range(from, to, 2));
            assertThat(listener.awaitIndex(to)).isTrue();
        }
    }

    private Path markFile()
    {
        return dir.resolve(WalMark.FILE);
    }

    private Path wal() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            return files.filter(p -> p.toString().endsWith(".wal")).findFirst().orElseThrow();
        }
    }

    @Test
    void withoutTheMarkEntriesAreDurableAndNoMarkIsWritten() throws Exception
    {
        write(false, 1, 10);
        assertThat(markFile()).doesNotExist();
        try (FileStorage storage = storage(false))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(10);
            assertThat(server.meta().damagedAcknowledgedIndex()).isZero();
        }
    }

    @Test
    void aMarkLeftByAnEarlierRunIsCheckedThenRemoved() throws Exception
    {
        final long firstBatchEnd;
        try (FileStorage storage = storage(true))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.meta().storeTermAndVote(2, A);
            server.log().append(range(1, 10, 2));
            assertThat(listener.awaitIndex(10)).isTrue();
            firstBatchEnd = Files.size(wal());
            server.log().append(range(11, 20, 2));
            assertThat(listener.awaitIndex(20)).isTrue();
        }
        assertThat(markFile()).exists();
        try (RandomAccessFile raf = new RandomAccessFile(wal().toFile(), "rw"))
        {
            raf.setLength(firstBatchEnd);
        }
        try (FileStorage storage = storage(false))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().damagedAcknowledgedIndex()).as("the earlier run's mark speaks").isEqualTo(20);
            server.meta().clearDamage();
        }
        assertThat(markFile()).doesNotExist();
    }

    @Test
    void turningTheMarkBackOnDoesNotCompareWithAStaleMark() throws Exception
    {
        write(true, 1, 10);
        // Without the mark: several WAL files come and go.
        write(false, 11, 3000);
        write(false, 3001, 6000);
        try (FileStorage storage = storage(true))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(6000);
            assertThat(server.meta().damagedAcknowledgedIndex()).isZero();
        }
        assertThat(markFile()).exists();
    }
}
