package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The servers that applied their cluster's deletion on a node, with the term each ended in, are kept in the file
 * {@code deleted-servers} of the node's data directory: a restart forgets neither (docs/RUNTIME.md, "Deletion"). A
 * directory of an earlier release has no such file, and a damaged one never stops the storage.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeletedServersFileTest
{
    @TempDir
    Path dir;

    private static ServerId server(final int n)
    {
        return new ServerId("kv" + n, "n1");
    }

    private FileStorage open()
    {
        return FileStorage.builder().directory(dir).build();
    }

    @Test
    void aDirectoryOfAnEarlierReleaseRemembersNoneAndTheRecordsSurviveARestartInOrder()
    {
        try (FileStorage storage = open())
        {
            assertThat(storage.rememberedDeletions()).as("no file: none remembered").isEmpty();
            assertThat(storage.deletedServers().damage()).isNull();
            storage.rememberDeletion(server(1), 5);
            storage.rememberDeletion(server(2), 7);
            storage.rememberDeletion(server(1), 9);
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.deletedServers().damage()).isNull();
            assertThat(new ArrayList<>(storage.rememberedDeletions().entrySet())).as("oldest first; again is newest")
                .containsExactly(Map.entry(server(2), 7L), Map.entry(server(1), 9L));
        }
    }

    @Test
    void aTornAppendKeepsTheRecordsBeforeItAndTheNextDeletionWritesTheFileAnew() throws IOException
    {
        try (FileStorage storage = open())
        {
            for (int i = 1; i <= 3; i++)
            {
                storage.rememberDeletion(server(i), i);
            }
        }
        final Path file = dir.resolve(DeletedServersFile.NAME);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() - 3);
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.rememberedDeletions())
                .containsExactly(Map.entry(server(1), 1L), Map.entry(server(2), 2L));
            assertThat(storage.deletedServers().damage()).contains(file.toString()).contains("at offset");
            storage.rememberDeletion(server(4), 4);
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.deletedServers().damage()).as("written anew").isNull();
            assertThat(storage.rememberedDeletions().keySet()).containsExactly(server(1), server(2), server(4));
        }
    }

    @Test
    void aFileOfGarbageRemembersNoneAndTheStorageRunsOn() throws IOException
    {
        final byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        Files.write(dir.resolve(DeletedServersFile.NAME), garbage);
        try (FileStorage storage = open())
        {
            assertThat(storage.rememberedDeletions()).isEmpty();
            assertThat(storage.deletedServers().damage()).contains(DeletedServersFile.NAME).contains("bad magic");
            storage.open(server(1), new RecordingListener()).close();
            storage.rememberDeletion(server(2), 3);
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.rememberedDeletions()).containsExactly(Map.entry(server(2), 3L));
        }
    }

    @Test
    void aFileOfANewerVersionRemembersNoneAndIsLeftAsItIs() throws IOException
    {
        final Path file = dir.resolve(DeletedServersFile.NAME);
        final byte[] newer = ByteBuffer.allocate(12).putInt(Formats.DELETED_SERVERS_MAGIC)
            .putInt(DeletedServersFile.VERSION + 1).putInt(7).array();
        Files.write(file, newer);
        try (FileStorage storage = open())
        {
            assertThat(storage.rememberedDeletions()).isEmpty();
            assertThat(storage.deletedServers().damage()).contains(file.toString())
                .contains("unsupported format version " + (DeletedServersFile.VERSION + 1));
            assertThatThrownBy(() -> storage.rememberDeletion(server(1), 1))
                .isInstanceOf(UnsupportedFormatException.class).hasMessageContaining(file.toString());
        }
        assertThat(Files.readAllBytes(file)).as("left as it is").isEqualTo(newer);
    }

    @Test
    void aFailedWriteLeavesTheRecordsAsTheyWereAndTheNextOneWritesTheFileAnew()
    {
        final AtomicBoolean failing = new AtomicBoolean();
        final FileLayer failingRecord = new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                if (failing.get() && path.getFileName().toString().startsWith(DeletedServersFile.NAME))
                {
                    throw new IOException("no space left on device");
                }
                return super.open(path, create);
            }
        };
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(failingRecord).build())
        {
            storage.rememberDeletion(server(1), 1);
            failing.set(true);
            assertThatThrownBy(() -> storage.rememberDeletion(server(2), 2)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(DeletedServersFile.NAME).hasMessageContaining(server(2).toString());
            assertThat(storage.rememberedDeletions()).containsExactly(Map.entry(server(1), 1L));
            failing.set(false);
            storage.rememberDeletion(server(3), 3);
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.deletedServers().damage()).isNull();
            assertThat(storage.rememberedDeletions())
                .containsExactly(Map.entry(server(1), 1L), Map.entry(server(3), 3L));
        }
    }

    @Test
    void aCorruptRecordInTheMiddleKeepsThoseBeforeIt() throws IOException
    {
        try (FileStorage storage = open())
        {
            for (int i = 1; i <= 3; i++)
            {
                storage.rememberDeletion(server(i), i);
            }
        }
        final Path file = dir.resolve(DeletedServersFile.NAME);
        final byte[] data = Files.readAllBytes(file);
        // In the second record's term (the first record is as long as the second).
        data[DeletedServersFile.HEADER + (data.length - DeletedServersFile.HEADER) / 3 + 6] ^= 0x10;
        Files.write(file, data);
        try (FileStorage storage = open())
        {
            assertThat(storage.rememberedDeletions()).containsExactly(Map.entry(server(1), 1L));
            assertThat(storage.deletedServers().damage()).contains(file.toString()).contains("checksum mismatch");
        }
    }

    @Test
    void theNewestRecordsAreKeptOldestDroppedFirstAndTheFileIsWrittenAnewOnceTwiceThatLong() throws IOException
    {
        final int capacity = Storage.REMEMBERED_DELETIONS;
        final Map<ServerId, DeletedServersFile.Deletion> many = new LinkedHashMap<>();
        for (int i = 0; i < 2 * capacity; i++)
        {
            many.put(server(i), new DeletedServersFile.Deletion(i, 0));
        }
        final Path file = dir.resolve(DeletedServersFile.NAME);
        final ByteBuffer content = DeletedServersFile.encode(many);
        final byte[] bytes = new byte[content.remaining()];
        content.get(bytes);
        Files.write(file, bytes);
        final long full = Files.size(file);
        try (FileStorage storage = open())
        {
            final List<ServerId> kept = new ArrayList<>(storage.rememberedDeletions().keySet());
            assertThat(kept).hasSize(capacity);
            assertThat(kept.get(0)).as("the newest are kept").isEqualTo(server(capacity));
            storage.rememberDeletion(server(-1), 1);
            final List<ServerId> after = new ArrayList<>(storage.rememberedDeletions().keySet());
            assertThat(after).hasSize(capacity);
            assertThat(after.get(0)).as("the oldest went").isEqualTo(server(capacity + 1));
            assertThat(after.get(capacity - 1)).isEqualTo(server(-1));
        }
        assertThat(Files.size(file)).as("written anew with the kept records only").isLessThan(full * 2 / 3);
        try (FileStorage storage = open())
        {
            assertThat(storage.deletedServers().damage()).isNull();
            assertThat(storage.rememberedDeletions()).hasSize(capacity).containsEntry(server(-1), 1L)
                .doesNotContainKey(server(capacity));
        }
    }

    /**
     * A storage closed while a deletion was being recorded (the node closing while a server of a deleted cluster ends
     * on its loop) released its directory without waiting for the record: the node started again on the directory
     * read the file before the record went in, and so forgot a deletion reported recorded, and the closed storage's
     * late append went into the file the new one owned. Closing now waits for a record under way; one asked after the
     * close fails, naming the directory.
     */
    @Test
    void aStorageClosedWhileADeletionIsRecordedWaitsForTheRecordBeforeReleasingItsDirectory() throws Exception
    {
        final AtomicBoolean hold = new AtomicBoolean();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final FileLayer holding = new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                if (path.getFileName().toString().startsWith(DeletedServersFile.NAME) && hold.getAndSet(false))
                {
                    held.countDown();
                    try
                    {
                        release.await(60, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.open(path, create);
            }
        };
        final FileStorage storage = FileStorage.builder().directory(dir).fileLayer(holding).build();
        storage.rememberDeletion(server(1), 1);
        hold.set(true);
        final AtomicReference<Throwable> recordFailure = new AtomicReference<>();
        final Thread recorder = new Thread(() ->
        {
            try
            {
                storage.rememberDeletion(server(2), 2);
            }
            catch (final RuntimeException ex)
            {
                recordFailure.set(ex);
            }
        });
        recorder.start();
        assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
        final Thread closer = new Thread(storage::close);
        closer.start();
        // The closing storage must wait for the record: if it returned meanwhile, the node starts again now.
        closer.join(5_000);
        Map<ServerId, Long> seenByTheNextRun = null;
        if (!closer.isAlive())
        {
            try (FileStorage next = open())
            {
                seenByTheNextRun = next.rememberedDeletions();
            }
        }
        release.countDown();
        recorder.join(60_000);
        closer.join(60_000);
        if (null == seenByTheNextRun)
        {
            try (FileStorage next = open())
            {
                seenByTheNextRun = next.rememberedDeletions();
            }
        }

        assertThat(recordFailure.get()).as("the record under way when the storage closed").isNull();
        assertThat(seenByTheNextRun).as("read by the node started again once the storage closed")
            .containsExactly(Map.entry(server(1), 1L), Map.entry(server(2), 2L));
        assertThatThrownBy(() -> storage.rememberDeletion(server(3), 3)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(dir.toString());
    }
}
