package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to the newest WAL file or to the meta files while the node is down (issue 15): ra-log used to take a
 * truncated, zero-filled or deleted WAL tail for a torn write that was never acknowledged, and a missing meta file for
 * a new server at term 0. Now the WAL's durable mark ({@link WalMark}) and the meta copy make every such loss visible
 * to the server as {@code MetaStore.damagedAcknowledgedIndex()} / {@code termAndVoteLost()}, kept until the server
 * says it recovered ({@code clearDamage}).
 */
class WalDamageTest
{
    private static final ServerId A = new ServerId("a", "n1");

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).segmentMaxEntries(10).build();
    }

    /** Three acknowledged batches (1..10, 11..20, 21..30) at term 2; returns the WAL file's batch starts. */
    private long[] writeThreeBatches() throws Exception
    {
        final long[] starts = new long[4];
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.meta().storeTermAndVote(2, A);
            for (int b = 0; b < 3; b++)
            {
                starts[b] = Files.size(wal());
                server.log().append(range(b * 10 + 1, b * 10 + 10, 2));
                assertThat(listener.awaitIndex(b * 10 + 10)).isTrue();
            }
            starts[3] = Files.size(wal());
        }
        return starts;
    }

    private Path wal() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            return files.filter(p -> p.toString().endsWith(".wal")).findFirst().orElseThrow();
        }
    }

    private Path serverDir()
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(A));
    }

    private static void truncate(final Path file, final long size) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(size);
        }
    }

    /** Open after the damage: the log as found, and the damage reported; then recovered, durably. */
    private void assertDamaged(final long lastIndexFound) throws Exception
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(lastIndexFound);
            assertThat(server.meta().damagedAcknowledgedIndex()).as("acknowledged up to 30").isEqualTo(30);
            assertThat(server.meta().termAndVoteLost()).isFalse();
            assertThat(server.meta().currentTerm()).isEqualTo(2);
        }
        // Still damaged at the next start (the WAL evidence is gone, the record stays until the server recovers).
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().damagedAcknowledgedIndex()).isEqualTo(30);
            server.meta().clearDamage();
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().damagedAcknowledgedIndex()).isZero();
        }
    }

    @Test
    void walTruncatedAtABatchBoundaryIsReported() throws Exception
    {
        final long[] starts = writeThreeBatches();
        truncate(wal(), starts[2]);
        assertDamaged(20);
    }

    /**
     * A start that finds the damage but stops (a crash, a failed write) before it has recorded it in the server's meta
     * store must not have recycled the WAL file that was the evidence: the next start finds the damage again. It used
     * to flush and recycle the WAL files first, so the next start took the recycled file for one a crashed start had
     * finished with, reported nothing, and the server opened with a log that lost acknowledged entries, free to vote.
     */
    @Test
    void aStartThatStopsBeforeRecordingTheDamageLeavesTheEvidenceForTheNext() throws Exception
    {
        final long[] starts = writeThreeBatches();
        truncate(wal(), starts[2]);
        final ForwardingFileLayer failingMetaWrites = new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                final LogFile file = super.open(path, create);
                if (!path.getFileName().toString().startsWith(ServerDirectory.META_FILE))
                {
                    return file;
                }
                return new ForwardingLogFile(file)
                {
                    @Override
                    public void write(final ByteBuffer src, final long position) throws IOException
                    {
                        throw new IOException("simulated crash while recording the damage");
                    }
                };
            }
        };
        assertThatThrownBy(() -> FileStorage.builder().directory(dir).segmentMaxEntries(10)
            .fileLayer(failingMetaWrites).build().close())
            .hasStackTraceContaining("simulated crash");

        assertDamaged(20);
    }

    @Test
    void walTruncatedInsideABatchIsReported() throws Exception
    {
        final long[] starts = writeThreeBatches();
        truncate(wal(), starts[1] + 40);
        assertDamaged(10);
    }

    @Test
    void zeroFilledWalTailIsReported() throws Exception
    {
        final long[] starts = writeThreeBatches();
        // As a crash leaves it (no end marker), then zeros from the second batch on.
        truncate(wal(), starts[3]);
        try (RandomAccessFile raf = new RandomAccessFile(wal().toFile(), "rw"))
        {
            raf.seek(starts[1]);
            raf.write(new byte[(int)(starts[3] - starts[1])]);
        }
        assertDamaged(10);
    }

    @Test
    void walTruncatedToItsHeaderIsReported() throws Exception
    {
        writeThreeBatches();
        truncate(wal(), WalFormat.FILE_HEADER);
        assertDamaged(0);
    }

    @Test
    void deletedNewestWalIsReported() throws Exception
    {
        writeThreeBatches();
        Files.delete(wal());
        assertDamaged(0);
    }

    @Test
    void manyServersInTheLostFileAreEachReported() throws Exception
    {
        // More servers than one 4 KiB page of the mark's rows holds: the mark grows as servers appear.
        final int servers = 300;
        try (FileStorage storage = storage())
        {
            final RecordingListener[] listeners = new RecordingListener[servers];
            final ServerStorage[] opened = new ServerStorage[servers];
            for (int s = 0; s < servers; s++)
            {
                listeners[s] = new RecordingListener();
                opened[s] = storage.open(new ServerId("c" + s, "n1"), listeners[s]);
                opened[s].meta().storeTermAndVote(1, null);
                opened[s].log().append(range(1, 3, 1));
            }
            for (int s = 0; s < servers; s++)
            {
                assertThat(listeners[s].awaitIndex(3)).isTrue();
            }
        }
        Files.delete(wal());
        try (FileStorage storage = storage())
        {
            for (int s = 0; s < servers; s++)
            {
                final ServerStorage server = storage.open(new ServerId("c" + s, "n1"), new RecordingListener());
                assertThat(server.log().lastIndex()).isZero();
                assertThat(server.meta().damagedAcknowledgedIndex()).as("server %d", s).isEqualTo(3);
            }
        }
    }

    @Test
    void aCrashLosesNothingAndReportsNothing() throws Exception
    {
        final long[] starts = writeThreeBatches();
        // A crash leaves no end marker; the data is whole.
        truncate(wal(), starts[3]);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(30);
            assertThat(server.meta().damagedAcknowledgedIndex()).isZero();
            assertThat(server.meta().termAndVoteLost()).isFalse();
        }
        // Nor does a restart after the WAL was replayed (the mark was reset with it).
        try (FileStorage storage = storage())
        {
            assertThat(storage.open(A, new RecordingListener()).meta().damagedAcknowledgedIndex()).isZero();
        }
    }

    @Test
    void deletedOrEmptiedMetaFileIsRestoredFromItsCopy() throws Exception
    {
        writeThreeBatches();
        Files.delete(serverDir().resolve(ServerDirectory.META_FILE));
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(2);
            assertThat(server.meta().votedFor()).isEqualTo(A);
            assertThat(server.meta().termAndVoteLost()).isFalse();
        }
        truncate(serverDir().resolve(ServerDirectory.META_FILE), 0);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(2);
            assertThat(server.meta().votedFor()).isEqualTo(A);
        }
        try (RandomAccessFile raf = new RandomAccessFile(serverDir().resolve(ServerDirectory.META_COPY_FILE).toFile(),
            "rw"))
        {
            raf.write(new byte[(int)raf.length()]);
        }
        try (FileStorage storage = storage())
        {
            assertThat(storage.open(A, new RecordingListener()).meta().currentTerm()).isEqualTo(2);
        }
    }

    @Test
    void bothMetaFilesLostIsReportedNotTermZero() throws Exception
    {
        writeThreeBatches();
        Files.delete(serverDir().resolve(ServerDirectory.META_FILE));
        truncate(serverDir().resolve(ServerDirectory.META_COPY_FILE), 0);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().termAndVoteLost()).isTrue();
            assertThat(server.meta().votedFor()).isNull();
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().termAndVoteLost()).as("kept until the server recovers").isTrue();
            server.meta().storeTermAndVote(5, A);
            server.meta().clearDamage();
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().termAndVoteLost()).isFalse();
            assertThat(server.meta().currentTerm()).isEqualTo(5);
        }
    }
}
