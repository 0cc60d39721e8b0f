package dev.ra.log;

import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.MetaStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bugs found by reviewing ra-log: each test fails on the code as it was and describes what is wrong.
 */
class LogReviewTest
{
    private static final ServerId A = new ServerId("a", "n1");
    private static final ServerId B = new ServerId("b", "n1");

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).build();
    }

    private Path serverDir(final ServerId id)
    {
        return dir.resolve("servers").resolve(ServerDirectory.dirName(id));
    }

    private static void truncate(final Path file, final long size) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(size);
        }
    }

    /**
     * Both meta files cut back to their 16-byte header (or any size that leaves the header but no slot) read as "no
     * file problem and no state": FileMetaStore.read returns neither a slot nor a problem, so a server whose log is
     * empty (it voted before receiving any entry) comes back as a brand-new server at term 0 with no vote, free to vote
     * again in a term where it already voted. A meta file that is there but holds no valid slot is damage, like one
     * that is zero-filled: term and vote must be reported lost.
     */
    @Test
    void metaFilesCutToTheirHeaderAreDamageNotANewServer() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.meta().storeTermAndVote(7, B);
        }
        truncate(serverDir(A).resolve(ServerDirectory.META_FILE), FileMetaStore.HEADER);
        truncate(serverDir(A).resolve(ServerDirectory.META_COPY_FILE), FileMetaStore.SLOT_SIZE);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().termAndVoteLost()).as("term 7 and the vote for b are lost").isTrue();
        }
    }

    /**
     * A storage that fails to start its first WAL file (disk full, a failed sync) throws from build(), but leaves the
     * WAL mark and the half-started WAL file open: every retry of build() leaks two descriptors. Everything a failed
     * build opened must be closed.
     */
    @Test
    void aFailedBuildClosesWhatItOpened() throws Exception
    {
        final Set<LogFile> openFiles = ConcurrentHashMap.newKeySet();
        final Path walDirectory = dir.resolve(FileStorage.WAL_DIR);
        final FileLayer layer = new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                final LogFile opened = super.open(path, create);
                final LogFile tracked = new ForwardingLogFile(opened)
                {
                    @Override
                    public void force() throws IOException
                    {
                        if (path.getParent().equals(walDirectory) && path.toString().endsWith(".wal"))
                        {
                            throw new IOException("injected: no space left on device");
                        }
                        super.force();
                    }

                    @Override
                    public void close() throws IOException
                    {
                        openFiles.remove(this);
                        super.close();
                    }
                };
                openFiles.add(tracked);
                return tracked;
            }
        };
        assertThatThrownBy(() -> FileStorage.builder().directory(dir).fileLayer(layer).build())
            .hasStackTraceContaining("injected");
        assertThat(openFiles).as("files left open by a failed build").isEmpty();
    }

    /**
     * delete() on a closed storage is refused by the segment writer's executor with a bare
     * RejectedExecutionException, after having already forgotten the server's log. Like open(), it must throw an
     * IllegalStateException saying the storage is closed, and change nothing. (awaitSegmentWriter() threw the same
     * RejectedExecutionException after close.)
     */
    @Test
    void deleteAfterCloseSaysTheStorageIsClosed() throws Exception
    {
        final FileStorage storage = storage();
        storage.open(A, new RecordingListener()).close();
        storage.close();
        assertThatThrownBy(() -> storage.delete(A)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
        // Its sibling: nothing is left for the segment writer of a closed storage, and asking is no error.
        assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(1))).isTrue();
        try (FileStorage again = storage())
        {
            assertThat(again.servers()).containsExactly(A);
        }
    }

    /**
     * A meta store handle stays writable after its server storage is closed: a late storeTermAndVote through it (from
     * the closed server's writer thread, say) writes a slot with its own, stale sequence number, over the slot the
     * re-opened server's store just wrote with the same number. The term goes backwards on disk (5 to 3) and the vote
     * changes, so after a restart the server may vote again in a term it already voted in. A closed meta store must
     * refuse writes with an IllegalStateException and leave the files alone.
     */
    @Test
    void aClosedMetaStoreCannotOverwriteTheReopenedOne() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final ServerStorage first = storage.open(A, new RecordingListener());
            final MetaStore stale = first.meta();
            first.close();
            final ServerStorage second = storage.open(A, new RecordingListener());
            second.meta().storeTermAndVote(5, B);
            assertThatThrownBy(() -> stale.storeTermAndVote(3, A)).isInstanceOf(IllegalStateException.class);
            second.close();
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(5);
            assertThat(server.meta().votedFor()).isEqualTo(B);
        }
    }

    /**
     * open() of a server while delete() of the same server is under way is let through: delete() only refuses servers
     * that are open or opening, and open() does not look at deletions. The open finds the half-deleted directory
     * (identity file gone), takes it for debris and creates the server anew, and the deletion then goes on deleting
     * the new server's files under it (its identity, meta files and segments directory): its term and vote are not on
     * disk, and its first flush fails the whole storage. open() must refuse (or wait for) a server being deleted.
     */
    @Test
    void openDuringDeleteDoesNotHandOutAServerWhoseFilesAreBeingDeleted() throws Exception
    {
        final CountDownLatch identityDeleted = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicBoolean first = new AtomicBoolean(true);
        final FileLayer layer = new ForwardingFileLayer()
        {
            @Override
            public void delete(final Path path) throws IOException
            {
                super.delete(path);
                if (path.getFileName().toString().equals(ServerDirectory.ID_FILE) &&
                    Thread.currentThread().getName().equals("ra-log-segment-writer") && first.getAndSet(false))
                {
                    identityDeleted.countDown();
                    try
                    {
                        resume.await(30, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(layer).build())
        {
            storage.open(A, new RecordingListener()).close();
            final FutureTask<Void> deleting = new FutureTask<>(() -> storage.delete(A), null);
            final Thread deleter = new Thread(deleting, "review-deleter");
            deleter.setDaemon(true);
            deleter.start();
            assertThat(identityDeleted.await(30, TimeUnit.SECONDS)).isTrue();
            ServerStorage reopened = null;
            try
            {
                reopened = storage.open(A, new RecordingListener());
            }
            catch (final IllegalStateException refused)
            {
                assertThat(refused).hasMessageContaining("delet");
            }
            finally
            {
                resume.countDown();
            }
            deleting.get(30, TimeUnit.SECONDS);
            if (null != reopened)
            {
                assertThat(serverDir(A).resolve(ServerDirectory.ID_FILE)).as("the open server's identity").exists();
                assertThat(serverDir(A).resolve(ServerDirectory.META_FILE)).as("the open server's meta file").exists();
            }
        }
    }

    /**
     * At start-up, one server's damaged identity file (a bit flip in server.id, while its directory holds a term)
     * stopped the WAL replay for the whole storage: the flush's lookup of that server's directory threw, and every
     * server of the node, B included, was refused. Only the damaged server may be refused, with an error naming its
     * identity file and what to do; the others open with their whole log.
     */
    @Test
    void aDamagedIdentityOfOneServerDoesNotStopTheOthers() throws Exception
    {
        writeFiveEntriesEachThenClose();
        final Path identity = flipABitOfTheIdentityOfA();
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(identity.toString())
                .hasMessageContaining("restore server.id")
                .hasMessageContaining("remove this member");
            final ServerStorage b = storage.open(B, new RecordingListener());
            assertThat(b.log().lastIndex()).isEqualTo(5);
            assertThat(b.log().term(5)).isEqualTo(2);
            assertThat(b.meta().damagedAcknowledgedIndex()).isZero();
        }
    }

    /**
     * The records of a server whose identity is unreadable are left out of the replay, and the WAL file holding them
     * is then recycled: they are gone. If the operator restores server.id afterwards, the server must not open with
     * a clean, shorter log (it would vote as if it still held the entries it acknowledged): it reports the entries
     * it lost, as for a lost WAL tail, and the data directory reader shows the damage before that.
     */
    @Test
    void aRestoredIdentityOpensAsDamagedNotAsAShorterCleanLog() throws Exception
    {
        writeFiveEntriesEachThenClose();
        final Path identity = serverDir(A).resolve(ServerDirectory.ID_FILE);
        final byte[] original = Files.readAllBytes(identity);
        flipABitOfTheIdentityOfA();
        storage().close();
        final DataDirectoryReader reader = DataDirectoryReader.open(dir);
        final DataDirectoryReader.ServerFiles damaged = reader.servers().stream()
            .filter(s -> s.root().equals(serverDir(A))).findFirst().orElseThrow();
        assertThat(damaged.identityDamage()).as("server.id reported").isNotNull();
        assertThat(damaged.identityDamage().file()).isEqualTo(identity);
        assertThat(reader.meta(damaged).damagedIndex()).as("recorded damage reported").isEqualTo(5);
        assertThat(reader.verify()).anyMatch(d -> d.file().equals(identity));
        Files.write(identity, original);
        try (FileStorage storage = storage())
        {
            final ServerStorage a = storage.open(A, new RecordingListener());
            assertThat(a.meta().damagedAcknowledgedIndex()).as("entries it may have acknowledged, lost").isEqualTo(5);
            assertThat(a.meta().termAndVoteLost()).isFalse();
            assertThat(a.meta().currentTerm()).isEqualTo(2);
            assertThat(a.log().lastIndex()).isZero();
            assertThat(storage.open(B, new RecordingListener()).log().lastIndex()).isEqualTo(5);
        }
        final DataDirectoryReader.ServerFiles restored = DataDirectoryReader.open(dir).servers().stream()
            .filter(s -> s.root().equals(serverDir(A))).findFirst().orElseThrow();
        assertThat(DataDirectoryReader.open(dir).meta(restored).damagedIndex()).isEqualTo(5);
    }

    /**
     * The same with both meta files lost as well (the directory still holds segments, so it is no debris): the
     * records left out are recorded in new meta files, with term and vote lost, rather than nowhere.
     */
    @Test
    void aDamagedIdentityWithoutMetaFilesRecordsTermAndVoteLost() throws Exception
    {
        writeFiveEntriesEachThenClose();
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage a = storage.open(A, listener);
            a.log().append(range(6, 8, 2));
            assertThat(listener.awaitIndex(8)).isTrue();
        }
        final Path identity = serverDir(A).resolve(ServerDirectory.ID_FILE);
        final byte[] original = Files.readAllBytes(identity);
        flipABitOfTheIdentityOfA();
        Files.delete(serverDir(A).resolve(ServerDirectory.META_FILE));
        Files.delete(serverDir(A).resolve(ServerDirectory.META_COPY_FILE));
        try (FileStorage storage = storage())
        {
            assertThatThrownBy(() -> storage.open(A, new RecordingListener()))
                .hasMessageContaining(identity.toString());
            assertThat(storage.open(B, new RecordingListener()).log().lastIndex()).isEqualTo(5);
        }
        Files.write(identity, original);
        try (FileStorage storage = storage())
        {
            final ServerStorage a = storage.open(A, new RecordingListener());
            assertThat(a.log().lastIndex()).isEqualTo(5);
            assertThat(a.meta().damagedAcknowledgedIndex()).isEqualTo(8);
            assertThat(a.meta().termAndVoteLost()).isTrue();
        }
    }

    /** A and B each store term 2 and make entries 1 to 5 durable; the storage is closed cleanly. */
    private void writeFiveEntriesEachThenClose() throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listenerA = new RecordingListener();
            final RecordingListener listenerB = new RecordingListener();
            final ServerStorage a = storage.open(A, listenerA);
            final ServerStorage b = storage.open(B, listenerB);
            a.meta().storeTermAndVote(2, A);
            b.meta().storeTermAndVote(2, A);
            a.log().append(range(1, 5, 2));
            b.log().append(range(1, 5, 2));
            assertThat(listenerA.awaitIndex(5)).isTrue();
            assertThat(listenerB.awaitIndex(5)).isTrue();
        }
    }

    private Path flipABitOfTheIdentityOfA() throws IOException
    {
        final Path identity = serverDir(A).resolve(ServerDirectory.ID_FILE);
        final byte[] bytes = Files.readAllBytes(identity);
        bytes[10] ^= 1;
        Files.write(identity, bytes);
        return identity;
    }
}
