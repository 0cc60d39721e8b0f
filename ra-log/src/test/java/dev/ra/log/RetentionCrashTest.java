package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.ServerStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retention pass deletes (or moves into the spare pool) several segment files of a server and then syncs the
 * segments directory once. Until that sync, a file system may persist any subset of those unlinks: a crash can leave
 * an earlier dropped segment on disk while a later one is gone. Every entry of the dropped segments is covered by a
 * retained snapshot, so nothing that matters is lost; the server must open.
 */
class RetentionCrashTest
{
    private static final ServerId A = new ServerId("a", "node1");

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).segmentMaxEntries(50).build();
    }

    private Path segmentsDir()
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(A)).resolve(ServerDirectory.SEGMENTS_DIR);
    }

    /**
     * The state a crash in the middle of one retention pass may leave on a file system that reorders unlinks: the
     * segment holding 51..100 is gone, the one holding 1..50 (dropped by the same pass) is still there. The server's
     * open refused it ("segment starts at index 101 but the segments before it end at 50: entries are missing")
     * although snapshots at 200 and 250 hold every missing entry: the server could not start at all.
     */
    @Test
    void aGapLeftByRetentionBelowTheSnapshotsIsNoDamage() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            for (long first = 1; first <= 300; first += 50)
            {
                server.log().append(range(first, first + 49, 1));
                assertThat(listener.awaitIndex(first + 49)).isTrue();
            }
            // Two snapshots, so the retention floor (the older one) is 200; the log is not truncated, so no retention
            // pass runs and the crash state is made below by hand.
            server.snapshots().write(new SnapshotMeta(200, 1, List.of(), 0), Bytes.wrap(new byte[] {2}));
            server.snapshots().write(new SnapshotMeta(250, 1, List.of(), 0), Bytes.wrap(new byte[] {3}));
        }
        // The next start flushes the WAL into segments.
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).close();
        }
        final List<Segment> segments = segments();
        assertThat(segments).as("segments of 50 entries").hasSizeGreaterThanOrEqualTo(4);
        assertThat(segments.get(0).last).isLessThanOrEqualTo(50);
        assertThat(segments.get(1).last).isLessThanOrEqualTo(200);
        // A pass with floor 200 drops both; only the unlink of the second reached the disk.
        Files.delete(segments.get(1).path);
        assertThat(DataDirectoryReader.open(dir).verify()).as("what ra-tool verify reports").isEmpty();

        for (int start = 0; start < 2; start++)
        {
            try (FileStorage storage = storage())
            {
                final ServerStorage server = storage.open(A, new RecordingListener());
                assertThat(server.snapshots().latest().index()).isEqualTo(250);
                assertThat(server.log().lastIndex()).isEqualTo(300);
                assertThat(server.log().entry(251)).isEqualTo(TestEntries.entry(251, 1));
                assertThat(server.log().entry(300)).isEqualTo(TestEntries.entry(300, 1));
                assertThat(server.log().firstIndex()).isGreaterThan(segments.get(1).last);
            }
        }
        try (FileStorage storage = storage())
        {
            // Compaction goes on as before: the leftover earlier segment goes at the next pass.
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.snapshots().write(new SnapshotMeta(280, 1, List.of(), 0), Bytes.wrap(new byte[] {4}));
            server.log().truncateUpTo(280);
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(segments()).as("the leftover segment was dropped")
            .noneMatch(s -> s.path.equals(segments.get(0).path));
    }

    /**
     * A gap that a snapshot does not cover is still refused: entries the server may have acknowledged are missing.
     */
    @Test
    void aGapAboveTheSnapshotIsStillRefused() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            for (long first = 1; first <= 300; first += 50)
            {
                server.log().append(range(first, first + 49, 1));
                assertThat(listener.awaitIndex(first + 49)).isTrue();
            }
            server.snapshots().write(new SnapshotMeta(60, 1, List.of(), 0), Bytes.wrap(new byte[] {2}));
        }
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).close();
        }
        final List<Segment> segments = segments();
        final Segment lost = segments.stream().filter(s -> s.first > 100 && s.last < 300).findFirst().orElseThrow();
        Files.delete(lost.path);
        assertThat(DataDirectoryReader.open(dir).verify()).singleElement().asString().contains("are missing");
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("entries are missing");
        }
    }

    /**
     * A flush writes a server's entries into several segments and renames them all before one sync of their
     * directory; the WAL file is kept until then. A crash in between on a file system that persisted the later rename
     * but not the earlier one leaves segments 1..100 and 151..200 with the WAL still holding 101..200. The start-up
     * replay writes 101..150 and 151..200 again, in segments that supersede the stray one, so nothing is missing; but
     * the open checked each segment against the ones before it and refused the stray one ("segment starts at index
     * 151 but the segments before it end at 100"), before the segments that fill the gap were applied.
     */
    @Test
    void aLaterSegmentOfAFlushWhoseEarlierRenameWasLostIsNoDamage() throws Exception
    {
        try (FileStorage storage = storage())
        {
            append(storage, 1, 100);
        }
        try (FileStorage storage = storage())
        {
            // This start flushes 1..100 into segments; 101..200 stay in the WAL.
            append(storage, 101, 200);
        }
        final Path crashed = dir.resolveSibling(dir.getFileName() + "-crashed");
        copyTree(dir, crashed);
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).close();
        }
        final Segment stray = segments().stream().filter(s -> s.first == 151).findFirst().orElseThrow();
        final Path target = crashed.resolve(dir.relativize(stray.path));
        Files.copy(stray.path, target);
        deleteTree(dir);
        Files.move(crashed, dir);
        assertThat(DataDirectoryReader.open(dir).verify()).as("what ra-tool verify reports").isEmpty();
        assertThat(DataDirectoryReader.open(dir).logRange(DataDirectoryReader.open(dir).servers().get(0)))
            .as("what ra-tool inspect reports").isEqualTo(new DataDirectoryReader.LogRange(1, 200, 1, List.of()));
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().firstIndex()).isEqualTo(1);
            assertThat(server.log().lastIndex()).isEqualTo(200);
            for (long i = 1; i <= 200; i++)
            {
                assertThat(server.log().entry(i)).isEqualTo(TestEntries.entry(i, 1));
            }
        }
    }

    private static void append(final FileStorage storage, final long from, final long to) throws Exception
    {
        final RecordingListener listener = new RecordingListener();
        final ServerStorage server = storage.open(A, listener);
        for (long first = from; first <= to; first += 50)
        {
            server.log().append(range(first, first + 49, 1));
            assertThat(listener.awaitIndex(first + 49)).isTrue();
        }
    }

    private static void copyTree(final Path from, final Path to) throws Exception
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : paths.toList())
            {
                final Path copy = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(copy);
                }
                else if (!path.getFileName().toString().equals("lock"))
                {
                    Files.copy(path, copy);
                }
            }
        }
    }

    private static void deleteTree(final Path root) throws Exception
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }

    private record Segment(Path path, long first, long last)
    {
    }

    private List<Segment> segments() throws Exception
    {
        final List<Segment> out = new ArrayList<>();
        try (Stream<Path> names = Files.list(segmentsDir()))
        {
            for (final Path path : names.toList())
            {
                if (SegmentFile.sequenceOf(path.getFileName().toString()) >= 0)
                {
                    final SegmentFile segment = SegmentFile.open(RealFileLayer.INSTANCE, path);
                    out.add(new Segment(path, segment.firstIndex(), segment.lastIndex()));
                }
            }
        }
        out.sort(Comparator.comparing(s -> s.path.getFileName().toString()));
        return out;
    }
}
