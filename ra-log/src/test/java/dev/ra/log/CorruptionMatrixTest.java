package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of damage on disk and its documented outcome (docs/log-format.md, "Recovery"): a torn or damaged tail is
 * cut; what a recycled WAL file holds from its earlier use is ignored; damage to acknowledged data (or a missing end
 * marker in a file that was rolled over) refuses to open, naming the file and offset; a bad snapshot falls back to an
 * older one; an I/O failure reaches the listener.
 */
class CorruptionMatrixTest
{
    private static final ServerId A = new ServerId("a", "n1");

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).segmentMaxEntries(10).build();
    }

    /**
     * Two acknowledged batches (1..10 then 11..20) in the WAL, as a crash leaves them: the clean close sealed the
     * file with its end marker, which is cut off again here (a crash comes before any marker).
     */
    private Path writeTwoBatches() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 10, 1));
            assertThat(listener.awaitIndex(10)).isTrue();
            server.log().append(range(11, 20, 1));
            assertThat(listener.awaitIndex(20)).isTrue();
        }
        final Path wal;
        try (Stream<Path> files = Files.list(dir.resolve("wal")))
        {
            wal = files.findFirst().orElseThrow();
        }
        final long marker = Files.size(wal) - WalFormat.RECORD_HEADER;
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(wal));
        assertThat(WalFormat.isEndMarker(bytes, (int)marker, bytes.limit(), 1, new CRC32C()))
            .as("a clean close ends the WAL file with its end marker").isTrue();
        truncate(wal, marker);
        return wal;
    }

    private static void flipBit(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x10);
        }
    }

    private Path walFile(final long sequence)
    {
        return dir.resolve("wal").resolve(WalFormat.fileName(sequence));
    }

    /** A newer WAL file with just its header: the files before it count as rolled over. */
    private void writeWalHeader(final long sequence) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(WalFormat.FILE_HEADER);
        WalFormat.putHeader(header, sequence);
        Files.write(walFile(sequence), header.array());
    }

    /** What the writer appends, synced, when it rolls a file over. */
    private static void appendEndMarker(final Path file, final long sequence) throws IOException
    {
        final ByteBuffer marker = ByteBuffer.allocate(WalFormat.RECORD_HEADER);
        WalFormat.putEndMarker(marker, sequence, Files.size(file));
        Files.write(file, marker.array(), StandardOpenOption.APPEND);
    }

    private static void truncate(final Path file, final long size) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(size);
        }
    }

    @Test
    void truncatedWalTailIsCutBackToTheLastCompleteBatch() throws Exception
    {
        final Path wal = writeTwoBatches();
        truncate(wal, Files.size(wal) - 7);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(10);
            assertThat(server.log().entry(10)).isEqualTo(entry(10, 1));
        }
    }

    @Test
    void bitFlipInTheTailRecordIsCutLikeATornWrite() throws Exception
    {
        final Path wal = writeTwoBatches();
        flipBit(wal, Files.size(wal) - 3);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(10);
        }
    }

    @Test
    void bitFlipInAMiddleRecordRefusesToOpenNamingFileAndOffset() throws Exception
    {
        final Path wal = writeTwoBatches();
        flipBit(wal, 100);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(wal.toString())
                .hasMessageContaining("at offset " + WalFormat.FILE_HEADER)
                .hasMessageContaining("followed by a valid batch");
        }
        // Nothing was thrown away: once the operator restores the file, everything is there.
        flipBit(wal, 100);
        try (FileStorage storage = storage())
        {
            assertThat(storage.open(A, new RecordingListener()).log().lastIndex()).isEqualTo(20);
        }
    }

    @Test
    void staleBatchesOfAnEarlierUseAfterTheValidEndAreIgnoredSilently() throws Exception
    {
        writeTwoBatches();
        // Opening flushes file 1 into segments and keeps it as a spare, which becomes file 2, overwritten in place.
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(21, 22, 2));
            assertThat(listener.awaitIndex(22)).isTrue();
        }
        assertThat(walFile(1)).doesNotExist();
        final Path recycled = walFile(2);
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(recycled));
        final WalScanner.Result scan = WalScanner.scan(recycled, bytes, 2, true, null);
        assertThat(scan.tornTail()).as("not taken for a torn write").isFalse();
        assertThat(scan.ended()).as("sealed by the clean close").isTrue();
        boolean staleBatch = false;
        for (int at = (int)scan.validEnd() + WalFormat.RECORD_HEADER; at < bytes.limit() && !staleBatch; at++)
        {
            staleBatch = WalFormat.validBatchLength(bytes, at, bytes.limit(), 1, new CRC32C()) > 0;
        }
        assertThat(staleBatch).as("a complete batch of the file's first use follows the valid data").isTrue();
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(22);
            final List<dev.ra.protocol.LogEntry> entries = new java.util.ArrayList<>();
            server.log().read(1, 22, 100, Long.MAX_VALUE, entries);
            assertThat(entries.subList(0, 20)).isEqualTo(range(1, 20, 1));
            assertThat(entries.subList(20, 22)).isEqualTo(range(21, 22, 2));
        }
    }

    @Test
    void anOlderWalFileWithoutItsEndMarkerRefusesToOpen() throws Exception
    {
        final Path first = writeTwoBatches();
        final long end = Files.size(first);
        writeWalHeader(2);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("at offset " + end)
                .hasMessageContaining("no end marker");
        }
        // With the marker the writer puts there at rollover, the same files open with nothing lost.
        appendEndMarker(first, 1);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(20);
            assertThat(server.log().entry(20)).isEqualTo(entry(20, 1));
        }
    }

    @Test
    void bitFlipInTheEndMarkerOfAnOlderWalFileRefusesToOpen() throws Exception
    {
        final Path first = writeTwoBatches();
        final long end = Files.size(first);
        appendEndMarker(first, 1);
        writeWalHeader(2);
        flipBit(first, end + WalFormat.OFFSET_TERM + 5);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("at offset " + end)
                .hasMessageContaining("end marker");
        }
        flipBit(first, end + WalFormat.OFFSET_TERM + 5);
        try (FileStorage storage = storage())
        {
            assertThat(storage.open(A, new RecordingListener()).log().lastIndex()).isEqualTo(20);
        }
    }

    /**
     * The server ref field of an end marker and the checksum of a file header are covered by nothing but their
     * checksums: a flip there must be found as damage like any other, not taken for a valid marker or header.
     */
    @Test
    void bitFlipsOnlyTheChecksumsOfEndMarkerAndHeaderCoverRefuseToOpen() throws Exception
    {
        final Path first = writeTwoBatches();
        final long end = Files.size(first);
        appendEndMarker(first, 1);
        writeWalHeader(2);
        flipBit(first, end + WalFormat.OFFSET_REF + 1);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("at offset " + end)
                .hasMessageContaining("end marker");
        }
        flipBit(first, end + WalFormat.OFFSET_REF + 1);

        flipBit(first, WalFormat.FILE_HEADER - 2);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("at offset 0")
                .hasMessageContaining("damaged WAL file header");
        }
        flipBit(first, WalFormat.FILE_HEADER - 2);
        try (FileStorage storage = storage())
        {
            assertThat(storage.open(A, new RecordingListener()).log().lastIndex()).isEqualTo(20);
        }
    }

    /** A spare renamed to the next WAL file, with a crash before its new header was durable. */
    @Test
    void newestWalFileWhoseHeaderNeverReachedTheDiskHoldsNothing() throws Exception
    {
        final Path first = writeTwoBatches();
        appendEndMarker(first, 1);
        Files.copy(first, walFile(2));
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(20);
            assertThat(server.log().entry(20)).isEqualTo(entry(20, 1));
        }
    }

    @Test
    void bitFlipInTheHeaderOfTheNewestWalFileRefusesWhenBatchesFollow() throws Exception
    {
        final Path wal = writeTwoBatches();
        flipBit(wal, 9);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(wal.toString())
                .hasMessageContaining("at offset 0")
                .hasMessageContaining("damaged WAL file header");
        }
    }

    @Test
    void walFileOfTheFormatBeforeRecyclingIsRefusedNamingTheVersion() throws Exception
    {
        Files.createDirectories(dir.resolve("wal"));
        final ByteBuffer v1 = ByteBuffer.allocate(64);
        v1.putInt(0, Formats.WAL_MAGIC).putInt(4, 1).putLong(8, 1);
        Files.write(walFile(1), v1.array());
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(walFile(1).toString())
                .hasMessageContaining("unsupported format version 1");
        }
    }

    private Path segmentsAfterRestart() throws Exception
    {
        writeTwoBatches();
        try (FileStorage storage = storage())
        {
            assertThat(storage.open(A, new RecordingListener()).log().lastIndex()).isEqualTo(20);
        }
        return dir.resolve("servers").resolve("a@n1").resolve("segments");
    }

    @Test
    void truncatedSegmentRefusesToOpenNamingTheFile() throws Exception
    {
        final Path segments = segmentsAfterRestart();
        final Path first = segments.resolve(SegmentFile.fileName(0));
        truncate(first, Files.size(first) - 30);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("trailer");
        }
    }

    /**
     * Regression (LogRecoveryProperties, seed -7361839468483197889): the log ends exactly at the snapshot index
     * with an entry of another term there (a snapshot taken over an entry a crash then lost, or installed with the
     * RESET record lost). Recovery must record the reset then, not only once the log extends past the snapshot;
     * otherwise the entries appended after the snapshot are acknowledged and then discarded by the next recovery.
     */
    @Test
    void staleEntryAtTheSnapshotIndexDoesNotCostTheEntriesAppendedAfterTheSnapshot() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 1, 1));
            assertThat(listener.awaitIndex(1)).isTrue();
        }
        try (FileStorage storage = storage())
        {
            // Entry 1 of term 2 never became durable, the snapshot over it did.
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.snapshots().write(new SnapshotMeta(1, 2, List.of(), 0), Bytes.wrap(new byte[] {1}));
        }
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            assertThat(server.log().firstIndex()).isEqualTo(2);
            assertThat(server.log().lastIndex()).isEqualTo(1);
            assertThat(server.log().term(1)).isEqualTo(2);
            server.log().append(range(2, 5, 2));
            assertThat(listener.awaitIndex(5)).isTrue();
        }
        for (int restart = 0; restart < 2; restart++)
        {
            try (FileStorage storage = storage())
            {
                final ServerStorage server = storage.open(A, new RecordingListener());
                assertThat(server.log().firstIndex()).isEqualTo(2);
                assertThat(server.log().lastIndex()).as("acknowledged entries after the snapshot").isEqualTo(5);
                assertThat(server.log().term(1)).isEqualTo(2);
                assertThat(server.log().entry(5)).isEqualTo(entry(5, 2));
            }
        }
    }

    /**
     * A damaged index table is damage found at open, so it is a refusal (IllegalStateException naming file and
     * offset), also when recovery needs that table to compare the snapshot's term (BitFlipProperties once saw an
     * UncheckedIOException from the segment cache here).
     */
    /**
     * A snapshot installed over a log whose entry at the snapshot's index has another term, with a crash before the
     * reset was recorded: the entries after it belong to a history the snapshot replaced (Raft Figure 13) and must not
     * come back as the log's tail.
     */
    @Test
    void aLogThatDoesNotContinueTheSnapshotIsDiscardedAfterIt() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 5, 1));
            assertThat(listener.awaitIndex(5)).isTrue();
        }
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).snapshots()
                .write(new SnapshotMeta(3, 2, List.of(), 0), Bytes.wrap(new byte[] {3}));
        }
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            assertThat(server.log().lastIndex()).as("entries 4 and 5 of term 1 after the snapshot of term 2")
                .isEqualTo(3);
            assertThat(server.log().term(3)).isEqualTo(2);
            assertThat(server.log().term(4)).isEqualTo(LogStore.UNKNOWN_TERM);
            server.log().append(range(4, 6, 2));
            assertThat(listener.awaitIndex(6)).isTrue();
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(6);
            assertThat(server.log().entry(4)).isEqualTo(entry(4, 2));
        }
    }

    @Test
    void bitFlipInASegmentIndexTableRefusesToOpenNamingFileAndOffset() throws Exception
    {
        final Path segments = segmentsAfterRestart();
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.snapshots().write(new SnapshotMeta(5, 1, List.of(), 0), Bytes.wrap(new byte[] {5}));
            server.log().truncateUpTo(5);
        }
        final Path first = segments.resolve(SegmentFile.fileName(0));
        final long tableOffset = Files.size(first) - SegmentFile.TRAILER - 10L * SegmentFile.TABLE_ENTRY;
        // The term of entry 5, which recovery reads to check the snapshot.
        flipBit(first, tableOffset + 4L * SegmentFile.TABLE_ENTRY + 15);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("offset " + tableOffset)
                .hasMessageContaining("index table");
        }
        // Restored, it opens again with nothing lost.
        flipBit(first, tableOffset + 4L * SegmentFile.TABLE_ENTRY + 15);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().firstIndex()).isEqualTo(6);
            assertThat(server.log().lastIndex()).isEqualTo(20);
            assertThat(server.log().entry(6)).isEqualTo(entry(6, 1));
        }
    }

    /** The first index in a segment's header is covered by the header checksum alone. */
    @Test
    void bitFlipInTheFirstIndexOfASegmentHeaderRefusesToOpenNamingFileAndOffset() throws Exception
    {
        final Path segments = segmentsAfterRestart();
        final Path first = segments.resolve(SegmentFile.fileName(0));
        flipBit(first, 23);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("offset " + (SegmentFile.HEADER - 4))
                .hasMessageContaining("header checksum");
        }
        flipBit(first, 23);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(20);
            assertThat(server.log().entry(1)).isEqualTo(entry(1, 1));
        }
    }

    @Test
    void bitFlipInASegmentEntryFailsTheReadNamingFileAndOffset() throws Exception
    {
        final Path segments = segmentsAfterRestart();
        final Path first = segments.resolve(SegmentFile.fileName(0));
        flipBit(first, SegmentFile.HEADER + SegmentFile.RECORD_HEADER + 2);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().entry(2)).isEqualTo(entry(2, 1));
            assertThatThrownBy(() -> server.log().entry(1))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("offset " + SegmentFile.HEADER)
                .hasMessageContaining("checksum");
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
        return dir.resolve("servers").resolve("a@n1").resolve("snapshots")
            .resolve(FileSnapshotStore.fileName(new SnapshotMeta(200, 1, List.of(), 0)));
    }

    @Test
    void missingNewestSnapshotFallsBackToTheOlderOne() throws Exception
    {
        Files.delete(twoSnapshots());
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.snapshots().latest().index()).isEqualTo(100);
            assertThat(server.log().firstIndex()).isEqualTo(101);
            assertThat(server.log().entry(101)).isEqualTo(entry(101, 1));
            assertThat(server.log().lastIndex()).isEqualTo(300);
        }
    }

    @Test
    void garbageNewestSnapshotFallsBackToTheOlderOne() throws Exception
    {
        final Path newest = twoSnapshots();
        Files.write(newest, new byte[] {'g', 'a', 'r', 'b', 'a', 'g', 'e'});
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.snapshots().latest().index()).isEqualTo(100);
            assertThat(server.log().firstIndex()).isEqualTo(101);
        }
    }

    @Test
    void noValidSnapshotAndATruncatedLogRefusesToOpen() throws Exception
    {
        final Path newest = twoSnapshots();
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.log().append(range(301, 400, 1));
            server.snapshots().write(new SnapshotMeta(350, 1, List.of(), 0), Bytes.wrap(new byte[] {3}));
            server.log().truncateUpTo(350);
            assertThat(storage.awaitSegmentWriter(java.time.Duration.ofSeconds(30))).isTrue();
        }
        try (Stream<Path> snapshots = Files.list(newest.getParent()))
        {
            for (final Path p : snapshots.toList())
            {
                Files.write(p, new byte[] {0});
            }
        }
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no valid snapshot");
        }
    }

    @Test
    void tornMetaSlotFallsBackToTheCopy() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.meta().storeTermAndVote(3, A);
            server.meta().storeTermAndVote(4, null);
        }
        // a new server's files hold sequence 1 (term 0) in slot 1: sequence 3 (term 4) went to slot 1 too; the copy
        // still has it
        flipBit(dir.resolve("servers").resolve("a@n1").resolve("meta"), FileMetaStore.SLOT_SIZE * 2 + 12);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(4);
            assertThat(server.meta().votedFor()).isNull();
        }
        // both files torn in their newest slot (the repair written at the last open): the older slots hold term 4
        flipBit(dir.resolve("servers").resolve("a@n1").resolve("meta"), FileMetaStore.SLOT_SIZE + 12);
        flipBit(dir.resolve("servers").resolve("a@n1").resolve("meta.copy"), FileMetaStore.SLOT_SIZE + 12);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(4);
        }
    }

    @Test
    void diskFullFailsTheServersWithoutHanging() throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        try (FileStorage storage = FileStorage.builder().directory(Path.of("/d")).fileLayer(disk.view()).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 5, 1));
            assertThat(listener.awaitIndex(5)).isTrue();
            disk.failWritesAfter(0);
            server.log().append(range(6, 10, 1));
            assertThat(listener.awaitFailure()).isTrue();
            assertThat(listener.failure()).hasMessageContaining("No space left");
            assertThat(listener.index()).isEqualTo(5);
            assertThatThrownBy(() -> server.log().append(range(11, 11, 1)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("storage failed");
        }
    }
}
