package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL mark keeps one row per server with records in the WAL, while the storage is open.
 */
class WalMarkRowsTest
{
    @TempDir
    Path dir;

    /**
     * A deleted server kept its row (in the mark file and in memory, 128 bytes each) until the storage was closed:
     * a node that creates and deletes servers for months grew the mark without bound, and past 2 million incarnations
     * the WAL writer failed the whole storage ("WAL mark too large"). A deleted server's row is now taken by the next
     * new one.
     */
    @Test
    void aDeletedServersRowIsReused() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final ServerStorage kept = storage.open(new ServerId("kept", "n1"), new RecordingListener());
            kept.log().append(range(1, 1, 1));
            for (int i = 0; i < 100; i++)
            {
                // The same id each time: a new incarnation (uid) each time, as a cluster deleted and created again.
                final ServerId id = new ServerId("churn", "n1");
                final RecordingListener listener = new RecordingListener();
                final ServerStorage server = storage.open(id, listener);
                server.log().append(range(1, 3, 1));
                assertThat(listener.awaitIndex(3)).isTrue();
                server.close();
                storage.delete(id);
            }
            // Two rows in use at most (the kept server's, and the churning one's): the first page of rows.
            assertThat(Files.size(dir.resolve(WalMark.FILE))).isLessThanOrEqualTo(WalMark.ROWS_OFFSET + 4096);
        }
    }

    /**
     * A deletion that failed (the server's identity file could not be deleted) leaves the server whole, and it can be
     * opened again; it had given its row in the mark away already, and the next new server's first round overwrote
     * it. A loss of the WAL file's tail (what the mark is there to see) then went unseen for the server whose deletion
     * failed: it opened with its acknowledged entries gone and no damage reported. The row goes only once the server's
     * directory is deleted, durably.
     */
    @Test
    void aServerWhoseDeletionFailedKeepsItsRow() throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        final Path root = Path.of("/data");
        final ServerId doomed = new ServerId("doomed", "n1");
        final ServerId next = new ServerId("next", "n1");
        final AtomicBoolean failIdentityDelete = new AtomicBoolean();
        final FileLayer layer = new ForwardingFileLayer(disk.view())
        {
            @Override
            public void delete(final Path path) throws IOException
            {
                if (failIdentityDelete.get() && path.getFileName().toString().equals(ServerDirectory.ID_FILE))
                {
                    throw new IOException(path + ": Permission denied");
                }
                super.delete(path);
            }
        };
        final Path wal;
        final long walBeforeEntries;
        try (FileStorage storage = FileStorage.builder().directory(root).fileLayer(layer).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(doomed, listener);
            server.meta().storeTermAndVote(1, null);
            wal = disk.files(root.resolve("wal")).stream().filter(p -> p.toString().endsWith(".wal")).findFirst()
                .orElseThrow();
            walBeforeEntries = disk.size(wal);
            server.log().append(range(1, 10, 1));
            assertThat(listener.awaitIndex(10)).isTrue();
            server.close();
            failIdentityDelete.set(true);
            assertThatThrownBy(() -> storage.delete(doomed)).isInstanceOf(UncheckedIOException.class);
            failIdentityDelete.set(false);

            final RecordingListener nextListener = new RecordingListener();
            final ServerStorage nextServer = storage.open(next, nextListener);
            nextServer.log().append(range(1, 3, 1));
            assertThat(nextListener.awaitIndex(3)).isTrue();
        }
        // The disk loses the synced tail of the WAL file: both servers' entries.
        disk.truncate(wal, walBeforeEntries);
        try (FileStorage storage = FileStorage.builder().directory(root).fileLayer(disk.view()).build())
        {
            final ServerStorage server = storage.open(doomed, new RecordingListener());
            assertThat(server.log().lastIndex()).isZero();
            assertThat(server.meta().damagedAcknowledgedIndex()).as("acknowledged up to 10").isEqualTo(10);
            assertThat(storage.open(next, new RecordingListener()).meta().damagedAcknowledgedIndex()).isEqualTo(3);
        }
    }
}
