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
 * <p>A check that runs late (this process was paused, or its threads starved) reports nothing, and the stall is not
 * counted as silence ({@link ListeningWatch}): frames that arrived meanwhile may not have been read yet (the thread
 * that reads a node may resume after the one that checks, and the checks that were due during the stall run back to
 * back right after the late one), and a node that could not listen is no judge of who went quiet. A node is reported
 * only once it has been unheard for the whole silence while this node was listening. The same holds for the thread that
 * reads the node, which may be starved while the check's thread is not (a long {@code apply} on that I/O thread, see
 * docs/TRANSPORT.md): while its own check of the connection has not run for several intervals the node is not judged,
 * and silence counts again from when that thread resumed ({@link PeerLink#readerChecked}).
 */
final class SilenceDetector
{
    private final long silenceNanos;
    private final long periodNanos;
    /** Whether this check's own thread was listening; set when it starts. */
    private ListeningWatch listening;

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
        startedAt(System.nanoTime());
        executor.scheduleAtFixedRate(() -> check(links, listener, System.nanoTime()), periodNanos, periodNanos,
            TimeUnit.NANOSECONDS);
    }

    /** This node starts listening (tests drive the checks with {@link #check} on ticks of their own). */
    void startedAt(final long nowNanos)
    {
        listening = new ListeningWatch(periodNanos, silenceNanos, nowNanos);
    }

    /** @return how often the check runs. */
    long periodNanos()
    {
        return periodNanos;
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

    /** One check, at {@code now} ({@link System#nanoTime()}). */
    void check(final Collection<PeerLink> links, final TransportListener listener, final long now)
    {
        if (listening.check(now))
        {
            return;
        }
        final long lateNanos = ListeningWatch.LATE_PERIODS * periodNanos;
        for (final PeerLink link : links)
        {
            if (link.silent || null == link.active || now - link.readerCheckedNanos > lateNanos ||
                unheardNanos(link, now) <= silenceNanos)
            {
                continue;
            }
            synchronized (link)
            {
                // Under the monitor that orders up and down reports: silence only between an up and its down.
                if (link.reportedUp && !link.silent && unheardNanos(link, now) > silenceNanos)
                {
                    link.silent = true;
                    listener.onNodeSilent(link.node);
                }
            }
        }
    }

    /**
     * @return how long the link's node went unheard while both this check's thread and the thread that reads the node
     *     were listening.
     */
    private long unheardNanos(final PeerLink link, final long now)
    {
        final long readerSince = link.readerListeningSinceNanos;
        final long lastHeard = link.lastHeardNanos;
        return listening.unheardNanos(now, lastHeard - readerSince > 0 ? lastHeard : readerSince);
    }
}
