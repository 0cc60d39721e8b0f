package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.log.DataDirectoryReader;
import dev.ra.testkit.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node told to stop (SIGTERM) while it is still starting closes cleanly once its start is over, rather than dying
 * with its WAL open.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NodeLauncherShutdownTest
{
    private static final String DIR_PROPERTY = "ra.test.slow.dir";

    @TempDir
    Path dir;

    /**
     * The shutdown hook was registered only after the start: a SIGTERM during a long start (a machine class slow to
     * load here; a large WAL to replay in production) ended the JVM at once, the start cut short and the storage,
     * already open, never closed: its WAL file had no end marker.
     */
    @Test
    void aSigtermDuringTheStartClosesTheNodeOnceStarted() throws Exception
    {
        final Path data = dir.resolve("data");
        final Process node = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-D" + DIR_PROPERTY + "=" + dir, "-cp", System.getProperty("java.class.path"),
            NodeLauncher.class.getName(), "node.id=n1", "listen=127.0.0.1:" + LoopbackPorts.freePort(),
            "data.dir=" + data, "machines=slow=" + SlowToLoad.class.getName())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("stderr.txt").toFile())
            .start();
        try
        {
            awaitFile(dir.resolve("loading"), node);

            node.destroy();
            Files.writeString(dir.resolve("release"), "go");

            assertThat(node.waitFor(90, TimeUnit.SECONDS)).as("the node ended").isTrue();
            assertThat(dir.resolve("loaded")).as("the start went on to its end after the SIGTERM").exists();
            final List<DataDirectoryReader.WalFile> wal = DataDirectoryReader.open(data).walFiles();
            assertThat(wal).as("WAL files").isNotEmpty().allSatisfy(file ->
                assertThat(file.ended()).as("%s ends with its end marker (closed cleanly)", file.path()).isTrue());
        }
        finally
        {
            node.destroyForcibly();
        }
    }

    private static void awaitFile(final Path file, final Process process) throws InterruptedException
    {
        for (int i = 0; i < 1200 && !Files.exists(file); i++)
        {
            assertThat(process.isAlive()).as("the node runs").isTrue();
            Thread.sleep(50);
        }
        assertThat(file).as("the node's start to reach the machine class").exists();
    }

    /**
     * A machine whose class takes until the test says so to load: it writes {@code loading} in the test's directory,
     * waits (at most a minute) for {@code release} there, then writes {@code loaded}.
     */
    public static final class SlowToLoad implements StateMachine<Long, Long>
    {
        static
        {
            final Path dir = Path.of(System.getProperty(DIR_PROPERTY));
            try
            {
                Files.writeString(dir.resolve("loading"), "");
                for (int i = 0; i < 1200 && !Files.exists(dir.resolve("release")); i++)
                {
                    Thread.sleep(50);
                }
                Files.writeString(dir.resolve("loaded"), "");
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            return ApplyResult.of(state + amount, state + amount);
        }

        @Override
        public Class<Long> commandType()
        {
            return Long.class;
        }

        @Override
        public Codec<Long> commandCodec()
        {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }
    }
}
