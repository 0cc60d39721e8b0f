package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Creating a server's storage, as a node starting thousands of servers does it: open a new server, store its
 * configuration and its first state (term 0, no vote). Its files are synced together, not each with its own directory
 * sync, and a crash at any point of it leaves the server absent (created anew by the next open) or whole.
 */
class NewServerCreationTest
{
    private static final Path ROOT = Path.of("/data");
    private static final ServerId A = new ServerId("a", "n1");
    private static final byte[] CONFIG = "cluster a: a@n1 a@n2 a@n3".getBytes(StandardCharsets.UTF_8);

    @Test
    void aNewServerCostsSevenSyncsAndItsFirstVoteTwo() throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        final CountingLayer counting = new CountingLayer(disk.view());
        try (FileStorage storage = storage(counting))
        {
            final int before = counting.syncs;
            final ServerStorage server = storage.open(A, new RecordingListener());
            server.meta().storeServerConfig(CONFIG);
            server.meta().storeTermAndVote(0, null);
            // Directory, identity and meta files: five; the configuration, written atomically: two. It was eleven
            // (each file synced with its directory, and term 0 written to both meta files after their creation).
            assertThat(counting.syncs - before).as("syncs creating a server").isEqualTo(7);

            final int beforeVote = counting.syncs;
            server.meta().storeTermAndVote(1, A);
            assertThat(counting.syncs - beforeVote).as("syncs of a vote: both meta files, before it returns")
                .isEqualTo(2);
        }
        try (FileStorage storage = storage(disk.view()))
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).isEqualTo(1);
            assertThat(server.meta().votedFor()).isEqualTo(A);
            assertThat(server.meta().serverConfig()).isEqualTo(CONFIG);
        }
    }

    @Test
    void aCrashAtAnyPointOfANewServersCreationLeavesItAbsentOrWhole() throws Exception
    {
        int crashPoints = 0;
        for (int operations = 0; operations < 200; operations++)
        {
            for (final boolean tear : new boolean[] {false, true})
            {
                final FaultyFileLayer disk = new FaultyFileLayer();
                final long seed = operations * 2L + (tear ? 1 : 0);
                final FileStorage first = storage(disk.view());
                disk.crashAfterOperations(operations, new Random(seed), tear, tear);
                try
                {
                    final ServerStorage server = first.open(A, new RecordingListener());
                    server.meta().storeServerConfig(CONFIG);
                    server.meta().storeTermAndVote(0, null);
                }
                catch (final RuntimeException crashed)
                {
                    // The process died part way through (the simulated crash).
                }
                if (0 == disk.crashes())
                {
                    first.close();
                    assertThat(crashPoints).as("crash points tried").isGreaterThan(10);
                    return;
                }
                crashPoints++;
                closeQuietly(first);
                checkAbsentOrWhole(disk, "crash after " + operations + " operations (seed " + seed + ")");
            }
        }
        throw new AssertionError("creating a server took more than 200 file operations");
    }

    private static void checkAbsentOrWhole(final FaultyFileLayer disk, final String what)
    {
        try (FileStorage storage = storage(disk.view()))
        {
            final boolean existed = storage.exists(A);
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.meta().currentTerm()).as(what + ": term").isZero();
            assertThat(server.meta().votedFor()).as(what + ": vote").isNull();
            if (!existed)
            {
                // Absent: created anew, as a node's next start would.
                server.meta().storeServerConfig(CONFIG);
                server.meta().storeTermAndVote(0, null);
            }
            final byte[] config = server.meta().serverConfig();
            // Present without configuration: the runtime refuses to restart it, naming the server (as before).
            assertThat(null == config || java.util.Arrays.equals(config, CONFIG)).as(what + ": configuration")
                .isTrue();
        }
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

    /** Counts syncs of files and directories. */
    private static final class CountingLayer extends ForwardingFileLayer
    {
        volatile int syncs;

        CountingLayer(final FileLayer delegate)
        {
            super(delegate);
        }

        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            return new ForwardingLogFile(super.open(path, create))
            {
                @Override
                public void force() throws IOException
                {
                    count();
                    super.force();
                }
            };
        }

        private synchronized void count()
        {
            syncs++;
        }

        @Override
        public void syncDirectory(final Path dir) throws IOException
        {
            count();
            super.syncDirectory(dir);
        }
    }
}
