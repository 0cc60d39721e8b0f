package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotSink;
import dev.ra.spi.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's snapshot store against its lifecycle: bad arguments, writes after close, and the fallback snapshot.
 */
class SnapshotStoreLifecycleTest
{
    private static final ServerId A = new ServerId("a", "node1");
    private static final SnapshotMeta FIVE = new SnapshotMeta(5, 1, List.of(), 0);
    private static final SnapshotMeta TEN = new SnapshotMeta(10, 1, List.of(), 0);
    private static final SnapshotMeta FIFTEEN = new SnapshotMeta(15, 1, List.of(), 0);

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build();
    }

    private Path snapshotsDir()
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(A)).resolve("snapshots");
    }

    /**
     * The servers removed from the cluster up to a snapshot ({@code SnapshotMeta.removed}) were not written to the
     * snapshot file: a leader restarted from it no longer recognised a member removed while its node was down, which
     * then campaigned for ever. They are kept after the metadata, where an earlier release reads past them.
     */
    @Test
    void aSnapshotKeepsTheServersRemovedUpToItAcrossARestart()
    {
        final List<ServerId> removed = List.of(new ServerId("a", "node4"), new ServerId("a", "node5"));
        final SnapshotMeta withRemoved = new SnapshotMeta(20, 2, List.of(), 0).withRemoved(removed);
        try (FileStorage storage = storage())
        {
            storage.open(A, new RecordingListener()).snapshots().write(withRemoved, Bytes.wrap(new byte[] {1, 2}));
        }
        try (FileStorage storage = storage())
        {
            final SnapshotMeta read = storage.open(A, new RecordingListener()).snapshots().latest();
            assertThat(read.index()).isEqualTo(20);
            assertThat(read.removed()).containsExactlyElementsOf(removed);
        }
    }

    /**
     * A negative chunk size reached {@code ByteBuffer.allocate} ("capacity < 0: (-1 < 0)", naming neither the snapshot
     * nor the argument), and a negative offset was silently read as 0.
     */
    @Test
    void aChunkReadWithANegativeSizeOrOffsetIsRefusedNamingIt() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.snapshots().write(TEN, Bytes.wrap(new byte[] {1, 2, 3, 4}));
            assertThatThrownBy(() -> server.snapshots().readChunk(TEN, 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBytes -1")
                .hasMessageContaining(FileSnapshotStore.fileName(TEN));
            assertThatThrownBy(() -> server.snapshots().readChunk(TEN, -2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset -2")
                .hasMessageContaining(FileSnapshotStore.fileName(TEN));
            assertThat(server.snapshots().readChunk(TEN, 2, 10)).isEqualTo(Bytes.wrap(new byte[] {3, 4}));
        }
    }

    /**
     * A snapshot damaged after the store checked it (bit rot while the node runs): reading it whole, as a server does
     * to start from it, fails naming the file rather than hand the damaged state to the machine.
     */
    @Test
    void aSnapshotDamagedAfterOpenFailsItsReadNamingTheFile() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.snapshots().write(TEN, Bytes.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
            assertThat(server.snapshots().read(TEN)).isEqualTo(Bytes.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
            final Path file = snapshotsDir().resolve(FileSnapshotStore.fileName(TEN));
            final byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 1] ^= 0x01;
            Files.write(file, bytes);
            assertThatThrownBy(() -> server.snapshots().read(TEN))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("state checksum mismatch");
        }
    }

    /**
     * The runtime writes snapshots on a background thread, which may finish after its server was closed. The closed
     * handle wrote anyway: into a directory a storage opened since (on the same data directory) had listed already,
     * so the new store did not know the file, and the old store's retention deleted a snapshot the new store still
     * listed (reading it then failed).
     */
    @Test
    void aSnapshotWriteAfterTheServerClosedIsRefusedAndTouchesNoFile() throws Exception
    {
        final SnapshotStore stale;
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.snapshots().write(FIVE, Bytes.wrap(new byte[] {5}));
            server.snapshots().write(TEN, Bytes.wrap(new byte[] {10}));
            stale = server.snapshots();
            server.close();
            assertThatThrownBy(() -> stale.write(FIFTEEN, Bytes.wrap(new byte[] {15})))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThatThrownBy(() -> stale.write(FIFTEEN, Bytes.wrap(new byte[] {15})))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> stale.accept(FIFTEEN)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
            assertThat(Files.exists(snapshotsDir().resolve(FileSnapshotStore.fileName(FIFTEEN)))).isFalse();
            assertThat(server.snapshots().read(FIVE)).isEqualTo(Bytes.wrap(new byte[] {5}));
            assertThat(server.snapshots().latest()).isEqualTo(TEN);
        }
    }

    /**
     * The log's truncation after a snapshot went through on a closed server's handle too, and since a re-open of the
     * server in the same storage gets the same log, it moved the log of the server opened since under it: its first
     * index jumped from 1 to 121 while it had asked for nothing. Appends and resets through the old handle landed
     * there too, and closing the old handle again detached the new open's log.
     */
    @Test
    void aClosedServersLogRefusesTruncation() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10)
            .segmentMaxEntries(50).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            fill(server, listener);
            server.snapshots().write(new SnapshotMeta(60, 1, List.of(), 0), Bytes.wrap(new byte[] {1}));
            server.snapshots().write(new SnapshotMeta(120, 1, List.of(), 0), Bytes.wrap(new byte[] {2}));
            final LogStore stale = server.log();
            server.close();
            final ServerStorage again = storage.open(A, new RecordingListener());
            assertThatThrownBy(() -> stale.truncateUpTo(120)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
            assertThatThrownBy(() -> stale.append(range(2001, 2001, 1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
            stale.close();
            assertThat(again.log().firstIndex()).isEqualTo(1);
            assertThat(again.log().lastIndex()).isEqualTo(2000);
            again.log().append(range(2001, 2001, 1));
            assertThat(again.log().entry(1)).isEqualTo(TestEntries.entry(1, 1));
        }
    }

    /** Entries 1..2000 at term 1, durable: more than one WAL file of 64 KiB, so some are in segments. */
    private static void fill(final ServerStorage server, final RecordingListener listener) throws InterruptedException
    {
        for (int batch = 0; batch < 10; batch++)
        {
            server.log().append(range(batch * 200 + 1, batch * 200 + 200, 1));
            assertThat(listener.awaitIndex(batch * 200 + 200)).isTrue();
        }
    }

    /**
     * The server's close runs on a thread other servers may share: it must not wait for a whole snapshot to be
     * written and synced, only make sure it does not land. Here the write is held in its sync while the server
     * closes; the close returns, and the write, released, is refused and leaves no file.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aServersCloseDoesNotWaitForASnapshotBeingWrittenWhichThenDoesNotLand() throws Exception
    {
        final CountDownLatch syncing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final FileLayer holding = new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                final LogFile file = super.open(path, create);
                if (!path.getFileName().toString().startsWith(FileSnapshotStore.fileName(TEN)))
                {
                    return file;
                }
                return new ForwardingLogFile(file)
                {
                    @Override
                    public void force() throws IOException
                    {
                        syncing.countDown();
                        try
                        {
                            release.await();
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                        }
                        super.force();
                    }
                };
            }
        };
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(holding).build())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            final CompletableFuture<Void> write = new CompletableFuture<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    server.snapshots().write(TEN, Bytes.wrap(new byte[] {10}));
                    write.complete(null);
                }
                catch (final RuntimeException ex)
                {
                    write.completeExceptionally(ex);
                }
            }, "snapshot-writer");
            writer.start();
            syncing.await();
            server.close();
            release.countDown();
            assertThatThrownBy(write::join).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
            writer.join();
            assertThat(Files.list(snapshotsDir()).toList()).isEmpty();
            assertThat(storage.open(A, new RecordingListener()).snapshots().latest()).isNull();
        }
    }

    /**
     * A snapshot being received when its server closes: completing it afterwards is refused and leaves no file.
     */
    @Test
    void aSnapshotReceivedWhileTheServerClosesIsNotInstalled() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            final SnapshotSink sink = server.snapshots().accept(TEN);
            sink.append(Bytes.wrap(new byte[] {1, 2}));
            server.close();
            assertThatThrownBy(sink::complete).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
            assertThat(Files.list(snapshotsDir()).toList()).isEmpty();
            final ServerStorage again = storage.open(A, new RecordingListener());
            assertThat(again.snapshots().latest()).isNull();
        }
    }

    /**
     * After a snapshot install reset the log, the older snapshot is no fallback: the entries between it and the
     * install are in neither (it is deleted, see InstalledSnapshotRetentionTest). If the installed snapshot is then
     * found damaged, the open must say so, naming the damaged file, rather than only that entries are missing.
     */
    @Test
    void aDamagedInstalledSnapshotIsNamedWhenTheOlderOneCannotReplaceIt() throws Exception
    {
        final SnapshotMeta first = new SnapshotMeta(100, 1, List.of(), 0);
        final SnapshotMeta installed = new SnapshotMeta(500, 3, List.of(), 0);
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 300, 1));
            assertThat(listener.awaitIndex(300)).isTrue();
            server.snapshots().write(first, Bytes.wrap(new byte[] {1, 2, 3}));
            server.log().truncateUpTo(100);
            server.snapshots().write(installed, Bytes.wrap(new byte[] {9, 9, 9, 9}));
            server.log().resetTo(500, 3);
            server.log().append(range(501, 510, 3));
            assertThat(listener.awaitIndex(510)).isTrue();
        }
        final Path newest = snapshotsDir().resolve(FileSnapshotStore.fileName(installed));
        final byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 1;
        Files.write(newest, bytes);
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(newest.toString())
                .hasMessageContaining("entries 1..500 are missing");
        }
    }
}
