package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.LoopbackPorts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

    /**
     * A WAL file damaged in a way recovery refuses to skip (a damaged batch followed by valid ones) leaves a storage
     * that refuses to open any server (docs/log-format.md, "Damaged storage"): the node started, said it was ready
     * and ran none of them, with status 0, though a node whose storage does not open must end with one line and
     * status 2.
     */
    @Test
    void aDataDirectoryWhoseWalRecoveryIsRefusedIsNotStartedOn() throws IOException
    {
        final ServerId member = new ServerId("bank", "n1");
        try (NodeLauncher n1 = start("n1"))
        {
            n1.system().startCluster("bank", "counter", List.of(member));
            for (int i = 0; i < 20; i++)
            {
                n1.system().processCommand(member, 1L);
            }
        }
        final Path newestWal;
        try (Stream<Path> files = Files.list(dataDir.resolve("wal")))
        {
            newestWal = files.filter(f -> f.toString().endsWith(".wal")).max(Comparator.naturalOrder()).orElseThrow();
        }
        // Inside the first batch after the file's header, with the other batches after it.
        try (FileChannel channel = FileChannel.open(newestWal, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, 40);
            one.put(0, (byte)~one.get(0)).rewind();
            channel.write(one, 40);
        }

        assertThatThrownBy(() -> start("n1")).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(newestWal.toString()).hasMessageContaining(dataDir.toString());
        // Nothing was left open: the next attempt is refused the same way, not for a lock held.
        assertThatThrownBy(() -> start("n1")).hasMessageContaining(newestWal.toString());
    }
}
