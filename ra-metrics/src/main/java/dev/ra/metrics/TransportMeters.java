package dev.ra.metrics;

import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.PeerStats;
import dev.ra.transport.netty.TransportStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The Netty transport: per other node (tag {@code peer}) messages and bytes in and out, drops, connections opened
 * (reconnects), queue depth and whether it is up; for the node, frames rejected and connections refused. Loaded only
 * when the application passes a transport, so ra-transport-netty is needed only then.
 */
final class TransportMeters implements MeterGroup
{
    private static final String KEY = "transport";

    /** One peer's counters at the last refresh. */
    private static final class PeerState
    {
        final String node;
        final RaMetrics owner;
        volatile PeerStats stats;

        PeerState(final String node, final RaMetrics owner, final PeerStats stats)
        {
            this.node = node;
            this.owner = owner;
            this.stats = stats;
        }

        PeerStats stats()
        {
            owner.ensureFresh();
            return stats;
        }
    }

    /** A peer node's meters, as a key of {@link RegisteredMeters}. */
    private record PeerKey(String node)
    {
    }

    private final NettyTransport transport;
    private final RaMetrics owner;
    private final Tags tags;
    private final Map<String, PeerState> peers = new HashMap<>();
    private volatile TransportStats totals;

    TransportMeters(final NettyTransport transport, final RaMetrics owner, final Tags tags)
    {
        this.transport = transport;
        this.owner = owner;
        this.tags = tags;
    }

    @Override
    public void refresh(final List<MeterRegistry> registries, final RegisteredMeters meters)
    {
        totals = transport.stats();
        for (final PeerStats stats : transport.peerStats().values())
        {
            final PeerState state = peers.get(stats.node());
            if (null == state)
            {
                peers.put(stats.node(), new PeerState(stats.node(), owner, stats));
            }
            else
            {
                state.stats = stats;
            }
        }
    }

    private TransportStats totals()
    {
        owner.ensureFresh();
        return totals;
    }

    @Override
    public void register(final MeterRegistry registry, final RegisteredMeters meters)
    {
        if (!meters.has(KEY, registry))
        {
            final List<Meter> list = new ArrayList<>();
            list.add(FunctionCounter.builder("ra.transport.frames.rejected", this, t -> t.totals().framesRejected())
                .description("connections closed for a malformed, oversized or out-of-protocol frame").tags(tags)
                .register(registry));
            list.add(FunctionCounter.builder("ra.transport.connections.refused", this,
                t -> t.totals().connectionsRefused()).description("connections refused during the handshake")
                .tags(tags).register(registry));
            list.add(FunctionCounter.builder("ra.transport.flushes", this, t -> t.totals().flushes())
                .description("flushes of connections (about one write system call each)").tags(tags)
                .register(registry));
            meters.add(KEY, registry, list);
        }
        for (final PeerState peer : peers.values())
        {
            final PeerKey key = new PeerKey(peer.node);
            if (!meters.has(key, registry))
            {
                meters.add(key, registry, peerMeters(registry, peer));
            }
        }
    }

    private List<Meter> peerMeters(final MeterRegistry registry, final PeerState peer)
    {
        final Tags peerTags = tags.and("peer", peer.node);
        final List<Meter> list = new ArrayList<>();
        list.add(counter(registry, "ra.transport.messages.sent", peer, PeerStats::messagesSent, peerTags,
            "messages written to the peer", null));
        list.add(counter(registry, "ra.transport.sent.bytes", peer, PeerStats::bytesWritten, peerTags,
            "bytes written to the peer's connections", "bytes"));
        list.add(counter(registry, "ra.transport.messages.received", peer, PeerStats::messagesReceived, peerTags,
            "messages read from the peer", null));
        list.add(counter(registry, "ra.transport.received.bytes", peer, PeerStats::bytesRead, peerTags,
            "bytes read from the peer's connections", "bytes"));
        list.add(counter(registry, "ra.transport.messages.dropped", peer, PeerStats::messagesDropped, peerTags,
            "messages to the peer dropped (no connection, queue full, too large)", null));
        list.add(counter(registry, "ra.transport.connections.opened", peer, PeerStats::connectionsOpened, peerTags,
            "connections to the peer established (the first and every reconnect)", null));
        list.add(Gauge.builder("ra.transport.queue.depth", peer, p -> p.stats().queued())
            .description("messages waiting in the peer's outbound queue").tags(peerTags).register(registry));
        list.add(Gauge.builder("ra.transport.peer.up", peer, p -> p.stats().up() ? 1 : 0)
            .description("1 while the peer node is connected (up), else 0").tags(peerTags).register(registry));
        return list;
    }

    private static FunctionCounter counter(final MeterRegistry registry, final String name, final PeerState peer,
        final ToDoubleFunction<PeerStats> value, final Tags peerTags, final String description, final String unit)
    {
        return FunctionCounter.builder(name, peer, p -> value.applyAsDouble(p.stats())).description(description)
            .baseUnit(unit).tags(peerTags).register(registry);
    }
}
