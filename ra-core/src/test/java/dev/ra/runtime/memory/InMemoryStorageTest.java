package dev.ra.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InMemoryStorageTest
{
    private static final ServerId ID = new ServerId("s", "n1");

    private final List<long[]> written = new CopyOnWriteArrayList<>();
    private final LogListener listener = new LogListener()
    {
        @Override
        public void onWritten(final long index, final long term)
        {
            written.add(new long[] {index, term});
        }

        @Override
        public void onFailure(final Throwable cause)
        {
            throw new AssertionError(cause);
        }
    };

    private static List<LogEntry> entries(final long from, final long to, final long term)
    {
        final List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++)
        {
            list.add(new LogEntry(i, term, 0, new EntryPayload.Noop(0)));
        }
        return list;
    }

    @Test
    void appendedEntriesAreReadableAndReportedDurableAtOnceWithoutASyncDelay()
    {
        try (InMemoryStorage storage = new InMemoryStorage())
        {
            final LogStore log = storage.open(ID, listener).log();
            assertThat(log.firstIndex()).isEqualTo(1);
            assertThat(log.lastIndex()).isZero();
            assertThat(log.term(0)).isEqualTo(LogStore.NO_TERM);

            log.append(entries(1, 5, 1));

            assertThat(log.lastIndex()).isEqualTo(5);
            assertThat(log.lastWrittenIndex()).isEqualTo(5);
            assertThat(log.term(3)).isEqualTo(1);
            assertThat(log.term(6)).isEqualTo(LogStore.UNKNOWN_TERM);
            assertThat(written).hasSize(1);
            assertThat(written.get(0)).containsExactly(5, 1);
            final List<LogEntry> read = new ArrayList<>();
            assertThat(log.read(2, 4, 10, Long.MAX_VALUE, read)).isEqualTo(3);
            assertThat(read).extracting(LogEntry::index).containsExactly(2L, 3L, 4L);
        }
    }

    @Test
    void appendingBelowTheEndOverwritesTheSuffixAndAGapIsRefused()
    {
        try (InMemoryStorage storage = new InMemoryStorage())
        {
            final LogStore log = storage.open(ID, listener).log();
            log.append(entries(1, 5, 1));

            log.append(entries(3, 4, 2));

            assertThat(log.lastIndex()).isEqualTo(4);
            assertThat(log.term(2)).isEqualTo(1);
            assertThat(log.term(3)).isEqualTo(2);
            assertThatThrownBy(() -> log.append(entries(7, 7, 2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gap");
        }
    }

    @Test
    void truncateUpToAndResetToKeepTheBoundaryTerm()
    {
        try (InMemoryStorage storage = new InMemoryStorage())
        {
            final LogStore log = storage.open(ID, listener).log();
            log.append(entries(1, 10, 3));

            log.truncateUpTo(6);
            assertThat(log.firstIndex()).isEqualTo(7);
            assertThat(log.term(6)).isEqualTo(3);
            assertThat(log.entry(6)).isNull();
            assertThat(log.lastIndex()).isEqualTo(10);

            log.resetTo(20, 4);
            assertThat(log.lastIndex()).isEqualTo(20);
            assertThat(log.term(20)).isEqualTo(4);
            assertThat(log.firstIndex()).isEqualTo(21);
            log.append(entries(21, 21, 4));
            assertThat(log.lastIndex()).isEqualTo(21);
        }
    }

    @Test
    void dataSurvivesCloseAndReopenButUnsyncedEntriesAreLostLikeInACrash()
    {
        try (InMemoryStorage storage = new InMemoryStorage(Duration.ofSeconds(30)))
        {
            final ServerStorage first = storage.open(ID, listener);
            first.meta().storeTermAndVote(7, ID);
            first.meta().storeServerConfig(new byte[] {1, 2});
            first.snapshots().write(new SnapshotMeta(3, 2, List.of(Member.voter(ID)), 0), Bytes.wrap(new byte[] {9}));
            first.log().resetTo(3, 2);
            first.log().append(entries(4, 6, 7));
            assertThat(first.log().lastWrittenIndex()).isEqualTo(3);
            first.close();

            assertThat(storage.exists(ID)).isTrue();
            final ServerStorage second = storage.open(ID, listener);
            assertThat(second.meta().currentTerm()).isEqualTo(7);
            assertThat(second.meta().votedFor()).isEqualTo(ID);
            assertThat(second.meta().serverConfig()).containsExactly(1, 2);
            assertThat(second.snapshots().latest().index()).isEqualTo(3);
            assertThat(second.log().lastIndex()).as("entries never synced are gone").isEqualTo(3);
            assertThatThrownBy(() -> storage.open(ID, listener)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already open");
            assertThatThrownBy(() -> storage.delete(ID)).isInstanceOf(IllegalStateException.class);
            second.close();
            storage.delete(ID);
            assertThat(storage.exists(ID)).isFalse();
        }
    }

    @Test
    void aSyncDelayReportsDurabilityLaterFromTheSyncThread() throws InterruptedException
    {
        try (InMemoryStorage storage = new InMemoryStorage(Duration.ofMillis(20)))
        {
            final LogStore log = storage.open(ID, listener).log();
            log.append(entries(1, 3, 1));
            assertThat(log.lastIndex()).isEqualTo(3);

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (written.isEmpty() && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertThat(written).isNotEmpty();
            assertThat(written.get(written.size() - 1)).containsExactly(3, 1);
            assertThat(log.lastWrittenIndex()).isEqualTo(3);
        }
    }

    /**
     * A leader sending its newest snapshot reads it in chunks while the next one may be written in the background: the
     * one it started on stays readable until a second newer one replaces it, as FileStorage keeps the two newest. The
     * store used to keep only the newest, so a write landing between the leader's {@code latest()} and its read made
     * the read throw, and the leader stopped.
     */
    @Test
    void theSnapshotBeforeTheNewestStaysReadableWhileItIsSent()
    {
        try (InMemoryStorage storage = new InMemoryStorage())
        {
            final ServerStorage server = storage.open(ID, listener);
            final SnapshotMeta first = new SnapshotMeta(3, 2, List.of(Member.voter(ID)), 0);
            final SnapshotMeta second = new SnapshotMeta(5, 2, List.of(Member.voter(ID)), 0);
            final SnapshotMeta third = new SnapshotMeta(9, 2, List.of(Member.voter(ID)), 0);
            server.snapshots().write(first, Bytes.wrap(new byte[] {1, 2, 3}));
            assertThat(server.snapshots().latest()).isEqualTo(first);

            server.snapshots().write(second, Bytes.wrap(new byte[] {4, 5}));

            assertThat(server.snapshots().latest()).isEqualTo(second);
            assertThat(server.snapshots().size(first)).isEqualTo(3);
            assertThat(server.snapshots().readChunk(first, 1, 10).length()).isEqualTo(2);
            server.snapshots().write(third, Bytes.wrap(new byte[] {6}));
            assertThat(server.snapshots().read(second).length()).isEqualTo(2);
            assertThatThrownBy(() -> server.snapshots().read(first)).isInstanceOf(IllegalStateException.class);
            server.close();
        }
    }

    @Test
    void remembersTheNewestDeletionsAcrossACloseOldestDroppedFirst()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        assertThat(storage.rememberedDeletions()).as("none yet").isEmpty();
        for (int i = 0; i <= Storage.REMEMBERED_DELETIONS; i++)
        {
            storage.rememberDeletion(new ServerId("s" + i, "n1"), i);
        }
        storage.rememberDeletion(new ServerId("s1", "n1"), 7);
        storage.close();

        final List<ServerId> kept = new ArrayList<>(storage.rememberedDeletions().keySet());
        assertThat(kept).hasSize(Storage.REMEMBERED_DELETIONS);
        assertThat(kept.get(0)).as("the oldest went first").isEqualTo(new ServerId("s2", "n1"));
        assertThat(kept.get(kept.size() - 1)).as("a record made again is the newest")
            .isEqualTo(new ServerId("s1", "n1"));
        assertThat(storage.rememberedDeletions()).containsEntry(new ServerId("s1", "n1"), 7L)
            .doesNotContainKey(new ServerId("s0", "n1"));
    }

    /**
     * A deletion's record named the data stored when it was made, and held it while the record lasted: every deleted
     * server's whole log stayed in memory until 16,384 later deletions (a simulation or benchmark creating and deleting
     * clusters held thousands of dead logs). Once the data is deleted no record can name it any more, and it is let go.
     */
    @Test
    void theDataOfADeletedServerIsNotHeldByItsRecord()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        final ServerStorage server = storage.open(ID, listener);
        server.log().append(entries(1, 100, 1));
        server.close();
        storage.rememberDeletion(ID, 1);
        assertThat(storage.unfinishedDeletions()).as("recorded, not deleted yet").containsExactly(ID);

        storage.delete(ID);

        assertThat(storage.deletedDataHeld()).as("data of deleted servers held").isZero();
        assertThat(storage.unfinishedDeletions()).isEmpty();
        assertThat(storage.rememberedDeletions()).as("the record stays").containsEntry(ID, 1L);
    }
}
