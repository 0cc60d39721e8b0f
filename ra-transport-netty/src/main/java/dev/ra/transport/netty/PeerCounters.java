package dev.ra.transport.netty;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link PeerStats}, one set per other node (kept in its {@link PeerLink}); updated from any
 * thread without contention.
 */
final class PeerCounters
{
    /** Where a connection counts before its handshake tells which node it is with. */
    static final PeerCounters UNKNOWN = new PeerCounters();

    final LongAdder messagesSent = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder messagesDropped = new LongAdder();
    final LongAdder connectionsOpened = new LongAdder();

    /**
     * @param links the transport's links to other nodes.
     * @return a snapshot per node, by node id.
     */
    static Map<String, PeerStats> snapshot(final Collection<PeerLink> links)
    {
        final Map<String, PeerStats> stats = new TreeMap<>();
        for (final PeerLink link : links)
        {
            final PeerCounters c = link.counters;
            final boolean up;
            synchronized (link)
            {
                up = link.reportedUp;
            }
            stats.put(link.node, new PeerStats(link.node, c.messagesSent.sum(), c.bytesWritten.sum(),
                c.messagesReceived.sum(), c.bytesRead.sum(), c.messagesDropped.sum(), c.connectionsOpened.sum(),
                Math.max(0, link.outbound.size.get()), up, link.protocol.agreed(), link.protocol.refusal(),
                link.duplicates.recentRefusal()));
        }
        return stats;
    }
}
