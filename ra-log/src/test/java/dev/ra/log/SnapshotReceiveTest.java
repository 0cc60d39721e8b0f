package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots streamed into a server's store ({@code SnapshotStore.accept}) while another receive of the same one is
 * still open.
 */
class SnapshotReceiveTest
{
    private static final ServerId A = new ServerId("a", "node1");
    private static final SnapshotMeta TEN = new SnapshotMeta(10, 1, List.of(), 0);

    @TempDir
    Path dir;

    private Path snapshotsDir()
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(A)).resolve("snapshots");
    }

    /**
     * A leader resending a snapshot after a timeout while the first receive is still open: both receives used the
     * same temporary file, so the second one's start emptied what the first had received and its chunks went into
     * the first one's file; the first one's completion installed the second one's bytes under its own checksum (read
     * back: "state checksum mismatch on read"), and its abort deleted the other's file.
     */
    @Test
    void twoReceivesOfOneSnapshotDoNotShareAFile() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            final SnapshotSink first = server.snapshots().accept(TEN);
            first.append(Bytes.wrap(new byte[] {1, 2, 3, 4}));
            final SnapshotSink second = server.snapshots().accept(TEN);
            second.append(Bytes.wrap(new byte[] {5, 6, 7}));
            first.complete();
            assertThat(server.snapshots().read(TEN)).isEqualTo(Bytes.wrap(new byte[] {1, 2, 3, 4}));
            second.abort();
            assertThat(server.snapshots().read(TEN)).isEqualTo(Bytes.wrap(new byte[] {1, 2, 3, 4}));

            final SnapshotSink third = server.snapshots().accept(TEN);
            third.append(Bytes.wrap(new byte[] {8}));
            final SnapshotSink fourth = server.snapshots().accept(TEN);
            fourth.append(Bytes.wrap(new byte[] {9, 9}));
            third.abort();
            fourth.complete();
            assertThat(server.snapshots().read(TEN)).isEqualTo(Bytes.wrap(new byte[] {9, 9}));
            try (var names = Files.list(snapshotsDir()))
            {
                assertThat(names.map(p -> p.getFileName().toString()).toList())
                    .containsExactly(FileSnapshotStore.fileName(TEN));
            }
        }
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.snapshots().latest()).isEqualTo(TEN);
            assertThat(server.snapshots().read(TEN)).isEqualTo(Bytes.wrap(new byte[] {9, 9}));
        }
    }

    /**
     * A receive neither completed nor aborted (its leader went away mid-transfer, the server stopped) kept its
     * temporary file, and its descriptor, until the next start: a whole snapshot's worth of disk per abandoned receive.
     * Closing the server's storage ends the receives it started.
     */
    @Test
    void closingTheServerStorageDiscardsAnUnfinishedReceive() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            final SnapshotSink abandoned = server.snapshots().accept(TEN);
            abandoned.append(Bytes.wrap(new byte[] {1, 2, 3, 4}));
            server.close();
            try (var names = Files.list(snapshotsDir()))
            {
                assertThat(names.map(p -> p.getFileName().toString()).toList()).as("files left").isEmpty();
            }
            assertThatThrownBy(abandoned::complete).isInstanceOf(IllegalStateException.class);
            final ServerStorage reopened = storage.open(A, new RecordingListener());
            assertThat(reopened.snapshots().latest()).isNull();
        }
    }
}
