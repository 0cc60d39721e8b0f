package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.LoopbackPorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose data directory holds a server it cannot restart (its machine left out of {@code machines=} after an
 * upgrade, a damaged segment) starts and runs its other servers, and says so: an event before {@code ready}, a line of
 * {@code status}, until the server is restarted. It said "ready" and its status listed only the running servers: the
 * member missing from its cluster was visible only in the log.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeLauncherFailedRestartTest
{
    private static final ServerId HEALTHY = new ServerId("healthy", "n1");
    private static final ServerId PLUGIN = new ServerId("plugin", "n1");
    private static final ServerId DAMAGED = new ServerId("damaged", "n1");
    /** Writes of 1 KiB: a WAL file of the smallest size (64 KiB) holds about 60 of them. */
    private static final int WRITES_PER_ROUND = 40;
    private static final int MAX_ROUNDS = 500;

    @TempDir
    Path dataDir;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    private String[] settings(final int port, final String machines)
    {
        return new String[] {"node.id=n1", "listen=127.0.0.1:" + port, "data.dir=" + dataDir, "machines=" + machines,
            "wal.max.bytes=65536"};
    }

    @Test
    void aServerThatCannotRestartIsReportedAtStartAndByStatusUntilRestarted() throws IOException
    {
        final int port = LoopbackPorts.freePort();
        try (NodeLauncher first = NodeLauncher.start(NodeConfig.fromArgs(settings(port,
            "kv-plugin=" + KvMachine.class.getName()))))
        {
            final RaSystem system = first.system();
            system.startCluster("healthy", new KvMachine(), List.of(HEALTHY));
            system.startCluster("plugin", "kv-plugin", List.of(PLUGIN));
            system.startCluster("damaged", new KvMachine(), List.of(DAMAGED));
            final String value = "v".repeat(1024);
            // Written until the server has a segment: WAL files rolled over are written to segments in the
            // background, after the writes that filled them.
            for (int round = 0; round < MAX_ROUNDS && null == segmentOf(DAMAGED); round++)
            {
                final List<CompletableFuture<?>> writes = new ArrayList<>();
                for (int i = 0; i < WRITES_PER_ROUND; i++)
                {
                    writes.add(system.processCommandAsync(DAMAGED, new KvMachine.Put("k" + i, value)));
                }
                CompletableFuture.allOf(writes.toArray(CompletableFuture<?>[]::new)).join();
            }
        }
        final Path segment = segmentOf(DAMAGED);
        assertThat(segment).as("a segment of " + DAMAGED).isNotNull();
        final byte[] intact = Files.readAllBytes(segment);
        final byte[] damaged = intact.clone();
        damaged[damaged.length - 1] ^= 0x5A;
        Files.write(segment, damaged);

        // Upgraded without the plugin's machine in machines=, and one server's segment damaged meanwhile.
        try (NodeLauncher second = NodeLauncher.start(NodeConfig.fromArgs(settings(port,
            "other=" + KvMachine.class.getName()))))
        {
            final NodeControl control = second.control(new PrintStream(output, true, StandardCharsets.UTF_8));
            control.ready(second.transport().localAddress());
            assertThat(second.system().isRunning(HEALTHY)).isTrue();
            assertThat(lines()).anySatisfy(line -> assertThat(line)
                .startsWith("ra> event restart-failed plugin@n1 ").contains("kv-plugin"));
            assertThat(lines()).anySatisfy(line -> assertThat(line)
                .startsWith("ra> event restart-failed damaged@n1 ").contains(segment.getFileName().toString()));
            assertThat(lines()).last().asString().startsWith("ra> ready n1 ");

            output.reset();
            control.execute("status");
            assertThat(lines()).anySatisfy(line -> assertThat(line).startsWith("ra> status healthy@n1 ")
                .doesNotContain("restart-failed"));
            assertThat(lines()).anySatisfy(line -> assertThat(line)
                .startsWith("ra> status plugin@n1 restart-failed ").contains("kv-plugin"));
            assertThat(lines()).anySatisfy(line -> assertThat(line)
                .startsWith("ra> status damaged@n1 restart-failed ").contains(segment.getFileName().toString()));
            assertThat(lines()).last().isEqualTo("ra> ok status");

            // Repaired (the segment restored from a backup) and restarted: no longer reported.
            Files.write(segment, intact);
            second.system().restartServer(DAMAGED);
            output.reset();
            control.execute("status");
            assertThat(lines()).noneSatisfy(line -> assertThat(line).startsWith("ra> status damaged@n1 restart-failed"))
                .anySatisfy(line -> assertThat(line).startsWith("ra> status damaged@n1 "))
                .anySatisfy(line -> assertThat(line).startsWith("ra> status plugin@n1 restart-failed "));
        }
    }

    private List<String> lines()
    {
        return output.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /**
     * @return a segment file of the server, or null if it has none yet.
     */
    private Path segmentOf(final ServerId server)
    {
        try (Stream<Path> files = Files.walk(dataDir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".segment"))
                .filter(p -> p.toString().contains(server.toString())).findFirst().orElse(null);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // A file renamed or deleted while listed: asked again.
            return null;
        }
    }
}
