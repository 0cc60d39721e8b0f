package dev.ra.transport.netty;

import dev.ra.spi.TransportListener;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * Reports a connected node from which no frame at all has arrived for the silence the runtime asked for
 * ({@link dev.ra.spi.Transport#reportSilenceAfter}), and the first frame after that. One check per node pair, however
 * many clusters the two nodes share: connections heartbeat every quarter of the silence (a connection that wrote
 * something else meanwhile skips one, so a live node is heard at least twice per silence), so a node that is paused
 * (SIGSTOP) or cut off without its connection closing is told from a quiet one well before the failure timeout closes
 * the connection.
 *
 * <p>A check that runs late (this process was paused, or its threads starved) reports nothing, and silence is counted
 * again from then on only: frames that arrived meanwhile may not have been read yet (the thread that reads a node may
 * resume after the one that checks, and the checks that were due during the stall run back to back right after the
 * late one), and a node that could not listen is no judge of who went quiet. A node is reported only once it has been
 * unheard for the whole silence while this node was listening.
 */
final class SilenceDetector
{
    private final long silenceNanos;
    private final long periodNanos;
    private long lastCheckNanos;
    /** When this node last resumed listening after a stall (or started): silence before then does not count. */
    private long listeningSinceNanos;

    /**
     * @param silence how long a connected node may send nothing before it is reported, in nanoseconds.
     */
    SilenceDetector(final long silence)
    {
        this.silenceNanos = silence;
        this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), silence / 4);
    }

    /**
     * @param configured heartbeat interval of the transport.
     * @return the interval to heartbeat at: often enough that a live node is heard at least twice per silence.
     */
    long heartbeatIntervalNanos(final long configured)
    {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(configured, silenceNanos / 4));
    }

    void start(final EventExecutor executor, final Collection<PeerLink> links, final TransportListener listener)
    {
        lastCheckNanos = System.nanoTime();
        listeningSinceNanos = lastCheckNanos;
        executor.scheduleAtFixedRate(() -> check(links, listener), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A frame arrived from the link's node (on its event loop; cheap: one volatile write, one volatile read).
     */
    static void heard(final PeerLink link, final long nowNanos, final TransportListener listener)
    {
        link.lastHeardNanos = nowNanos;
        if (link.silent)
        {
            synchronized (link)
            {
                if (link.silent)
                {
                    link.silent = false;
                    listener.onNodeHeard(link.node);
                }
            }
        }
    }

    private void check(final Collection<PeerLink> links, final TransportListener listener)
    {
        final long now = System.nanoTime();
        final boolean late = now - lastCheckNanos > 3 * periodNanos;
        lastCheckNanos = now;
        if (late)
        {
            listeningSinceNanos = now;
            return;
        }
        if (now - listeningSinceNanos <= silenceNanos)
        {
            return;
        }
        for (final PeerLink link : links)
        {
            if (link.silent || null == link.active || now - link.lastHeardNanos <= silenceNanos)
            {
                continue;
            }
            synchronized (link)
            {
                // Under the monitor that orders up and down reports: silence only between an up and its down.
                if (link.reportedUp && !link.silent && now - link.lastHeardNanos > silenceNanos)
                {
                    link.silent = true;
                    listener.onNodeSilent(link.node);
                }
            }
        }
    }
}
