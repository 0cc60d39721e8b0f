package dev.ra.examples.support;

import dev.ra.spi.Transport;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.testkit.TransportFactory;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Netty transports for named nodes of one JVM on 127.0.0.1, each on a port reserved up front so that every node knows
 * every other's address: between them, commands, replies and log entries travel as bytes, decoded with the receiving
 * node's codecs, as between machines.
 */
public final class LoopbackNetty implements TransportFactory
{
    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final Map<String, NettyTransport> made = new ConcurrentHashMap<>();

    /**
     * @param nodes the ids of the nodes.
     */
    public LoopbackNetty(final List<String> nodes)
    {
        for (final String node : nodes)
        {
            addresses.put(node, new InetSocketAddress("127.0.0.1", LoopbackPorts.freePort()));
        }
    }

    @Override
    public Transport newTransport(final String node)
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
        final NettyTransport transport = new NettyTransport(builder.build());
        made.put(node, transport);
        return transport;
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
        for (final Map.Entry<String, NettyTransport> a : made.entrySet())
        {
            for (final String b : made.keySet())
            {
                if (!a.getKey().equals(b) && !a.getValue().isClosed() && !made.get(b).isClosed() &&
                    !a.getValue().isReachable(b))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
