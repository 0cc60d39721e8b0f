package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.runtime.memory.InMemoryStorage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose listen address is taken fails to build with a {@link RaException} that names the node and the address,
 * and leaves no thread of its own behind; one whose listen host does not resolve says so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PortInUseTest
{
    @Test
    void aPortInUseIsARaExceptionNamingNodeAndAddressAndLeavesNoThread() throws Exception
    {
        final String node = "portbusy";
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            final int threadsBefore = threadsOf(node).size();
            assertThat(threadsBefore).isZero();

            assertThatThrownBy(() -> RaSystem.builder().nodeId(node)
                .transport(new NettyTransport(NettyTransportConfig.builder().clusterId("test").listenAddress(address)
                    .build()))
                .storage(new InMemoryStorage()).build())
                .isInstanceOf(RaException.class)
                .hasMessageContaining(node)
                .hasMessageContaining("127.0.0.1:" + address.getPort())
                .hasMessageContaining("in use");

            // Threads end asynchronously after being told to stop: wait for them, boundedly.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!threadsOf(node).isEmpty() && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(20);
            }
            assertThat(threadsOf(node)).isEmpty();
        }
    }

    @Test
    void buildingAgainWithTheSameBuilderAfterAPortInUseSaysTheTransportIsClosedAndLeavesNoThread() throws Exception
    {
        final String node = "retried";
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            final RaSystemBuilder builder = RaSystem.builder().nodeId(node)
                .transport(new NettyTransport(NettyTransportConfig.builder().clusterId("test").listenAddress(address)
                    .build()))
                .storage(new InMemoryStorage());
            assertThatThrownBy(builder::build).isInstanceOf(RaException.class).hasMessageContaining("in use");

            // An application retrying the start in a loop must not leave threads behind on each attempt.
            assertThatThrownBy(builder::build).isInstanceOf(RaException.class).hasMessageContaining(node)
                .hasMessageContaining("closed");

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!threadsOf(node).isEmpty() && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(20);
            }
            assertThat(threadsOf(node)).isEmpty();
        }
    }

    @Test
    void anUnresolvableListenHostIsARaExceptionSayingTheHostDoesNotResolve()
    {
        final InetSocketAddress address = InetSocketAddress.createUnresolved("no-such-host.invalid", 7001);
        assertThatThrownBy(() -> RaSystem.builder().nodeId("unresolved")
            .transport(new NettyTransport(NettyTransportConfig.builder().clusterId("test").listenAddress(address)
                .build()))
            .storage(new InMemoryStorage()).build())
            .isInstanceOf(RaException.class)
            .hasMessageContaining("no-such-host.invalid:7001")
            .hasMessageContaining("could not be resolved");
    }

    private static List<String> threadsOf(final String node)
    {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
            .filter(name -> name.contains("-" + node + "-")).toList();
    }
}
