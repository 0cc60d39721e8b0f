package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.BufferWriter;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link FileStorage} tells, after a restart, whether the data stored for a server it remembers deleted is what the
 * deletion was to delete (the node stopped in between) or that of a server created again under the id: the record
 * names the uid of the server's directory when it was made. It kept no such tie, and the node read the server's log
 * to guess.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnfinishedDeletionOnDiskTest
{
    private static final ServerId SERVER = new ServerId("kv", "n1");
    private static final LogListener NO_LISTENER = new LogListener()
    {
        @Override
        public void onWritten(final long index, final long term)
        {
        }

        @Override
        public void onFailure(final Throwable cause)
        {
        }
    };

    @TempDir
    Path dir;

    @Test
    void theDataADeletionLeftIsTheDeletedServersAfterARestart()
    {
        try (FileStorage storage = open())
        {
            final ServerStorage stored = storage.open(SERVER, NO_LISTENER);
            stored.log().append(List.of(new LogEntry(1, 1, 0, new EntryPayload.DeleteCluster())));
            storage.rememberDeletion(SERVER, 1);
            stored.close();
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.unfinishedDeletions()).containsExactly(SERVER);
            assertThat(storage.rememberedDeletions()).containsEntry(SERVER, 1L);
        }
    }

    @Test
    void aServerCreatedAgainUnderTheIdIsNotTheDeletedOne()
    {
        try (FileStorage storage = open())
        {
            final ServerStorage stored = storage.open(SERVER, NO_LISTENER);
            storage.rememberDeletion(SERVER, 1);
            stored.close();
            storage.delete(SERVER);
            storage.open(SERVER, NO_LISTENER).close();
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.unfinishedDeletions()).isEmpty();
            assertThat(storage.exists(SERVER)).isTrue();
        }
    }

    @Test
    void aServerRecordedWithNoDataStoredIsNotUnfinishedOnceCreatedAgain()
    {
        try (FileStorage storage = open())
        {
            storage.rememberDeletion(SERVER, 2);
            storage.open(SERVER, NO_LISTENER).close();
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.unfinishedDeletions()).isEmpty();
        }
    }

    /**
     * A file written before the records named the data (version 1) reads as it did, its records naming none, and the
     * next deletion writes it anew in the current version.
     */
    @Test
    void aFileOfVersionOneStillReads() throws IOException
    {
        final ServerId older = new ServerId("old", "n1");
        final BufferWriter out = new BufferWriter(64);
        out.writeInt(Formats.DELETED_SERVERS_MAGIC);
        out.writeInt(1);
        final int start = out.position();
        out.writeInt(0);
        out.writeLong(7);
        EntryCodec.writeServerId(older, out);
        final int length = out.position() - start - 4;
        ByteBuffer.wrap(out.array(), start, 4).putInt(length);
        out.writeInt(Formats.crc(out.array(), start, 4 + length));
        Files.createDirectories(dir);
        Files.write(dir.resolve(DeletedServersFile.NAME), java.util.Arrays.copyOf(out.array(), out.position()));
        try (FileStorage storage = open())
        {
            storage.open(older, NO_LISTENER).close();
            assertThat(storage.deletedServers().damage()).isNull();
            assertThat(storage.rememberedDeletions()).containsEntry(older, 7L);
            assertThat(storage.unfinishedDeletions()).as("a record naming no data").isEmpty();
            final ServerStorage stored = storage.open(SERVER, NO_LISTENER);
            storage.rememberDeletion(SERVER, 3);
            stored.close();
        }
        try (FileStorage storage = open())
        {
            assertThat(storage.deletedServers().damage()).isNull();
            assertThat(storage.rememberedDeletions()).containsEntry(older, 7L).containsEntry(SERVER, 3L);
            assertThat(storage.unfinishedDeletions()).containsExactly(SERVER);
        }
    }

    private FileStorage open()
    {
        return FileStorage.builder().directory(dir).build();
    }
}
