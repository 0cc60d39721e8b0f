package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.LogEntry;
import dev.ra.spi.ServerStorage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A node of the next release reads what this one wrote" (docs/UPGRADES.md): the data directory checked in under
 * {@code formats/<release>} ({@link FormatFixture}) opens, and every entry, the snapshot, term, vote, last applied and
 * configuration read back as written. A change that can no longer read it fails here.
 */
class FormatCompatibilityTest
{
    @TempDir
    Path dir;

    @Test
    void theCheckedInDirectoryOfTheReleaseBeforeReadsBackWhole() throws Exception
    {
        final URL resource = getClass().getResource("/formats/" + FormatFixture.RELEASE);
        assertThat(resource).as("checked-in data directory of release " + FormatFixture.RELEASE).isNotNull();
        FormatFixture.copy(Path.of(resource.toURI()), dir);
        assertHoldsEveryKindOfFile(dir);
        assertReadsBack(dir);
    }

    @Test
    void theGeneratorWritesWhatTheCheckIsFor() throws Exception
    {
        FormatFixture.write(dir);
        assertHoldsEveryKindOfFile(dir);
        assertReadsBack(dir);
    }

    private static void assertHoldsEveryKindOfFile(final Path dir) throws Exception
    {
        final Path server = dir.resolve("servers").resolve("a@n1");
        assertThat(dir.resolve("wal.mark")).exists();
        assertThat(count(dir.resolve("wal"), ".wal")).as("WAL files").isPositive();
        assertThat(count(server.resolve("segments"), ".segment")).as("segments").isPositive();
        assertThat(count(server.resolve("snapshots"), ".snapshot")).as("snapshots").isEqualTo(1);
        assertThat(server.resolve("server.id")).exists();
        assertThat(server.resolve("meta")).exists();
        assertThat(server.resolve("meta.copy")).exists();
        assertThat(server.resolve("config")).exists();
    }

    private static long count(final Path directory, final String suffix) throws Exception
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    private static void assertReadsBack(final Path dir)
    {
        try (FileStorage storage = FormatFixture.builder(dir).build();
            ServerStorage server = storage.open(FormatFixture.SERVER, new RecordingListener()))
        {
            final List<LogEntry> expected = FormatFixture.expected();
            assertThat(server.log().firstIndex()).isEqualTo(FormatFixture.SNAPSHOT.index() + 1);
            assertThat(server.log().lastIndex()).isEqualTo(FormatFixture.LAST_INDEX);
            for (final LogEntry entry : expected.subList((int)FormatFixture.SNAPSHOT.index(), expected.size()))
            {
                assertThat(server.log().entry(entry.index())).as("entry %d", entry.index()).isEqualTo(entry);
            }
            assertThat(server.snapshots().latest()).isEqualTo(FormatFixture.SNAPSHOT);
            assertThat(server.snapshots().read(FormatFixture.SNAPSHOT)).isEqualTo(FormatFixture.SNAPSHOT_STATE);
            assertThat(server.meta().currentTerm()).isEqualTo(FormatFixture.TERM);
            assertThat(server.meta().votedFor()).isEqualTo(FormatFixture.OTHER);
            assertThat(server.meta().lastApplied()).isEqualTo(FormatFixture.LAST_APPLIED);
            assertThat(server.meta().serverConfig()).containsExactly(FormatFixture.CONFIG);
        }
    }
}
