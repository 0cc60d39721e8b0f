package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.ServerStorage;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A header whose checksum does not match is damage (a write torn by a crash, a bit flip), handled by the "Damaged
 * storage" rules of docs/log-format.md; only a header whose checksum matches and whose version is unknown was written
 * by a newer release ("unsupported format version N", {@link NewerFormatVersionTest}). The version field used to be
 * trusted first, so a header torn after its magic (version 0, or a garbled one) was refused as a newer release's file.
 */
class DamagedHeaderTest
{
    private static final ServerId A = new ServerId("a", "n1");

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).segmentMaxEntries(10).build();
    }

    private Path walFile(final long sequence)
    {
        return dir.resolve("wal").resolve(WalFormat.fileName(sequence));
    }

    private Path serverDirectory()
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(A));
    }

    /**
     * Entries 1..20 acknowledged in WAL file 1, which is then left as a rollover leaves it (end marker synced), and
     * the mark reset as if the entries were in segments: what a crash while starting WAL file 2 finds.
     */
    private Path rolledOverFile() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 20, 1));
            assertThat(listener.awaitIndex(20)).isTrue();
        }
        final Path first = walFile(1);
        assertThat(first).exists();
        return first;
    }

    private static void setInt(final Path file, final long offset, final int value) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            raf.writeInt(value);
        }
    }

    /** A fresh WAL file whose header write was torn after its magic: the rest of the file is still zeros. */
    @Test
    void newestWalFileTornAfterItsMagicHoldsNothing() throws Exception
    {
        rolledOverFile();
        final ByteBuffer torn = ByteBuffer.allocate(4096);
        torn.putInt(0, Formats.WAL_MAGIC);
        Files.write(walFile(2), torn.array());
        assertOpensWithEntries1To20();
    }

    /** A spare renamed to the next WAL file, its new header torn and garbled in the version field. */
    @Test
    void newestWalFileWithAGarbledVersionAndAHeaderChecksumThatDoesNotMatchHoldsNothing() throws Exception
    {
        final Path first = rolledOverFile();
        Files.copy(first, walFile(2));
        setInt(walFile(2), 4, 66);
        setInt(walFile(2), 8, 0);
        setInt(walFile(2), 12, 2);
        assertOpensWithEntries1To20();
    }

    /**
     * A header torn in the file the mark says held acknowledged data is not cut silently: the loss is reported as
     * damaged storage (the header is synced before any batch, so only damage can tear it once a batch was synced).
     */
    @Test
    void aTornHeaderInTheFileTheMarkNamesIsReportedAsDamagedStorage() throws Exception
    {
        final Path live = dir.resolve("live");
        final Path crashed = dir.resolve("crashed");
        try (FileStorage storage = FileStorage.builder().directory(live).segmentMaxEntries(10).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 20, 1));
            assertThat(listener.awaitIndex(20)).isTrue();
            // A crash: the directory as it is while the storage runs (no end marker, the mark naming the file).
            copyTree(live, crashed);
        }
        final Path wal = crashed.resolve("wal").resolve(WalFormat.fileName(1));
        final byte[] zeros = new byte[(int)Files.size(wal)];
        ByteBuffer.wrap(zeros).putInt(0, Formats.WAL_MAGIC);
        Files.write(wal, zeros);
        try (FileStorage storage = FileStorage.builder().directory(crashed).segmentMaxEntries(10).build())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().damagedAcknowledgedIndex()).as("acknowledged entries lost, reported")
                .isEqualTo(20);
        }
    }

    /** A header torn after its magic in a WAL file that is not the newest is damage, named as such. */
    @Test
    void olderWalFileTornAfterItsMagicIsDamageNotANewerVersion() throws Exception
    {
        final Path first = rolledOverFile();
        final byte[] bytes = Files.readAllBytes(first);
        Arrays.fill(bytes, 4, WalFormat.FILE_HEADER, (byte)0);
        Files.write(first, bytes);
        final ByteBuffer header = ByteBuffer.allocate(WalFormat.FILE_HEADER);
        WalFormat.putHeader(header, 2);
        Files.write(walFile(2), header.array());
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("unsupported format version")
                .hasMessageContaining(first.toString())
                .hasMessageContaining("damaged WAL file header");
        }
    }

    /** An interrupted create whose identity file was torn after its magic is debris, created anew. */
    @Test
    void identityTornAfterItsMagicInAnOtherwiseEmptyDirectoryIsDebris() throws Exception
    {
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).close();
        }
        final Path id = serverDirectory().resolve(ServerDirectory.ID_FILE);
        final byte[] torn = new byte[(int)Files.size(id)];
        ByteBuffer.wrap(torn).putInt(0, Formats.SERVER_ID_MAGIC);
        Files.write(id, torn);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isZero();
        }
        assertThat(ServerDirectory.load(RealFileLayer.INSTANCE, serverDirectory()).id()).isEqualTo(A);
    }

    /** A bit flip in the version field of the newest snapshot: the older snapshot is used, as for other damage. */
    @Test
    void newestSnapshotWithADamagedVersionFallsBackToTheOlderOne() throws Exception
    {
        final Path newest = twoSnapshots();
        setInt(newest, 4, 1 | 0x100);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.snapshots().latest().index()).isEqualTo(100);
            assertThat(server.log().entry(101)).isEqualTo(entry(101, 1));
        }
    }

    /** A bit flip in the version field of a segment: refused as damage naming the checksum, not as a newer file. */
    @Test
    void segmentWithADamagedVersionIsRefusedAsDamage() throws Exception
    {
        rolledOverFile();
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).close();
        }
        final Path segment;
        try (Stream<Path> files = Files.list(serverDirectory().resolve("segments")))
        {
            segment = files.sorted().findFirst().orElseThrow();
        }
        setInt(segment, 4, 1 | 0x100);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .isNotInstanceOf(UnsupportedFormatException.class)
                .hasMessageContaining(segment.toString())
                .hasMessageContaining("header checksum mismatch");
        }
    }

    /**
     * The meta header has no checksum, but no release writes version 0: a {@code meta} file being restored from its
     * copy (it is emptied and its header written anew) whose header a crash tore after its magic is damage, restored
     * from the copy again, not a file of an older release that refuses the server.
     */
    @Test
    void metaFileTornAfterItsMagicIsRestoredFromItsCopy() throws Exception
    {
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).meta().storeTermAndVote(3, A);
        }
        final Path meta = serverDirectory().resolve(ServerDirectory.META_FILE);
        final byte[] torn = new byte[FileMetaStore.HEADER];
        ByteBuffer.wrap(torn).putInt(0, Formats.META_MAGIC);
        Files.write(meta, torn);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(3);
            assertThat(server.meta().votedFor()).isEqualTo(A);
        }
    }

    /**
     * The restore from the copy wrote the slot into the torn file but kept its header, rewriting the file only when
     * its magic was wrong: the meta file went on reading version 0, ignored at every start, and term and vote rested
     * on meta.copy alone, so that losing the copy next lost them (the term read 0).
     */
    @Test
    void metaFileTornAfterItsMagicIsWrittenWholeWhenRestored() throws Exception
    {
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).meta().storeTermAndVote(3, A);
        }
        final Path meta = serverDirectory().resolve(ServerDirectory.META_FILE);
        final byte[] torn = new byte[FileMetaStore.HEADER];
        ByteBuffer.wrap(torn).putInt(0, Formats.META_MAGIC);
        Files.write(meta, torn);
        try (FileStorage storage = storage())
        {
            assertThat(storage.open(A, new RecordingListener()).meta().currentTerm()).isEqualTo(3);
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(meta)).getInt(4)).isEqualTo(Formats.VERSION);
        Files.delete(serverDirectory().resolve(ServerDirectory.META_COPY_FILE));
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(3);
            assertThat(server.meta().votedFor()).isEqualTo(A);
        }
    }

    /**
     * No release writes version 0, so a {@code wal.mark} reading it is damaged (docs/log-format.md: damage to the mark
     * turns its check off for that start, with a warning); it was refused as "unsupported format version 0" from
     * another release, and the storage did not open.
     */
    @Test
    void walMarkReadingVersion0TurnsTheCheckOffInsteadOfRefusingTheStorage() throws Exception
    {
        rolledOverFile();
        final Path mark = dir.resolve(WalMark.FILE);
        assertThat(mark).exists();
        setInt(mark, 4, Formats.NO_VERSION);
        assertOpensWithEntries1To20();
    }

    private void assertOpensWithEntries1To20()
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(20);
            assertThat(server.log().entry(20)).isEqualTo(entry(20, 1));
            assertThat(server.meta().damagedAcknowledgedIndex()).isZero();
        }
    }

    private Path twoSnapshots() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 300, 1));
            assertThat(listener.awaitIndex(300)).isTrue();
            server.snapshots().write(new SnapshotMeta(100, 1, List.of(), 0), Bytes.wrap(new byte[] {1}));
            server.log().truncateUpTo(100);
            server.snapshots().write(new SnapshotMeta(200, 1, List.of(), 0), Bytes.wrap(new byte[] {2}));
            server.log().truncateUpTo(200);
        }
        return serverDirectory().resolve("snapshots")
            .resolve(FileSnapshotStore.fileName(new SnapshotMeta(200, 1, List.of(), 0)));
    }

    private static void copyTree(final Path from, final Path to) throws Exception
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : paths.sorted().toList())
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else if (!path.getFileName().toString().equals("lock"))
                {
                    Files.write(target, Files.readAllBytes(path), StandardOpenOption.CREATE_NEW);
                }
            }
        }
    }
}
