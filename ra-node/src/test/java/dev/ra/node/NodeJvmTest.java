package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting a child JVM that exits before it answers (a bad setting, a main class that is not there) fails at once
 * with its exit status and the last line it logged; it used to wait out the 30 s answer timeout and say only that
 * the node did not answer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeJvmTest
{
    @TempDir
    Path dir;

    @Test
    void aChildThatExitsBeforeAnsweringFailsTheStartWithItsStatusAndLastLogLine()
    {
        final NodeJvm node = new NodeJvm("n1", NodeLauncher.class.getName(), List.of(), List.of("no.such.key=1"),
            dir.resolve("n1.log"));

        assertThatThrownBy(node::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("n1 exited with status 2 without answering")
            .hasMessageContaining("no.such.key");
        node.close();
    }

    @Test
    void aMainClassThatIsNotThereFailsTheStartAtOnce()
    {
        final NodeJvm node = new NodeJvm("n2", "no.such.Main", List.of(), List.of(), dir.resolve("n2.log"));

        assertThatThrownBy(node::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("n2 exited with status 1 without answering")
            .hasMessageContaining("no.such.Main");
    }
}
