package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.ServerStorage;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
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

    /**
     * What a rollback to the release before meets (docs/UPGRADES.md, "This release and the one before"): once this
     * release has opened its directory, every file is in the version that release wrote, which is the only one its
     * readers take, but {@code wal.mark}, rewritten in version 2. Release 0.1.0 refuses that mark ("wal.mark:
     * unsupported format version 2 (this release reads version 1 ...)") and starts no server of the storage, so the
     * rollback deletes it first, with the node stopped; it opens the rest as it is.
     */
    @Test
    void theReleaseBeforeReadsEveryFileThisReleaseLeavesButTheWalMark() throws Exception
    {
        final Path before = Path.of(getClass().getResource("/formats/" + FormatFixture.RELEASE).toURI());
        final Map<String, Integer> versionsBefore = new HashMap<>();
        forEachFormattedFile(before, (path, header) -> versionsBefore.put(header.getKey(), header.getValue()));
        FormatFixture.copy(before, dir);
        // Used by this release: an entry appended, a snapshot taken, the meta data written.
        try (FileStorage storage = FormatFixture.builder(dir).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(FormatFixture.SERVER, listener);
            final long next = FormatFixture.LAST_INDEX + 1;
            server.log().append(List.of(new LogEntry(next, FormatFixture.TERM, 0, new EntryPayload.Noop(0))));
            assertThat(listener.awaitIndex(next)).as("entry %d durable", next).isTrue();
            server.snapshots().write(new SnapshotMeta(next, FormatFixture.TERM, FormatFixture.SNAPSHOT.members(), 1),
                FormatFixture.SNAPSHOT_STATE);
            server.meta().storeLastApplied(next);
            server.close();
        }

        final List<String> unreadable = new ArrayList<>();
        forEachFormattedFile(dir, (path, header) ->
        {
            if (!header.getValue().equals(versionsBefore.get(header.getKey())))
            {
                unreadable.add(dir.relativize(path) + " " + header.getKey() + " v" + header.getValue());
            }
        });
        assertThat(unreadable).containsExactly("wal.mark RAMK v2");
    }

    private static void forEachFormattedFile(final Path dir,
        final BiConsumer<Path, Map.Entry<String, Integer>> action) throws Exception
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path path : files.filter(Files::isRegularFile).sorted().toList())
            {
                final byte[] bytes = Files.readAllBytes(path);
                if (bytes.length >= 8 && bytes[0] == 'R' && bytes[1] == 'A')
                {
                    action.accept(path, Map.entry(new String(bytes, 0, 4, StandardCharsets.US_ASCII),
                        ByteBuffer.wrap(bytes).getInt(4)));
                }
            }
        }
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
