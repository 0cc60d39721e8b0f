package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line that docs/TRANSPORT.md and {@link NodeLauncher}'s javadoc give starts a node: its class path,
 * mapped artifact by artifact onto this build's, runs {@link NodeLauncher} in a child JVM, which serves a cluster until
 * a signal stops it; started again on the same data directory (and {@code control=stdin}) it serves the cluster from
 * disk until {@code stop}. A node that cannot start ends its JVM with one line on standard error naming what and where,
 * and exit status 2.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeLauncherCommandLineTest
{
    private static final Pattern DOC_CLASS_PATH = Pattern.compile("java -cp \"([^\"]+)\" \\\\");
    private static final Path MODULE = Path.of("").toAbsolutePath();

    @TempDir
    Path dataDir;

    @Test
    void theDocumentedClassPathStartsANodeThatRunsUntilASignalAndThenUntilStop() throws Exception
    {
        final String fromDocs = documentedClassPath(MODULE.resolve("../docs/TRANSPORT.md"));
        assertThat(documentedClassPath(MODULE.resolve("src/main/java/dev/ra/node/NodeLauncher.java")))
            .isEqualTo(fromDocs);
        final String classPath = mapOntoThisBuild(fromDocs);
        final int port = LoopbackPorts.freePort();
        final List<String> settings = List.of("node.id=n1", "listen=127.0.0.1:" + port, "clients=app",
            "cluster.id=cli", "data.dir=" + dataDir, "machines=counter=" + CounterMachine.class.getName(),
            "min.snapshot.interval=100", "default.timeout.ms=10000", "election.timeout.ms=300-600");
        final ServerId member = new ServerId("c", "n1");

        try (RaSystem app = RaSystem.builder().nodeId("app").storage(new InMemoryStorage())
            .registerMachine("counter", CounterMachine::new).defaultTimeout(Duration.ofSeconds(20))
            .transport(new NettyTransport(NettyTransportConfig.builder().clusterId("cli")
                .listenAddress(new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()))
                .peer("n1", new InetSocketAddress("127.0.0.1", port)).build())).build())
        {
            final Process first = launch(classPath, settings);
            try
            {
                awaitReady(first);
                app.startCluster("c", "counter", List.of(member));
                assertThat(app.<Long>processCommand(member, 5L).reply()).isEqualTo(5L);
                assertThat(first.isAlive()).as("the node runs on after ready").isTrue();
            }
            finally
            {
                first.destroy();   // SIGTERM: the shutdown hook closes the node
            }
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("the node exits on a signal").isTrue();

            final List<String> again = new ArrayList<>(settings);
            again.add("control=stdin");
            final Process second = launch(classPath, again);
            try
            {
                awaitReady(second);
                // Restarted from its data directory when the node was built: no restartServer call.
                assertThat(app.<Long>processCommand(member, 1L).reply()).isEqualTo(6L);
                final Writer stdin = new OutputStreamWriter(second.getOutputStream(), StandardCharsets.UTF_8);
                stdin.write("stop\n");
                stdin.flush();
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the node exits on stop").isTrue();
                assertThat(second.exitValue()).isZero();
            }
            finally
            {
                second.destroyForcibly();
            }
        }
    }

    @Test
    void aMissingSettingEndsTheJvmWithOneLineNamingItAndStatus2() throws Exception
    {
        final Failed failed = launchFailing(List.of("listen=127.0.0.1:" + LoopbackPorts.freePort()));

        assertThat(failed.status()).isEqualTo(NodeLauncher.EXIT_CANNOT_START);
        assertThat(failed.stderr()).isEqualTo("ra-node: cannot start: missing setting node.id\n");
    }

    @Test
    void aPortInUseEndsTheJvmWithOneLineNamingTheAddressAndStatus2() throws Exception
    {
        final int port = LoopbackPorts.freePort();
        try (ServerSocket squatter = new ServerSocket())
        {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));

            final Failed failed = launchFailing(List.of("node.id=n1", "listen=127.0.0.1:" + port,
                "data.dir=" + dataDir.resolve("n1"), "machines=counter=" + CounterMachine.class.getName()));

            assertThat(failed.status()).isEqualTo(NodeLauncher.EXIT_CANNOT_START);
            assertThat(failed.stderr()).contains("ra-node: cannot start: node n1 cannot listen on 127.0.0.1:" + port)
                .doesNotContain("\tat ").doesNotContain("Exception in thread");
        }
    }

    /**
     * A jar left off the class path (here ra-log, needed for data.dir) is an operator's mistake like a bad setting:
     * it ended the JVM with a stack trace and status 1, the status of no documented outcome.
     */
    @Test
    void aClassPathWithoutAJarTheNodeNeedsEndsTheJvmWithOneLineNamingTheClassAndStatus2() throws Exception
    {
        final String withoutRaLog = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains(File.separator + "ra-log" + File.separator) &&
                !Path.of(entry).getFileName().toString().startsWith("ra-log-"))
            .collect(Collectors.joining(File.pathSeparator));

        final Failed failed = launchFailing(withoutRaLog, List.of("node.id=n1",
            "listen=127.0.0.1:" + LoopbackPorts.freePort(), "data.dir=" + dataDir.resolve("n1")));

        assertThat(failed.status()).as(failed.stderr()).isEqualTo(NodeLauncher.EXIT_CANNOT_START);
        assertThat(failed.stderr()).startsWith("ra-node: cannot start: ").contains("dev/ra/log/FileStorage")
            .doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(failed.stderr().lines()).hasSize(1);
    }

    /**
     * A start that runs out of memory (a heap too small for the WAL it replays, a machine class that allocates in its
     * static initialiser, more event loops than the system gives threads) is a setting to change like any other: it
     * ended the JVM with a stack trace and status 1, or, with threads left behind, not at all.
     */
    @Test
    void runningOutOfMemoryWhileStartingEndsTheJvmWithOneLineSayingSoAndStatus2() throws Exception
    {
        final Failed failed = launchFailing(List.of("node.id=n1", "listen=127.0.0.1:" + LoopbackPorts.freePort(),
            "data.dir=" + dataDir.resolve("n1"), "machines=big=" + HeapHungryMachine.class.getName()));

        assertThat(failed.status()).as(failed.stderr()).isEqualTo(NodeLauncher.EXIT_CANNOT_START);
        assertThat(failed.stderr()).startsWith("ra-node: cannot start: out of memory").contains("-Xmx")
            .doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(failed.stderr().lines()).hasSize(1);
    }

    /**
     * Loading it runs out of heap, as a start that needs more than the JVM has does.
     */
    static final class HeapHungryMachine
    {
        static final long[] TABLE = new long[Integer.MAX_VALUE];

        private HeapHungryMachine()
        {
        }
    }

    private record Failed(int status, String stderr)
    {
    }

    /**
     * Run the launcher on this build's class path with settings it cannot start with; the JVM must end by itself.
     */
    private Failed launchFailing(final List<String> settings) throws Exception
    {
        return launchFailing(System.getProperty("java.class.path"), settings);
    }

    private Failed launchFailing(final String classPath, final List<String> settings) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), NodeJvm.ENABLE_NATIVE_ACCESS,
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=off", "-cp", classPath, NodeLauncher.class.getName()));
        command.addAll(settings);
        final Path stderr = dataDir.resolve("stderr.txt");
        final Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(stderr.toFile()).start();
        try
        {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the JVM ends").isTrue();
            return new Failed(process.exitValue(), Files.readString(stderr));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static String documentedClassPath(final Path file) throws IOException
    {
        final Matcher m = DOC_CLASS_PATH.matcher(Files.readString(file));
        assertThat(m.find()).as("a java -cp \"...\" line in " + file).isTrue();
        return m.group(1);
    }

    /**
     * Each documented {@code NAME.jar} becomes this build's jar or classes directory of that artifact;
     * {@code your-machines.jar} becomes ra-core's test classes, where the machine of this test lives.
     */
    private static String mapOntoThisBuild(final String documented)
    {
        final String[] ours = System.getProperty("java.class.path").split(File.pathSeparator);
        final List<String> mapped = new ArrayList<>();
        for (final String entry : documented.split(":"))
        {
            final String artifact = entry.replaceFirst("\\.jar$", "");
            final List<String> matches = new ArrayList<>();
            for (final String candidate : ours)
            {
                if (isArtifact(Path.of(candidate), artifact))
                {
                    matches.add(candidate);
                }
            }
            assertThat(matches).as("class path entries for " + entry).hasSize(1);
            mapped.add(matches.get(0));
        }
        return String.join(File.pathSeparator, mapped);
    }

    private static boolean isArtifact(final Path candidate, final String artifact)
    {
        final String name = candidate.getFileName().toString();
        final String module = "your-machines".equals(artifact) ? "ra-core" : artifact;
        final boolean tests = "your-machines".equals(artifact);
        if (Files.isDirectory(candidate))
        {
            return candidate.endsWith(Path.of(module, "target", tests ? "test-classes" : "classes"));
        }
        if (tests)
        {
            return name.matches("ra-core-\\d.*-tests\\.jar");
        }
        return name.matches(Pattern.quote(module) + "-\\d[^-]*(-SNAPSHOT)?\\.jar") ||
            name.matches(Pattern.quote(module) + "-\\d.*Final\\.jar");
    }

    private static Process launch(final String classPath, final List<String> settings) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classPath);
        command.add(NodeLauncher.class.getName());
        command.addAll(settings);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void awaitReady(final Process process) throws IOException
    {
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while (null != (line = out.readLine()))
        {
            if (line.startsWith("ra> ready n1 "))
            {
                return;
            }
        }
        throw new AssertionError("the node ended before it was ready (exit " + waitExit(process) + ")");
    }

    private static int waitExit(final Process process)
    {
        try
        {
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
