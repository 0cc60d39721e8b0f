package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file of a newer format version (written by a later release, then opened by this one, as after a roll back) is
 * refused with its path, the version found and the versions read, and is left as it was: never taken for damage, so
 * never cut, recycled, recreated, restored from a copy or passed over for an older file.
 */
class NewerFormatVersionTest
{
    private static final int NEWER = 99;

    @TempDir
    Path dir;

    private Path server()
    {
        return dir.resolve("servers").resolve("a@n1");
    }

    @Test
    void newerSegmentRefusesTheServer() throws Exception
    {
        FormatFixture.write(dir);
        assertServerRefused(first(server().resolve("segments"), ".segment"), "version 1");
    }

    @Test
    void newerSnapshotRefusesTheServerInsteadOfFallingBackToAnOlderOne() throws Exception
    {
        FormatFixture.write(dir);
        assertServerRefused(first(server().resolve("snapshots"), ".snapshot"), "version 1");
    }

    @Test
    void newerMetaRefusesTheServerInsteadOfRestoringItFromTheCopy() throws Exception
    {
        FormatFixture.write(dir);
        assertServerRefused(server().resolve("meta"), "version 1");
    }

    @Test
    void newerMetaCopyRefusesTheServer() throws Exception
    {
        FormatFixture.write(dir);
        assertServerRefused(server().resolve("meta.copy"), "version 1");
    }

    @Test
    void newerConfigRefusesTheServer() throws Exception
    {
        FormatFixture.write(dir);
        assertServerRefused(server().resolve("config"), "version 1");
    }

    @Test
    void newerServerIdRefusesTheServerEvenWhenItIsTheOnlyFile() throws Exception
    {
        FormatFixture.write(dir);
        // Alone, a damaged identity file is the debris of an interrupted create and is recreated; a newer one is not.
        for (final Path other : new Path[] {server().resolve("meta"), server().resolve("meta.copy"),
            server().resolve("config")})
        {
            Files.delete(other);
        }
        deleteAll(server().resolve("segments"));
        deleteAll(server().resolve("snapshots"));
        assertServerRefused(server().resolve("server.id"), "version 1");
    }

    @Test
    void newerWalFileStopsRecoveryInsteadOfBeingRecycled() throws Exception
    {
        FormatFixture.write(dir);
        assertServerRefused(first(dir.resolve("wal"), ".wal"), "version 2");
    }

    @Test
    void newerWalMarkRefusesTheStorage() throws Exception
    {
        FormatFixture.write(dir);
        final Path mark = dir.resolve("wal.mark");
        final byte[] before = setVersion(mark);
        assertThatThrownBy(() -> FormatFixture.builder(dir).build().close())
            .isInstanceOf(UnsupportedFormatException.class)
            .satisfies(ex -> assertNamesVersions(ex.getMessage(), mark, "versions 1 to 2"));
        assertThat(Files.readAllBytes(mark)).isEqualTo(before);
    }

    private void assertServerRefused(final Path file, final String supported) throws Exception
    {
        final byte[] before = setVersion(file);
        try (FileStorage storage = FormatFixture.builder(dir).build())
        {
            assertThatThrownBy(() -> storage.open(FormatFixture.SERVER, new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .satisfies(ex -> assertNamesVersions(ex.getMessage(), file, supported));
        }
        assertThat(file).exists();
        assertThat(Files.readAllBytes(file)).as("left as it was").isEqualTo(before);
        // Still refused the next time: nothing was repaired away.
        try (FileStorage storage = FormatFixture.builder(dir).build())
        {
            assertThatThrownBy(() -> storage.open(FormatFixture.SERVER, new RecordingListener()))
                .hasMessageContaining("unsupported format version " + NEWER);
        }
    }

    private static void assertNamesVersions(final String message, final Path file, final String supported)
    {
        assertThat(message).contains(file.toString()).contains("unsupported format version " + NEWER)
            .contains("this release reads " + supported).contains("written by a newer release");
    }

    /**
     * @return the file's bytes after its version (offset 4) was set to {@link #NEWER}, with its header checksum (for
     *     the formats whose header has one) updated, as a newer release writes it: a header whose checksum does not
     *     match is damage ({@link DamagedHeaderTest}).
     */
    private static byte[] setVersion(final Path file) throws Exception
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.putInt(4, NEWER);
        final String name = file.getFileName().toString();
        if (name.endsWith(".wal"))
        {
            buffer.putInt(16, Formats.crc(bytes, 0, 16));
        }
        else if (name.endsWith(".segment"))
        {
            buffer.putInt(SegmentFile.HEADER - 4, Formats.crc(bytes, 0, SegmentFile.HEADER - 4));
        }
        else if (name.endsWith(".snapshot"))
        {
            buffer.putInt(FileSnapshotStore.HEADER - 4, Formats.crc(bytes, 0, FileSnapshotStore.HEADER - 4));
        }
        else if (name.equals(ServerDirectory.ID_FILE))
        {
            buffer.putInt(bytes.length - 4, Formats.crc(bytes, 0, bytes.length - 4));
        }
        Files.write(file, bytes);
        return bytes;
    }

    private static Path first(final Path directory, final String suffix) throws Exception
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(p -> p.toString().endsWith(suffix)).sorted().findFirst().orElseThrow();
        }
    }

    private static void deleteAll(final Path directory) throws Exception
    {
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : files.toList())
            {
                Files.delete(file);
            }
        }
        assertThat(Arrays.asList(directory.toFile().list())).isEmpty();
    }
}
