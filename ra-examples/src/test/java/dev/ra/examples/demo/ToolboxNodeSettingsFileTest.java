package dev.ra.examples.demo;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.examples.leader.Companion;
import dev.ra.testkit.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A toolbox node's own settings (the admin endpoint's, the grace periods) may live in its settings file beside the
 * node's, as docs/TRANSPORT.md says: NodeConfig accepted them there, but the node read its own from the arguments
 * only, so that admin.port (or admin.token, admin.tls) in the file was silently without effect.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ToolboxNodeSettingsFileTest
{
    private static final Companion IDLE = new Companion()
    {
        @Override
        public void start(final long epoch)
        {
        }

        @Override
        public void stop(final long epoch)
        {
        }
    };

    @TempDir
    Path dir;

    @Test
    void theAdminEndpointIsServedFromTheSettingsFile() throws IOException
    {
        final Path file = dir.resolve("n1.properties");
        Files.writeString(file, "node.id=n1\nlisten=127.0.0.1:" + LoopbackPorts.freePort() + "\nadmin.port=0\n");

        try (ToolboxNode node = ToolboxNode.start(new String[] {"--config", file.toString()}, IDLE))
        {
            assertThatThrownBy(() -> node.startAdmin(Map.of())).as("the endpoint the file asked for")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already serves");
        }
    }
}
