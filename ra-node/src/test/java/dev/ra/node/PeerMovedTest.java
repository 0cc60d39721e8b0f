package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer given by host name ({@code peers=n2=ra-n2.example:7001}) that comes back at another address under the same
 * name (a replaced machine, a rescheduled pod) is found there: the name is looked up again when the node dials, as
 * etcd and ZooKeeper do. It was looked up once, when the settings were read, and the node dialled the old address
 * until it was restarted. The names come from a hosts file of the node's JVM ({@code jdk.net.hosts.file}) and are
 * not cached ({@code sun.net.inetaddr.ttl=0}); both addresses are loopback ones.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PeerMovedTest
{
    private static final String PEER_HOST = "ra-n2.test";
    private static final Pattern OPENED = Pattern.compile("connectionsOpened=(\\d+)");
    private static final long WAIT_MILLIS = 60_000;

    @TempDir
    Path dir;

    @Test
    void aPeerGivenByNameIsDialledWhereTheNameLeadsNowNotWhereItLedAtStart() throws Exception
    {
        final int port = LoopbackPorts.freePort();
        final Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.2 " + PEER_HOST + "\n");
        final AtomicInteger oldAddressDials = new AtomicInteger();
        try (ServerSocket oldAddress = new ServerSocket())
        {
            oldAddress.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port));
            final Thread accepter = new Thread(() -> acceptAndClose(oldAddress, oldAddressDials), "old-address");
            accepter.setDaemon(true);
            accepter.start();
            try (NodeJvm n1 = new NodeJvm("n1", NodeLauncher.class.getName(),
                List.of("-Djdk.net.hosts.file=" + hosts, "-Dsun.net.inetaddr.ttl=0"),
                List.of("listen=127.0.0.1:" + LoopbackPorts.freePort(), "peers=n2=" + PEER_HOST + ":" + port,
                    "reconnect.backoff.ms=20-200", "native.transport=false"), dir.resolve("n1.log")).start())
            {
                awaitTrue(() -> oldAddressDials.get() > 0, "n1 to dial n2 where its name led at first");
                // n2 comes back on another machine, under the same name; nothing answers at the old address.
                Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 " + PEER_HOST + "\n");
                oldAddress.close();
                try (RaSystem n2 = RaSystem.builder().nodeId("n2").storage(new InMemoryStorage())
                    .transport(new NettyTransport(NettyTransportConfig.builder()
                        .listenAddress(new InetSocketAddress("127.0.0.1", port)).allowNode("n1").build()))
                    .build())
                {
                    awaitTrue(() -> connectionsOpened(n1) > 0, "n1 to reach n2 at its new address");
                    assertThat(n2.nodeId()).isEqualTo("n2");
                }
            }
        }
    }

    private static void acceptAndClose(final ServerSocket server, final AtomicInteger accepted)
    {
        while (!server.isClosed())
        {
            try (Socket ignored = server.accept())
            {
                accepted.incrementAndGet();
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    private static long connectionsOpened(final NodeJvm node)
    {
        final Matcher m = OPENED.matcher(node.command("stats").get(0));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private interface Condition
    {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(final Condition condition, final String what) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.holds())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
