package dev.ra.log;

import static dev.ra.log.TestEntries.appendPadded;
import static dev.ra.log.TestEntries.padded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment files that compaction drops are kept as spares and written over by new segments (SegmentSpares); crashes in
 * the middle of it are covered by LogRecoveryProperties, which checks that its scenarios take this path.
 */
class SegmentSparesTest
{
    private static final ServerId A = new ServerId("a", "node1");
    private static final int PADDING = 150;

    @TempDir
    Path dir;

    private FileStorage storage(final long spareBytes)
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).segmentMaxEntries(64)
            .segmentSpareBytes(spareBytes).build();
    }

    private Path spares()
    {
        return dir.resolve(SegmentSpares.DIR);
    }

    private static List<String> names(final Path directory) throws Exception
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Append batches of 100 padded entries from {@code from} on, each durable before the next.
     *
     * @return the index after the last one appended.
     */
    private static long appendBatches(final ServerStorage server, final RecordingListener listener, final long from,
        final int batches) throws InterruptedException
    {
        long next = from;
        for (int i = 0; i < batches; i++)
        {
            next = appendPadded(server.log(), listener, next, 100, PADDING);
        }
        return next;
    }

    private static void compactTo(final ServerStorage server, final long first, final long second)
    {
        // Two snapshots: the older one retained is the floor below which segments are dropped.
        server.snapshots().write(new SnapshotMeta(first, 1, List.of(), 0), Bytes.wrap(new byte[] {1}));
        server.log().truncateUpTo(first);
        server.snapshots().write(new SnapshotMeta(second, 1, List.of(), 0), Bytes.wrap(new byte[] {2}));
        server.log().truncateUpTo(second);
    }

    private static void assertHolds(final LogStore log, final long from, final long to)
    {
        final List<LogEntry> read = new ArrayList<>();
        log.read(from, to, Integer.MAX_VALUE, Long.MAX_VALUE, read);
        assertThat(read).hasSize((int)(to - from + 1));
        for (int i = 0; i < read.size(); i++)
        {
            assertThat(read.get(i)).isEqualTo(padded(from + i, PADDING));
        }
    }

    @Test
    void segmentsCompactionDropsAreWrittenOverByNewSegments() throws Exception
    {
        final long last;
        try (FileStorage storage = storage(-1))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            long next = appendBatches(server, listener, 1, 20);
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            compactTo(server, 1000, 1500);
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            final List<String> kept = names(spares());
            assertThat(kept).as("segments below 1000 kept as spares").isNotEmpty();
            for (final String name : kept)
            {
                // The size in a spare's name is its size on disk: the pool picks spares by it.
                assertThat(Files.size(spares().resolve(name))).isEqualTo(SegmentSpares.parse(name)[1]);
            }
            next = appendBatches(server, listener, next, 20);
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            assertThat(storage.walStatistics().segmentFilesOverSpares()).as("segments written over spares")
                .isPositive();
            last = next - 1;
            assertHolds(server.log(), 1501, last);
        }
        try (FileStorage storage = storage(-1))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().firstIndex()).isEqualTo(1501);
            assertThat(server.log().lastIndex()).isEqualTo(last);
            assertHolds(server.log(), 1501, last);
        }
    }

    @Test
    void withNoRoomForSparesDroppedSegmentsAreDeleted() throws Exception
    {
        try (FileStorage storage = storage(0))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            long next = appendBatches(server, listener, 1, 20);
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            compactTo(server, 1000, 1500);
            next = appendBatches(server, listener, next, 10);
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            assertThat(names(spares())).isEmpty();
            assertThat(storage.walStatistics().segmentFilesOverSpares()).isZero();
            assertHolds(server.log(), 1501, next - 1);
        }
    }

    @Test
    void openingKeepsSparesAndDeletesAnythingElseInTheirDirectory() throws Exception
    {
        Files.createDirectories(spares());
        Files.write(spares().resolve("7-3e8.spare"), new byte[1000]);
        Files.write(spares().resolve("8-10.spare.tmp"), new byte[16]);
        Files.write(spares().resolve("notes.txt"), new byte[3]);
        Files.write(spares().resolve("zz-10.spare"), new byte[16]);
        Files.write(spares().resolve("9-0.spare"), new byte[0]);
        // A spare that is also a segment's file (a crash wrote out both ends of a rename): never written over.
        final Path segment = Files.write(Files.createDirectories(dir.resolve("elsewhere")).resolve("1.segment"),
            new byte[] {1, 2, 3});
        Files.createLink(spares().resolve("a-3.spare"), segment);
        storage(-1).close();
        assertThat(names(spares())).containsExactly("7-3e8.spare");
        assertThat(Files.readAllBytes(segment)).containsExactly(1, 2, 3);
        // Beyond the bound, a spare left by an earlier run is deleted too.
        storage(0).close();
        assertThat(names(spares())).isEmpty();
    }

    @Test
    void onTheFaultInjectingDiskASpareThatKeptItsSegmentsNameIsNotAdopted() throws Exception
    {
        // A crash that kept only the pool's end of a rename (the pool's directory synced, the segment's not) leaves
        // the file under both names. The disk the recovery properties run on must report that second name as a real
        // one does (its link count), or the pool adopts the spare, writes it over and the segment's name then leads
        // to another segment's bytes ("sequence 44 does not match the file name").
        final FaultyFileLayer disk = new FaultyFileLayer();
        final FileLayer before = disk.view();
        final Path data = Path.of("/data");
        final Path segments = data.resolve("segments");
        final Path pool = data.resolve(SegmentSpares.DIR);
        before.createDirectories(segments);
        before.createDirectories(pool);
        final Path segment = segments.resolve("0000000000000001.segment");
        try (LogFile file = before.open(segment, true))
        {
            file.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            file.force();
        }
        before.syncDirectory(segments);
        final Path spare = pool.resolve("0-3.spare");
        before.move(segment, spare);
        before.syncDirectory(pool);
        disk.crash(new java.util.Random(1), false, false);

        final FileLayer after = disk.view();
        assertThat(after.linkCount(spare)).isEqualTo(2);
        assertThat(after.linkCount(segment)).isEqualTo(2);
        final SegmentSpares opened = SegmentSpares.open(after, data, 1 << 20);
        assertThat(after.list(pool)).isEmpty();
        assertThat(opened.take(3, segments.resolve("0000000000000002.segment.tmp"))).isFalse();
        assertThat(after.linkCount(segment)).isEqualTo(1);
    }

    @Test
    void sparesNamesAreParsedStrictly()
    {
        assertThat(SegmentSpares.parse("a-ff.spare")).containsExactly(10, 255);
        assertThat(SegmentSpares.parse("-ff.spare")).isNull();
        assertThat(SegmentSpares.parse("a-.spare")).isNull();
        assertThat(SegmentSpares.parse("a-ff.segment")).isNull();
        assertThat(SegmentSpares.parse("a-0.spare")).isNull();
        assertThat(SegmentSpares.parse("g-1.spare")).isNull();
    }

    @Test
    void aSegmentDroppedWhileBeingReadIsNotKeptAndIsNotOpenedAgain() throws Exception
    {
        final Path segments = Files.createDirectories(dir.resolve("segments"));
        final SegmentBuilder builder = new SegmentBuilder(SegmentBuilder.DIRECT_MIN_BYTES);
        final SegmentCache cache = new SegmentCache(RealFileLayer.INSTANCE, 4);
        final List<SegmentFile> written = new ArrayList<>();
        final ByteBuffer payload = ByteBuffer.wrap(new byte[32]);
        for (int s = 0; s < 2; s++)
        {
            builder.start(s + 1, s * 10 + 1, 0);
            for (int i = 1; i <= 10; i++)
            {
                builder.add(s * 10 + i, 1, payload, 0, payload.capacity());
            }
            written.add(SegmentWriting.writeDurably(builder, RealFileLayer.INSTANCE, segments, null));
        }
        final SegmentReader reading = cache.acquire(written.get(0));
        assertThat(cache.drop(written.get(0))).as("in use: must be deleted, never written over").isTrue();
        assertThat(reading.term(5)).isEqualTo(1);
        cache.release(reading);
        cache.release(cache.acquire(written.get(1)));
        assertThat(cache.drop(written.get(1))).as("cached but not in use").isFalse();
        assertThatThrownBy(() -> cache.acquire(written.get(1))).isInstanceOf(UncheckedIOException.class)
            .hasCauseInstanceOf(NoSuchFileException.class);
        cache.forget(written);
        assertThat(cache.size()).isZero();
    }
}
