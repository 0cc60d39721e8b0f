package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.LoopbackPorts;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory holds the servers of the node that wrote it. Started with another node.id (a copied settings file,
 * a typo, two nodes' directories swapped), a node would skip every server in it and say it is ready, running none of
 * them: the operator learns it only when the clusters miss a member.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeLauncherDataDirectoryOwnerTest
{
    @TempDir
    Path dataDir;

    private NodeLauncher start(final String nodeId)
    {
        return NodeLauncher.start(NodeConfig.fromArgs("node.id=" + nodeId,
            "listen=127.0.0.1:" + LoopbackPorts.freePort(), "data.dir=" + dataDir,
            "machines=counter=" + CounterMachine.class.getName()));
    }

    @Test
    void aDataDirectoryHoldingTheServersOfAnotherNodeIsRefusedNamingTheNodeAndTheDirectory()
    {
        final ServerId member = new ServerId("bank", "n1");
        try (NodeLauncher n1 = start("n1"))
        {
            n1.system().startCluster("bank", "counter", List.of(member));
        }
        assertThatThrownBy(() -> start("n2")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(dataDir.toString()).hasMessageContaining("bank@n1")
            .hasMessageContaining("node.id");
        // Refused without harm: the node that owns the directory starts on it, and runs its server again.
        try (NodeLauncher n1 = start("n1"))
        {
            assertThat(n1.system().runningServers()).containsExactly(member);
        }
    }
}
