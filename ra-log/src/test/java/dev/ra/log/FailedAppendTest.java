package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.ServerStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An append that fails while its entries are being encoded (an entry that cannot be encoded, a buffer that cannot
 * grow) fails to its caller and leaves nothing behind: no partial record reaches the WAL, where the next start would
 * take it for damage and refuse the whole storage.
 */
class FailedAppendTest
{
    private static final ServerId A = new ServerId("a", "node1");

    @TempDir
    Path dir;

    private FileStorage storage()
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10).build();
    }

    @Test
    void anEntryThatCannotBeEncodedLeavesNoPartialRecordInTheWal() throws Exception
    {
        final LogEntry unencodable = new LogEntry(3, 1, 3, UserCommand.ofValue("never encoded"));
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            assertThatThrownBy(() -> server.log().append(List.of(entry(1, 1), entry(2, 1), unencodable)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never encoded");
            // What was encoded before the failure is appended; nothing of the entry that failed.
            assertThat(server.log().lastIndex()).isEqualTo(2);
            server.log().append(List.of(entry(3, 1), entry(4, 1)));
            assertThat(listener.awaitIndex(4)).isTrue();
            assertThat(storage.awaitSegmentWriter(Duration.ofSeconds(30))).isTrue();
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(4);
            for (long i = 1; i <= 4; i++)
            {
                assertThat(server.log().entry(i)).isEqualTo(entry(i, 1));
            }
        }
    }

    @Test
    void anOverwriteWhoseFirstEntryCannotBeEncodedStillCutsTheLog() throws Exception
    {
        final LogEntry unencodable = new LogEntry(3, 2, 3, UserCommand.ofValue("never encoded"));
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(List.of(entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)));
            assertThat(listener.awaitIndex(4)).isTrue();
            // A leader of term 2 overwrites from index 3 on, and its first entry cannot be encoded.
            assertThatThrownBy(() -> server.log().append(List.of(unencodable, entry(4, 2))))
                .isInstanceOf(IllegalStateException.class);
            assertThat(server.log().lastIndex()).isEqualTo(2);
        }
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).as("the cut survives a restart").isEqualTo(2);
            assertThat(server.log().entry(2)).isEqualTo(entry(2, 1));
        }
    }
}
