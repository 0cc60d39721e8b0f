package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * A torn {@code server.id} in a directory that holds nothing else stored looks like the debris of an interrupted
 * create, but the WAL may still hold that server's records (its entries were acknowledged before a clean stop or a
 * crash, and not yet flushed into segments).
 */
class TornIdentityWithRecordsTest
{
    private static final ServerId A = new ServerId("a", "n1");

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(1 << 20).build();
    }

    private Path serverDir()
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(A));
    }

    /**
     * The same server's newest WAL file lost as well: no record names the directory any more, but the WAL mark says
     * a server that no readable directory claims had entries up to 5 durable in it. Every directory with an
     * unreadable identity records that loss (it may be theirs), but one that looked like the debris of an interrupted
     * create was passed over and created anew, empty, as if it had never acknowledged anything.
     */
    @Test
    void aTornIdentityOfAServerTheWalMarkSaysLostEntriesIsDamageNotDebris() throws Exception
    {
        writeFiveEntriesThenClose();
        try (Stream<Path> wal = Files.list(dir.resolve("wal")))
        {
            for (final Path file : wal.filter(p -> p.toString().endsWith(".wal")).toList())
            {
                Files.delete(file);
            }
        }
        final Path identity = tearIdentity();
        for (int start = 0; start < 2; start++)
        {
            try (FileStorage storage = storage())
            {
                assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                    .as("start %d", start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(identity.toString());
            }
        }
    }

    private void writeFiveEntriesThenClose() throws InterruptedException
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage a = storage.open(A, listener);
            a.log().append(range(1, 5, 1));
            assertThat(listener.awaitIndex(5)).isTrue();
        }
    }

    private Path tearIdentity() throws IOException
    {
        final Path identity = serverDir().resolve(ServerDirectory.ID_FILE);
        try (RandomAccessFile raf = new RandomAccessFile(identity.toFile(), "rw"))
        {
            raf.setLength(12);
        }
        return identity;
    }

    /**
     * The directory was taken for debris and created anew, so A opened as a brand-new server with an empty log: its
     * five durable entries, still in the WAL, were dropped without a word. Right: records naming a directory whose
     * identity is unreadable are never silently dropped; the loss is recorded in its meta store (so the directory is
     * no longer taken for debris at any later start) and its open fails naming server.id and what to do.
     */
    @Test
    void aTornIdentityWhoseServerHasRecordsInTheWalIsDamageNotDebris() throws Exception
    {
        writeFiveEntriesThenClose();
        assertThat(Files.list(serverDir().resolve(ServerDirectory.SEGMENTS_DIR)).toList())
            .as("the entries are still only in the WAL").isEmpty();
        final Path identity = tearIdentity();
        for (int start = 0; start < 2; start++)
        {
            try (FileStorage storage = storage())
            {
                assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                    .as("start %d", start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(identity.toString())
                    .hasMessageContaining("restore server.id");
            }
        }
        assertThat(DataDirectoryReader.open(dir).servers().stream().filter(s -> s.root().equals(serverDir()))
            .map(s -> DataDirectoryReader.open(dir).meta(s).damagedIndex()).findFirst()).contains(5L);
        // What the operator does once the member is removed from its cluster: delete its storage, add it back.
        try (FileStorage storage = storage())
        {
            storage.delete(A);
            final ServerStorage fresh = storage.open(A, new RecordingListener());
            assertThat(fresh.log().lastIndex()).isZero();
            assertThat(fresh.meta().damagedAcknowledgedIndex()).isZero();
        }
    }
}
