package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node hosts thousands of servers, and a process has a limit of open descriptors (often a few thousand): open
 * servers must not each hold files open while they are idle. Their meta store (term, vote, last applied) is opened for
 * a write and closed again, and still holds what was written.
 */
class OpenDescriptorsTest
{
    private static final int SERVERS = 200;
    private static final Path OWN_DESCRIPTORS = Path.of("/proc/self/fd");

    @TempDir
    Path dir;

    @Test
    void idleOpenServersHoldNoDescriptorsAndKeepTheirTermAndVote() throws IOException
    {
        assumeTrue(Files.isDirectory(OWN_DESCRIPTORS), "needs /proc/self/fd to count descriptors");
        final List<ServerStorage> servers = new ArrayList<>();
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            final long before = openDescriptors();
            for (int i = 0; i < SERVERS; i++)
            {
                final ServerStorage server = storage.open(id(i), new RecordingListener());
                server.meta().storeTermAndVote(i + 1, id(i));
                server.meta().storeServerConfig(new byte[] {(byte)i});
                servers.add(server);
            }
            // Some slack for the JVM's own files (class loading, the WAL's next file), none per server.
            assertThat(openDescriptors() - before).as("descriptors opened by %d idle servers", SERVERS)
                .isLessThan(SERVERS / 10);
            for (int i = 0; i < SERVERS; i++)
            {
                assertThat(servers.get(i).meta().currentTerm()).isEqualTo(i + 1);
            }
            servers.forEach(ServerStorage::close);
        }
        try (FileStorage storage = FileStorage.builder().directory(dir).build())
        {
            for (int i = 0; i < SERVERS; i += 37)
            {
                try (ServerStorage server = storage.open(id(i), new RecordingListener()))
                {
                    assertThat(server.meta().currentTerm()).isEqualTo(i + 1);
                    assertThat(server.meta().votedFor()).isEqualTo(id(i));
                    assertThat(server.meta().serverConfig()).containsExactly((byte)i);
                }
            }
        }
    }

    private static ServerId id(final int i)
    {
        return new ServerId("server-" + i, "node");
    }

    private static long openDescriptors() throws IOException
    {
        try (Stream<Path> descriptors = Files.list(OWN_DESCRIPTORS))
        {
            return descriptors.count();
        }
    }
}
