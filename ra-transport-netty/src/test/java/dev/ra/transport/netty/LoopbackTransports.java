package dev.ra.transport.netty;

import dev.ra.spi.Transport;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.testkit.TransportFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Netty transports for nodes {@code n1..nN} in one JVM on 127.0.0.1, each listening on a port reserved up front so
 * that every node knows every other's address; fast heartbeats and failure detection for tests.
 */
final class LoopbackTransports implements TransportFactory
{
    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final java.util.function.BiFunction<String, NettyTransportConfig.Builder, NettyTransportConfig.Builder>
        customizer;
    private final Map<String, NettyTransport> latest = new java.util.concurrent.ConcurrentHashMap<>();

    LoopbackTransports(final int nodes)
    {
        this(nodes, b -> b);
    }

    LoopbackTransports(final int nodes, final UnaryOperator<NettyTransportConfig.Builder> customizer)
    {
        this(nodes, (node, builder) -> customizer.apply(builder));
    }

    LoopbackTransports(final int nodes,
        final java.util.function.BiFunction<String, NettyTransportConfig.Builder, NettyTransportConfig.Builder>
            customizer)
    {
        this.customizer = customizer;
        for (int i = 1; i <= nodes; i++)
        {
            addresses.put("n" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()));
        }
    }

    Map<String, InetSocketAddress> addresses()
    {
        return addresses;
    }

    NettyTransportConfig.Builder config(final String node)
    {
        final NettyTransportConfig.Builder builder = NettyTransportConfig.builder().clusterId("test")
            .listenAddress(addresses.get(node))
            .heartbeatInterval(Duration.ofMillis(100)).failureTimeout(Duration.ofMillis(3000))
            .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300));
        for (final Map.Entry<String, InetSocketAddress> peer : addresses.entrySet())
        {
            if (!peer.getKey().equals(node))
            {
                builder.peer(peer.getKey(), peer.getValue());
            }
        }
        return customizer.apply(node, builder);
    }

    @Override
    public Transport newTransport(final String node)
    {
        final NettyTransport transport = new NettyTransport(config(node).build());
        latest.put(node, transport);
        return transport;
    }

    NettyTransport transport(final String node)
    {
        return latest.get(node);
    }

    @Override
    public void awaitConnected(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!allConnected())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("transports did not connect within " + timeout);
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private boolean allConnected()
    {
        for (final Map.Entry<String, NettyTransport> a : latest.entrySet())
        {
            if (a.getValue().isClosed())
            {
                continue;
            }
            for (final Map.Entry<String, NettyTransport> b : latest.entrySet())
            {
                if (!a.getKey().equals(b.getKey()) && !b.getValue().isClosed() &&
                    !a.getValue().isReachable(b.getKey()))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
