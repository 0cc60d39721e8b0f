package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
