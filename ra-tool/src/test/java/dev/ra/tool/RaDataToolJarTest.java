package dev.ra.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented command, {@code java -jar ra-tool/target/ra-tool-VERSION-all.jar ...}, in a child JVM, on data a
 * cluster wrote. The jar is built in the package phase, after the unit tests, so this test runs there (a second
 * surefire execution, see the module's pom); the path comes in the system property {@code ra.tool.jar}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RaDataToolJarTest
{
    private static final long CHILD_TIMEOUT_SECONDS = 60;

    @TempDir
    Path root;

    /** What a child JVM printed and returned. */
    private record Child(int status, String out, String err)
    {
    }

    private static Path jar()
    {
        final String jar = System.getProperty("ra.tool.jar");
        Assumptions.assumeTrue(null != jar && Files.isRegularFile(Path.of(jar)),
            "the runnable jar is built in the package phase: run mvn package");
        return Path.of(jar);
    }

    private Child java(final List<String> arguments) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        final Path out = root.resolve("child.out");
        final Path err = root.resolve("child.err");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the tool did not finish within " + CHILD_TIMEOUT_SECONDS + " s: " + command);
        }
        return new Child(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theRunnableJarInspectsVerifiesAndDumpsClusterData() throws IOException, InterruptedException
    {
        final Path jar = jar();
        ClusterData.write(root.resolve("data"), 200);
        final String n1 = root.resolve("data/n1").toString();

        final Child verify = java(List.of("-jar", jar.toString(), "verify", n1));
        assertThat(verify.status).as(verify.out + verify.err).isZero();
        assertThat(verify.out).contains(n1 + ": clean");
        assertThat(verify.err).isEmpty();

        final Child inspect = java(List.of("-jar", jar.toString(), "inspect", "--json", n1));
        assertThat(inspect.status).as(inspect.err).isZero();
        assertThat(inspect.out).contains("\"id\":\"kv@n1\"");

        // A machine's codec needs the machine's classes: the jar plus them on the class path, main class named.
        final String classPath = jar + File.pathSeparator + System.getProperty("java.class.path");
        final Child dump = java(List.of("-cp", classPath, RaDataTool.class.getName(), "dump", n1, "--server",
            "kv@n1", "--from", "2", "--to", "3", "--machine", "dev.ra.testkit.KvMachine"));
        assertThat(dump.status).as(dump.err).isZero();
        assertThat(dump.out).contains("Put[key=k0, value=v0" + ClusterData.PADDING + "]");

        final Child missing = java(List.of("-jar", jar.toString(), "verify", root.resolve("nowhere").toString()));
        assertThat(missing.status).isEqualTo(RaDataTool.FAILED);
        assertThat(missing.err).contains("no such directory").doesNotContain("Exception");
    }
}
