package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash at any point of writing a server's configuration ({@code config}, written to {@code config.tmp}, synced and
 * renamed): the next open reads the old or the new configuration, and nothing of the write is left behind.
 */
class ServerConfigWriteTest
{
    private static final Path ROOT = Path.of("/data");
    private static final ServerId A = new ServerId("a", "n1");
    private static final byte[] OLD = "cluster a: a@n1 a@n2 a@n3".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW = "cluster a: a@n1 a@n2 a@n3 a@n4 a@n5".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /**
     * {@code config.tmp}, left by a process killed part-way through the write (its file system keeps every name),
     * stayed in the server's directory for ever, although docs/log-format.md says temporary files left at start-up
     * are deleted: those of the snapshot and segment directories were, not those of the server's own.
     */
    @Test
    void theTemporaryFileOfAConfigurationWriteCutShortIsDeletedAtTheNextStart() throws Exception
    {
        final FileLayer killedBeforeRename = new ForwardingFileLayer()
        {
            @Override
            public void move(final Path from, final Path to) throws IOException
            {
                if (to.getFileName().toString().equals(ServerDirectory.CONFIG_FILE))
                {
                    throw new IOException("simulated kill before the rename");
                }
                super.move(from, to);
            }
        };
        try (FileStorage storage = FileStorage.builder().directory(dir).fileLayer(killedBeforeRename).build())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            try
            {
                server.meta().storeServerConfig(NEW);
            }
            catch (final RuntimeException killed)
            {
                // The process died before the rename.
            }
        }
        final Path serverDir = dir.resolve("servers").resolve(ServerDirectory.dirName(A));
        assertThat(serverDir.resolve("config" + AtomicFiles.TEMP_SUFFIX)).exists();
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().serverConfig()).isNull();
            try (var names = Files.list(serverDir))
            {
                assertThat(names.map(p -> p.getFileName().toString()).toList())
                    .doesNotContain("config" + AtomicFiles.TEMP_SUFFIX);
            }
        }
    }

    /**
     * A power loss at any point of the write leaves the old or the new configuration, readable.
     */
    @Test
    void aCrashAtAnyPointOfAConfigurationWriteLeavesTheOldOrTheNewOneAndNoTemporaryFile() throws Exception
    {
        int crashPoints = 0;
        for (int operations = 0; operations < 50; operations++)
        {
            for (final boolean tear : new boolean[] {false, true})
            {
                final FaultyFileLayer disk = new FaultyFileLayer();
                try (FileStorage storage = storage(disk.view()))
                {
                    final ServerStorage server = storage.open(A, new RecordingListener());
                    server.meta().storeServerConfig(OLD);
                    server.meta().storeTermAndVote(1, A);
                }
                final long seed = operations * 2L + (tear ? 1 : 0);
                final FileStorage first = storage(disk.view());
                final ServerStorage server = first.open(A, new RecordingListener());
                disk.crashAfterOperations(operations, new Random(seed), tear, tear);
                try
                {
                    server.meta().storeServerConfig(NEW);
                }
                catch (final RuntimeException crashed)
                {
                    // The process died part way through (the simulated crash).
                }
                if (0 == disk.crashes())
                {
                    first.close();
                    assertThat(crashPoints).as("crash points tried").isGreaterThan(4);
                    return;
                }
                crashPoints++;
                closeQuietly(first);
                final String what = "crash after " + operations + " operations (seed " + seed + ")";
                try (FileStorage storage = storage(disk.view()))
                {
                    final ServerStorage again = storage.open(A, new RecordingListener());
                    final String config = new String(again.meta().serverConfig(), StandardCharsets.UTF_8);
                    assertThat(config).as(what + ": configuration")
                        .isIn(new String(OLD, StandardCharsets.UTF_8), new String(NEW, StandardCharsets.UTF_8));
                    assertThat(again.meta().currentTerm()).as(what + ": term").isEqualTo(1);
                    assertThat(disk.view().list(ROOT.resolve("servers").resolve(ServerDirectory.dirName(A))))
                        .as(what + ": files of the server").doesNotContain("config" + AtomicFiles.TEMP_SUFFIX);
                }
            }
        }
        throw new AssertionError("writing a configuration took more than 50 file operations");
    }

    private static FileStorage storage(final FileLayer files)
    {
        return FileStorage.builder().directory(ROOT).fileLayer(files).build();
    }

    private static void closeQuietly(final FileStorage storage)
    {
        try
        {
            storage.close();
        }
        catch (final RuntimeException deadProcess)
        {
            // Its files belong to the crashed boot.
        }
    }
}
