package dev.ra.transport.netty;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Looks up, at each dial, the host names peers are given by ({@code peers=n2=ra-n2.example:7001}), so that a node
 * replaced at another address under the same name (a new machine, a rescheduled pod) is found there, as etcd and
 * ZooKeeper find it; looked up once, the name kept the address it led to when the transport was configured until this
 * node restarted. Lookups go through the JVM's cache of names ({@code networkaddress.cache.ttl}) and run on threads of
 * their own: a slow name server must not stall the I/O threads, which carry every other peer's traffic. Each peer has
 * at most one dial in flight, so there are at most as many of these threads as peers, and none while nothing is
 * looked up.
 */
final class PeerNames
{
    private final ExecutorService lookups;

    /**
     * @param node the node's id, once the transport knows it: the lookup threads are named after it
     *             ({@code ra-<node>-peer-names-<n>}).
     */
    PeerNames(final Supplier<String> node)
    {
        lookups = Executors.newCachedThreadPool(new NamedThreadFactory(() -> "ra-" + node.get() + "-peer-names"));
    }

    /**
     * Hand the address to dial a peer at to {@code dial}: at once for an address given as an IP address (resolved or
     * not), after looking its name up for one given by name (unresolved if the name does not resolve now).
     *
     * @param link of the peer, with an address.
     * @param dial connects to the address.
     * @throws java.util.concurrent.RejectedExecutionException once closed.
     */
    void whenLookedUp(final PeerLink link, final Consumer<InetSocketAddress> dial)
    {
        final String host = link.address.getHostString();
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host))
        {
            // No lookup, but one given unresolved (createUnresolved("10.0.0.2", 7001)) is made an address here:
            // handed on unresolved, it was taken for a name that does not resolve and never dialled.
            dial.accept(link.address.isUnresolved() ? link.dialAddress() : link.address);
            return;
        }
        lookups.execute(() ->
        {
            try
            {
                dial.accept(link.dialAddress());
            }
            catch (final RejectedExecutionException ex)
            {
                // The transport closed its I/O threads during the lookup: there is nothing to dial with.
            }
        });
    }

    /**
     * Stop looking names up; a lookup under way ends by itself (its dial finds the transport closed).
     */
    void close()
    {
        lookups.shutdownNow();
    }
}
