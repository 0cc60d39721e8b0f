package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transport does not depend on the log, in any scope: they are two independent layers above ra-core, and whatever
 * needs both (the node launcher, the multi-process tests) lives in ra-node. Checked twice: this module's pom names no
 * ra-log, and the test class path (compile, runtime and test scopes, transitive dependencies included) holds no ra-log.
 */
class TransportDependenciesTest
{
    @Test
    void thePomNamesNoRaLog() throws IOException
    {
        assertThat(Files.readString(Path.of("pom.xml"))).as("ra-transport-netty/pom.xml")
            .contains("<artifactId>ra-transport-netty</artifactId>")
            .doesNotContain("<artifactId>ra-log</artifactId>");
    }

    @Test
    void theClassPathHoldsNoRaLog()
    {
        final List<String> raLog = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> Path.of(entry).getFileName().toString().startsWith("ra-log-") ||
                Path.of(entry).endsWith(Path.of("ra-log", "target", "classes")) ||
                Path.of(entry).endsWith(Path.of("ra-log", "target", "test-classes")))
            .toList();
        assertThat(raLog).as("ra-log on the transport's test class path").isEmpty();
    }
}
