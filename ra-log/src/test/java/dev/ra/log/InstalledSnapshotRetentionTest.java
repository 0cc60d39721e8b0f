package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.ServerStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server keeps on disk once a snapshot received from its leader was installed and its log reset to it: the
 * older snapshot cannot stand in for the installed one (the entries between them are in neither), nor can the
 * segments of the log before the reset be read again, so neither is kept.
 */
class InstalledSnapshotRetentionTest
{
    private static final ServerId A = new ServerId("a", "node1");
    private static final SnapshotMeta LOCAL = new SnapshotMeta(1000, 1, List.of(), 0);
    private static final SnapshotMeta INSTALLED = new SnapshotMeta(3000, 3, List.of(), 0);

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).segmentMaxEntries(50).build();
    }

    private Path serverDir()
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(A));
    }

    /**
     * The older snapshot and the segments of the log before the reset stayed until the server next took a snapshot of
     * its own (a follower that keeps lagging may install snapshot after snapshot and take none): a whole snapshot and
     * a log's worth of segments of disk for nothing.
     */
    @Test
    void afterAnInstallTheOlderSnapshotAndTheSegmentsBeforeTheResetAreDeleted() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            append(server, listener, 1, 2000, 1);
            server.snapshots().write(LOCAL, Bytes.wrap(new byte[] {1}));
            server.log().truncateUpTo(LOCAL.index());
            // Installed from the leader: written, then the log reset to it (SnapshotWork.install).
            server.snapshots().write(INSTALLED, Bytes.wrap(new byte[] {3, 3}));
            server.log().resetTo(INSTALLED.index(), INSTALLED.term());
            append(server, listener, 3001, 5000, 3);
            // The reset is flushed into a segment once its WAL file rolls over, on the segment writer's thread.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && !(onlyInstalledSnapshot() && allAfterReset(storage.files())))
            {
                assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
                Thread.sleep(20);
            }
            assertThat(names(serverDir().resolve(ServerDirectory.SNAPSHOTS_DIR)))
                .containsExactly(FileSnapshotStore.fileName(INSTALLED));
            assertThat(firstIndexes(storage.files()))
                .as("first index of each segment file").isNotEmpty().allMatch(first -> first > INSTALLED.index());
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.snapshots().latest()).isEqualTo(INSTALLED);
            assertThat(server.log().firstIndex()).isEqualTo(INSTALLED.index() + 1);
            assertThat(server.log().lastIndex()).isEqualTo(5000);
            assertThat(server.log().entry(3001)).isEqualTo(TestEntries.entry(3001, 3));
            assertThat(server.log().entry(5000)).isEqualTo(TestEntries.entry(5000, 3));
        }
    }

    private static void append(final ServerStorage server, final RecordingListener listener, final long from,
        final long to, final long term) throws InterruptedException
    {
        for (long first = from; first <= to; first += 200)
        {
            final long last = Math.min(to, first + 199);
            server.log().append(range(first, last, term));
            assertThat(listener.awaitIndex(last)).isTrue();
        }
    }

    private boolean onlyInstalledSnapshot() throws Exception
    {
        return names(serverDir().resolve(ServerDirectory.SNAPSHOTS_DIR))
            .equals(List.of(FileSnapshotStore.fileName(INSTALLED)));
    }

    private boolean allAfterReset(final FileLayer files) throws Exception
    {
        final List<Long> firsts = firstIndexes(files);
        return !firsts.isEmpty() && firsts.stream().allMatch(first -> first > INSTALLED.index());
    }

    private static List<String> names(final Path directory) throws Exception
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private List<Long> firstIndexes(final FileLayer files) throws Exception
    {
        final List<Long> firsts = new ArrayList<>();
        final Path segments = serverDir().resolve(ServerDirectory.SEGMENTS_DIR);
        for (final String name : names(segments))
        {
            if (SegmentFile.sequenceOf(name) >= 0)
            {
                firsts.add(SegmentFile.open(files, segments.resolve(name)).firstIndex());
            }
        }
        return firsts;
    }
}
