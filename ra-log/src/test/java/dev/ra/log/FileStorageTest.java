package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest
{
    private static final ServerId A = new ServerId("a", "node1");
    private static final ServerId B = new ServerId("b/x:ü*", "node1");

    @TempDir
    Path dir;

    private FileStorage storage(final long walMaxBytes)
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(walMaxBytes).segmentMaxEntries(50).build();
    }

    private static List<LogEntry> readAll(final LogStore log)
    {
        final List<LogEntry> out = new ArrayList<>();
        log.read(log.firstIndex(), log.lastIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, out);
        return out;
    }

    @Test
    void appendedEntriesAreReadableAtOnceAndReportedDurable() throws Exception
    {
        try (FileStorage storage = storage(1 << 20))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 10, 1));
            assertThat(server.log().lastIndex()).isEqualTo(10);
            assertThat(server.log().entry(7)).isEqualTo(entry(7, 1));
            assertThat(listener.awaitIndex(10)).isTrue();
            assertThat(listener.term()).isEqualTo(1);
            assertThat(server.log().lastWrittenIndex()).isEqualTo(10);
            assertThat(server.log().term(0)).isEqualTo(LogStore.NO_TERM);
            assertThat(server.log().term(11)).isEqualTo(LogStore.UNKNOWN_TERM);
        }
    }

    @Test
    void entriesSurviveRestartAcrossRolloversAndSegments() throws Exception
    {
        try (FileStorage storage = storage(64 << 10))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            for (int i = 0; i < 30; i++)
            {
                server.log().append(range(i * 100L + 1, i * 100L + 100, 1));
                assertThat(listener.awaitIndex(i * 100L + 100)).isTrue();
            }
            assertThat(listener.awaitIndex(3000)).isTrue();
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            assertThat(storage.loadedLog(A).segmentFileCount()).isGreaterThan(1);
            assertThat(readAll(server.log())).hasSize(3000);
        }
        try (FileStorage storage = storage(64 << 10))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(3000);
            assertThat(server.log().lastWrittenIndex()).isEqualTo(3000);
            final List<LogEntry> all = readAll(server.log());
            assertThat(all).hasSize(3000);
            for (int i = 0; i < all.size(); i++)
            {
                assertThat(all.get(i)).isEqualTo(entry(i + 1, 1));
            }
        }
    }

    /**
     * Regression (LogRecoveryProperties with more tries, "live entries"): after a truncation, entries appended again
     * at the same indexes and term with other content must not be replaced by the older ones when the WAL file
     * holding those is flushed into segments (the memtable used to drop entries matching by index and term only).
     */
    @Test
    void entriesAppendedAgainAtTheSameIndexAndTermAfterATruncationAreNotReplacedByTheOlderOnes() throws Exception
    {
        final List<LogEntry> old = new ArrayList<>();
        final List<LogEntry> fresh = new ArrayList<>();
        for (long i = 1; i <= 20; i++)
        {
            old.add(entry(i, 1, "old-" + i + "x".repeat(4000)));
            fresh.add(entry(i, 1, "new-" + i + "x".repeat(4000)));
        }
        try (FileStorage storage = storage(64 << 10))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(old);
            assertThat(listener.awaitIndex(20)).isTrue();
            // Entry 10 again: the log is cut after it; then 11..20 of the same term but other content.
            server.log().append(old.subList(9, 10));
            assertThat(server.log().lastIndex()).isEqualTo(10);
            server.log().append(fresh.subList(10, 20));
            // The next batch rolls the WAL file over, and the file with the old 11..20 is flushed into segments.
            server.log().append(List.of(entry(21, 1)));
            assertThat(listener.awaitIndex(21)).isTrue();
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
            assertThat(storage.loadedLog(A).segmentFileCount()).isGreaterThan(0);
            final List<LogEntry> live = readAll(server.log());
            assertThat(live.subList(10, 20)).isEqualTo(fresh.subList(10, 20));
        }
        try (FileStorage storage = storage(64 << 10))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            final List<LogEntry> all = readAll(server.log());
            assertThat(all).hasSize(21);
            assertThat(all.subList(0, 10)).isEqualTo(old.subList(0, 10));
            assertThat(all.subList(10, 20)).isEqualTo(fresh.subList(10, 20));
        }
    }

    /**
     * The durability report of a batch names its last entry by index, term and checksum: an entry appended again at
     * the same index and term with other content after a truncation, not written yet, must not be reported durable
     * when the batch with the older one is. Here the older entry 21's batch is held in its sync while the log is cut
     * after 20 and the new 21 appended; the new one's batch is then held in its sync: nothing may say 21 is durable.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBatchOfAnOlderEntryAtTheSameIndexAndTermDoesNotMakeTheNewOneDurable() throws Exception
    {
        final AtomicBoolean holding = new AtomicBoolean();
        final Semaphore syncing = new Semaphore(0);
        final Semaphore release = new Semaphore(0);
        final FileLayer held = new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                final LogFile file = super.open(path, create);
                if (WalFormat.sequenceOf(path.getFileName().toString()) < 0)
                {
                    return file;
                }
                return new ForwardingLogFile(file)
                {
                    @Override
                    public void force() throws IOException
                    {
                        if (holding.get())
                        {
                            syncing.release();
                            try
                            {
                                release.tryAcquire(30, TimeUnit.SECONDS);
                            }
                            catch (final InterruptedException ex)
                            {
                                Thread.currentThread().interrupt();
                            }
                        }
                        super.force();
                    }
                };
            }
        };
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(held).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 20, 1));
            assertThat(listener.awaitIndex(20)).isTrue();
            holding.set(true);
            try
            {
                server.log().append(List.of(entry(21, 1, "older")));
                assertThat(syncing.tryAcquire(30, TimeUnit.SECONDS)).as("the older 21's batch syncs").isTrue();
                server.log().append(List.of(entry(20, 1)));
                server.log().append(List.of(entry(21, 1, "newer")));
                release.release();
                assertThat(syncing.tryAcquire(30, TimeUnit.SECONDS)).as("the newer 21's batch syncs").isTrue();
                assertThat(server.log().lastWrittenIndex()).as("written while the newer 21 is not").isEqualTo(20);
                assertThat(listener.index()).as("reported durable while the newer 21 is not").isEqualTo(20);
            }
            finally
            {
                // Also when an assertion failed: the writer must not stay held, or closing the storage waits for it.
                holding.set(false);
                release.release(2);
            }
            assertThat(listener.awaitIndex(21)).isTrue();
            assertThat(server.log().entry(21)).isEqualTo(entry(21, 1, "newer"));
        }
    }

    @Test
    void overwriteReplacesDivergentSuffixInMemoryAndAfterRestart() throws Exception
    {
        try (FileStorage storage = storage(64 << 10))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 2000, 1));
            assertThat(listener.awaitIndex(2000)).isTrue();
            storage.awaitSegmentWriter(Duration.ofSeconds(30));
            // The WAL writer may make the new entries durable at any moment after the append, so a bare read of
            // lastWrittenIndex races with it. Held inside another server's durability report, the writer (which
            // reports under its write lock, so no inline write either) cannot write them: what is asserted is then
            // exactly what the truncation guarantees, that the old term's 1500..2000 no longer count as written.
            final HeldWriter held = new HeldWriter();
            storage.open(B, held).log().append(range(1, 1, 1));
            try
            {
                assertThat(held.awaitHeld()).isTrue();
                server.log().append(range(1500, 1600, 2));
                assertThat(server.log().lastIndex()).isEqualTo(1600);
                assertThat(server.log().lastWrittenIndex()).isEqualTo(1499);
                assertThat(server.log().term(1499)).isEqualTo(1);
                assertThat(server.log().term(1500)).isEqualTo(2);
            }
            finally
            {
                held.release();
            }
            assertThat(listener.awaitReport(1600, 2)).isTrue();
            assertThat(server.log().lastWrittenIndex()).isEqualTo(1600);
            server.log().append(range(1550, 1560, 2));
            assertThat(server.log().lastIndex()).isEqualTo(1560);
        }
        try (FileStorage storage = storage(64 << 10))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(1560);
            assertThat(server.log().entry(1499)).isEqualTo(entry(1499, 1));
            assertThat(server.log().entry(1560)).isEqualTo(entry(1560, 2));
            assertThat(server.log().entry(1561)).isNull();
        }
    }

    @Test
    @SuppressWarnings("try") // The first storage is opened only to hold the directory's lock.
    void aSecondStorageOnTheSameDirectoryIsRefused()
    {
        try (FileStorage storage = storage(1 << 20))
        {
            assertThatThrownBy(() -> storage(1 << 20)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already used");
        }
        storage(1 << 20).close();
    }

    @Test
    void appendWithGapIsRejected()
    {
        try (FileStorage storage = storage(1 << 20))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.log().append(range(1, 3, 1));
            assertThatThrownBy(() -> server.log().append(range(5, 6, 1))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void snapshotTruncationAndResetSurviveRestart() throws Exception
    {
        final SnapshotMeta first = new SnapshotMeta(100, 1, List.of(), 0);
        final SnapshotMeta installed = new SnapshotMeta(500, 3, List.of(), 0);
        try (FileStorage storage = storage(64 << 10))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 300, 1));
            assertThat(listener.awaitIndex(300)).isTrue();
            server.snapshots().write(first, Bytes.wrap(new byte[] {1, 2, 3}));
            server.log().truncateUpTo(100);
            assertThat(server.log().firstIndex()).isEqualTo(101);
            assertThat(server.log().entry(100)).isNull();
            assertThat(server.log().term(100)).isEqualTo(1);
            server.snapshots().write(installed, Bytes.wrap(new byte[] {9}));
            server.log().resetTo(500, 3);
            assertThat(server.log().lastIndex()).isEqualTo(500);
            assertThat(server.log().firstIndex()).isEqualTo(501);
            server.log().append(range(501, 510, 3));
            assertThat(listener.awaitIndex(510)).isTrue();
        }
        try (FileStorage storage = storage(64 << 10))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.snapshots().latest()).isEqualTo(installed);
            assertThat(server.snapshots().read(installed)).isEqualTo(Bytes.wrap(new byte[] {9}));
            assertThat(server.log().firstIndex()).isEqualTo(501);
            assertThat(server.log().lastIndex()).isEqualTo(510);
            assertThat(server.log().term(500)).isEqualTo(3);
            assertThat(server.log().entry(505)).isEqualTo(entry(505, 3));
            assertThat(server.log().entry(300)).isNull();
        }
    }

    @Test
    void truncateUpToASnapshotBeyondTheLogContinuesAfterIt() throws Exception
    {
        final SnapshotMeta meta = new SnapshotMeta(50, 2, List.of(), 0);
        try (FileStorage storage = storage(1 << 20))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 10, 1));
            assertThatThrownBy(() -> server.log().truncateUpTo(20)).isInstanceOf(IllegalArgumentException.class);
            server.snapshots().write(meta, Bytes.wrap(new byte[] {5}));
            server.log().truncateUpTo(50);
            assertThat(server.log().lastIndex()).isEqualTo(50);
            assertThat(server.log().lastWrittenIndex()).isEqualTo(50);
            assertThat(server.log().term(50)).isEqualTo(2);
            server.log().append(range(51, 55, 2));
            assertThat(listener.awaitIndex(55)).isTrue();
        }
        try (FileStorage storage = storage(1 << 20))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().firstIndex()).isEqualTo(51);
            assertThat(server.log().lastIndex()).isEqualTo(55);
        }
    }

    @Test
    void metaStoreKeepsTermVoteAppliedAndConfig()
    {
        try (FileStorage storage = storage(1 << 20))
        {
            final ServerStorage server = storage.open(B, new RecordingListener());
            server.meta().storeTermAndVote(5, A);
            server.meta().storeTermAndVote(6, null);
            server.meta().storeTermAndVote(7, B);
            server.meta().storeLastApplied(42);
            server.meta().storeServerConfig(new byte[] {4, 5, 6});
        }
        try (FileStorage storage = storage(1 << 20))
        {
            assertThat(storage.servers()).containsExactly(B);
            final ServerStorage server = storage.open(B, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(7);
            assertThat(server.meta().votedFor()).isEqualTo(B);
            assertThat(server.meta().lastApplied()).isEqualTo(42);
            assertThat(server.meta().serverConfig()).containsExactly(4, 5, 6);
        }
    }

    @Test
    void snapshotChunksReassembleTheState()
    {
        try (FileStorage storage = storage(1 << 20))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            final byte[] state = new byte[10_000];
            for (int i = 0; i < state.length; i++)
            {
                state[i] = (byte)(i * 31);
            }
            final SnapshotMeta meta = new SnapshotMeta(1, 1, List.of(), 2);
            server.snapshots().write(meta, Bytes.wrap(state));
            assertThat(server.snapshots().size(meta)).isEqualTo(10_000);
            final byte[] copy = new byte[state.length];
            for (int offset = 0; offset < state.length; offset += 3000)
            {
                final Bytes chunk = server.snapshots().readChunk(meta, offset, 3000);
                System.arraycopy(chunk.unsafeArray(), 0, copy, offset, chunk.length());
            }
            assertThat(copy).isEqualTo(state);
        }
    }

    @Test
    void snapshotReceivedInChunksIsStoredDurably()
    {
        final byte[] state = new byte[5000];
        java.util.Arrays.fill(state, (byte)7);
        final SnapshotMeta meta = new SnapshotMeta(40, 2, List.of(), 1);
        try (FileStorage storage = storage(1 << 20))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            final dev.ra.spi.SnapshotSink aborted = server.snapshots().accept(new SnapshotMeta(30, 2, List.of(), 1));
            aborted.append(Bytes.wrap(new byte[] {1, 2}));
            aborted.abort();
            final dev.ra.spi.SnapshotSink sink = server.snapshots().accept(meta);
            for (int offset = 0; offset < state.length; offset += 1200)
            {
                sink.append(Bytes.copyOf(state, offset, Math.min(1200, state.length - offset)));
            }
            sink.complete();
            assertThat(server.snapshots().latest()).isEqualTo(meta);
            server.log().resetTo(40, 2);
        }
        try (FileStorage storage = storage(1 << 20))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.snapshots().latest()).isEqualTo(meta);
            assertThat(server.snapshots().read(meta).unsafeArray()).isEqualTo(state);
            assertThat(server.log().firstIndex()).isEqualTo(41);
        }
    }

    @Test
    void deletedServerIsGoneAndItsOldWalRecordsAreNotReplayed() throws Exception
    {
        try (FileStorage storage = storage(1 << 20))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 20, 1));
            assertThat(listener.awaitIndex(20)).isTrue();
            server.close();
            storage.delete(A);
            assertThat(storage.exists(A)).isFalse();
            final RecordingListener again = new RecordingListener();
            final ServerStorage reborn = storage.open(A, again);
            assertThat(reborn.log().lastIndex()).isZero();
            reborn.log().append(range(1, 5, 7));
            assertThat(again.awaitIndex(5)).isTrue();
        }
        try (FileStorage storage = storage(1 << 20))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(5);
            assertThat(server.log().term(5)).isEqualTo(7);
        }
    }

    @Test
    void reopenWithinTheSameStorageKeepsUnflushedEntries() throws Exception
    {
        try (FileStorage storage = storage(1 << 20))
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(1, 20, 1));
            assertThat(listener.awaitIndex(20)).isTrue();
            server.close();
            assertThatThrownBy(() -> server.log().append(range(21, 21, 1))).isInstanceOf(IllegalStateException.class);
            final ServerStorage again = storage.open(A, new RecordingListener());
            assertThat(again.log().lastIndex()).isEqualTo(20);
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class);
        }
    }

    /**
     * A listener whose first durability report keeps the WAL writer thread (the one reporting) until released, so a
     * test can look at a log while nothing more is written.
     */
    private static final class HeldWriter implements LogListener
    {
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        @Override
        public void onWritten(final long writtenIndex, final long writtenTerm)
        {
            held.countDown();
            try
            {
                // Bounded: a failing test that never releases it must not hang the build.
                released.await(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onFailure(final Throwable cause)
        {
            held.countDown();
        }

        boolean awaitHeld() throws InterruptedException
        {
            return held.await(30, TimeUnit.SECONDS);
        }

        void release()
        {
            released.countDown();
        }
    }
}
