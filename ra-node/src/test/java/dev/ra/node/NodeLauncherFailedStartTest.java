package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.LoopbackPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose start fails (port in use, a machine class not on the class path or not a machine, a bad election
 * timeout) closes what it had opened: the next start on the same data directory, in the same JVM, finds its lock free.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeLauncherFailedStartTest
{
    @TempDir
    Path dataDir;

    private String[] withMachines(final int port, final String machines, final String... extra)
    {
        final List<String> s = new ArrayList<>(List.of("node.id=n1", "listen=127.0.0.1:" + port,
            "data.dir=" + dataDir, "machines=" + machines));
        s.addAll(List.of(extra));
        return s.toArray(String[]::new);
    }

    private String[] settings(final int port, final String... extra)
    {
        return withMachines(port, "counter=" + CounterMachine.class.getName(), extra);
    }

    private void assertTheNextStartSucceeds(final int port)
    {
        try (NodeLauncher node = NodeLauncher.start(NodeConfig.fromArgs(settings(port))))
        {
            assertThat(node.transport().localAddress().getPort()).isEqualTo(port);
        }
    }

    @Test
    void aPortInUseLeavesTheDataDirectoryFreeForTheNextStart() throws IOException
    {
        final int port = LoopbackPorts.freePort();
        try (ServerSocket squatter = new ServerSocket())
        {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThatThrownBy(() -> NodeLauncher.start(NodeConfig.fromArgs(settings(port))))
                .hasMessageContaining("127.0.0.1:" + port);
        }
        assertTheNextStartSucceeds(port);
    }

    @Test
    void anUnknownMachineClassLeavesTheDataDirectoryFreeForTheNextStart()
    {
        final int port = LoopbackPorts.freePort();
        assertThatThrownBy(() -> NodeLauncher.start(NodeConfig.fromArgs(withMachines(port, "counter=no.such.Machine"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no.such.Machine");
        assertTheNextStartSucceeds(port);
    }

    @Test
    void aMachineClassThatIsNotAMachineIsRefusedAtStartNamingIt()
    {
        final int port = LoopbackPorts.freePort();
        assertThatThrownBy(() -> NodeLauncher.start(NodeConfig.fromArgs(withMachines(port,
            "counter=" + String.class.getName())))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("java.lang.String").hasMessageContaining("StateMachine");
        assertTheNextStartSucceeds(port);
    }

    @Test
    void aSettingTheSystemRefusesLeavesTheDataDirectoryFreeForTheNextStart()
    {
        final int port = LoopbackPorts.freePort();
        // Passes the settings' own checks, refused by the system's build once the storage is open: the commit notice
        // delay must stay below the election timeout's lower bound (300 ms by default).
        assertThatThrownBy(() -> NodeLauncher.start(NodeConfig.fromArgs(settings(port, "commit.notice.delay.ms=400"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commit notice delay");
        assertTheNextStartSucceeds(port);
    }

    @Test
    void aStorageSettingOutOfRangeIsRefusedNamingItsKey()
    {
        final int port = LoopbackPorts.freePort();
        // The storage checks its ranges when built, with its own names for them (segmentMaxEntries).
        assertThatThrownBy(() -> NodeLauncher.start(NodeConfig.fromArgs(settings(port, "segment.max.entries=0"))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("segment.max.entries: ")
            .hasMessageContaining("'0'");
        assertTheNextStartSucceeds(port);
    }
}
