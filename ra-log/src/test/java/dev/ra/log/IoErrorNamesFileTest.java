package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An I/O error (a bad sector, a full disk) names the file it concerned: the operating system's message ("Input/output
 * error", "No space left on device") names none, and a node holds thousands of files.
 */
class IoErrorNamesFileTest
{
    private static final ServerId A = new ServerId("a", "node1");

    @TempDir
    Path dir;

    /** A file layer over the real one whose files matching {@code failing} fail every read. */
    private static FileLayer failingReads(final Predicate<Path> failing)
    {
        return new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                final LogFile file = super.open(path, create);
                return !failing.test(path) ? file : new ForwardingLogFile(file)
                {
                    @Override
                    public int read(final ByteBuffer dst, final long position) throws IOException
                    {
                        throw new IOException("Input/output error");
                    }
                };
            }
        };
    }

    private void writeUnflushedEntries()
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 10, 1));
            assertThat(listener.awaitIndex(10)).isTrue();
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /**
     * The WAL replay at start-up looks up the directory of each server its records name; a read error there came out
     * of {@code FileStorage.build()} as "java.io.IOException: Input/output error", naming neither the server
     * directory nor the file.
     */
    @Test
    void aReadErrorDuringReplayNamesTheServerDirectoryAndFile()
    {
        writeUnflushedEntries();
        final Path identity = dir.resolve("servers").resolve(ServerDirectory.dirName(A))
            .resolve(ServerDirectory.ID_FILE);
        assertThatThrownBy(() -> FileStorage.builder().directory(dir)
            .fileLayer(failingReads(identity::equals)).build().close())
            .hasMessageContaining(identity.toString()).hasMessageContaining("Input/output error");
    }

    /** The same for the WAL file being replayed. */
    @Test
    void aReadErrorInAWalFileNamesIt()
    {
        writeUnflushedEntries();
        assertThatThrownBy(() -> FileStorage.builder().directory(dir)
            .fileLayer(failingReads(p -> p.getFileName().toString().endsWith(".wal"))).build().close())
            .hasMessageContaining(dir.resolve("wal").toString()).hasMessageContaining("Input/output error");
    }

    /**
     * A full disk while the WAL writer writes a batch: every server is told, with the file, and nothing more is
     * acknowledged.
     */
    @Test
    void aFullDiskNamesTheWalFile() throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(disk.view()).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 10, 1));
            assertThat(listener.awaitIndex(10)).isTrue();
            disk.failWritesAfter(0);
            server.log().append(range(11, 20, 1));
            assertThat(listener.awaitFailure()).isTrue();
            assertThat(listener.index()).isEqualTo(10);
            assertThat(listener.failure()).hasMessageContaining("No space left on device")
                .hasMessageContaining(dir.resolve("wal").toString());
        }
    }
}
