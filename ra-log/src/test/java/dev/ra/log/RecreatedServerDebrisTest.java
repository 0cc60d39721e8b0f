package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server deleted and created again under the same id, its creation cut short by a crash while it wrote its identity
 * file: the WAL still holds the records of the deleted incarnation, which name the same directory.
 */
class RecreatedServerDebrisTest
{
    private static final ServerId A = new ServerId("a", "node1");

    @TempDir
    Path dir;

    /**
     * The records of the deleted incarnation made the torn identity of the new one count as damage: they were
     * recorded as lost entries in its meta store and its open was refused for ever ("its identity file ... is
     * damaged"), although the new server never stored anything (no term, no entry) and is only the debris of an
     * interrupted create, which an open creates anew.
     */
    @Test
    void theTornIdentityOfARecreatedServerIsDebrisDespiteTheRecordsOfTheDeletedOne() throws Exception
    {
        deleteThenRecreateWithATornIdentity();
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            checkCreatedAnew(storage);
        }
    }

    /**
     * The same with the WAL file holding the deleted incarnation's records lost: the loss the WAL mark reports for
     * it, which no readable directory claims, was recorded in the recreated server's directory, whose open was then
     * refused for ever.
     */
    @Test
    void aLossOfTheDeletedIncarnationsEntriesIsNotRecordedInTheRecreatedOne() throws Exception
    {
        deleteThenRecreateWithATornIdentity();
        try (Stream<Path> wal = Files.list(dir.resolve("wal")))
        {
            for (final Path file : wal.filter(p -> p.toString().endsWith(".wal")).toList())
            {
                Files.delete(file);
            }
        }
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            checkCreatedAnew(storage);
        }
    }

    private void deleteThenRecreateWithATornIdentity() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(tearingIdentity()).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.meta().storeTermAndVote(2, A);
            server.log().append(range(1, 20, 2));
            assertThat(listener.awaitIndex(20)).isTrue();
            server.close();
            storage.delete(A);
            // Created again: the process dies while the identity file is being written.
            assertThatThrownBy(() -> storage.open(A, new RecordingListener())).hasMessageContaining("cannot open");
        }
        final Path idFile = dir.resolve("servers").resolve(ServerDirectory.dirName(A)).resolve(ServerDirectory.ID_FILE);
        assertThat(Files.size(idFile)).isLessThan(10);
    }

    private static void checkCreatedAnew(final FileStorage storage)
    {
        final ServerStorage server = storage.open(A, new RecordingListener());
        assertThat(server.meta().currentTerm()).isZero();
        assertThat(server.meta().damagedAcknowledgedIndex()).isZero();
        assertThat(server.log().lastIndex()).isZero();
    }

    /** Real files, except that the second identity file written is cut after a few bytes, as by a kill. */
    private static FileLayer tearingIdentity()
    {
        return new ForwardingFileLayer()
        {
            private int identities;

            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                final LogFile file = super.open(path, create);
                if (!path.getFileName().toString().equals(ServerDirectory.ID_FILE) || !create || ++identities < 2)
                {
                    return file;
                }
                return new ForwardingLogFile(file)
                {
                    @Override
                    public void write(final ByteBuffer src, final long position) throws IOException
                    {
                        super.write(src.duplicate().limit(src.position() + 6), position);
                        throw new IOException("simulated kill while writing " + path);
                    }
                };
            }
        };
    }
}
