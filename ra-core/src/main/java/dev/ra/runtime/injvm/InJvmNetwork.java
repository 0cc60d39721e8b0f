package dev.ra.runtime.injvm;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Connects several {@link dev.ra.RaSystem}s in one JVM, each one a node, for tests, benchmarks and demos.
 *
 * <p>Messages are handed over by reference (they are immutable records) and delivered on the sender's thread
 * straight into the receiving node's listener, unless a fault hook delays them, in which case a single delivery
 * thread delivers them in order per link. Fault hooks: drop a share of the messages on a link, delay a link,
 * partition two nodes (both sides see each other go down), cut one direction only (messages are lost, nobody is told
 * the node is down, as with a one-way network fault), pause a node (nothing it sends or is sent arrives, as with a
 * stopped process whose connections stay open), isolate a node, and heal. A node that hears nothing over a cut link
 * or from a paused node is told the sender went silent once its transport's silence
 * ({@link dev.ra.spi.Transport#reportSilenceAfter}) has passed, and heard again when the fault is lifted, as a real
 * transport's heartbeats would tell it. Thread-safe.
 */
public final class InJvmNetwork implements AutoCloseable
{
    private final Map<String, InJvmTransport> nodes = new ConcurrentHashMap<>();
    private final Map<Link, LinkFault> faults = new ConcurrentHashMap<>();
    private final Set<Link> partitioned = ConcurrentHashMap.newKeySet();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    /** Links whose receiving node has been told the sending node went silent. */
    private final Set<Link> silent = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService delayer;
    private final ThreadLocal<Boolean> delivering = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /**
     * A link between two nodes, in one direction.
     *
     * @param from sending node.
     * @param to   receiving node.
     */
    private record Link(String from, String to)
    {
    }

    /**
     * How a link misbehaves.
     *
     * @param dropRate    share of messages dropped, 0 to 1.
     * @param delayNanos  added to every message.
     * @param cut         all messages dropped (one-way fault).
     */
    private record LinkFault(double dropRate, long delayNanos, boolean cut)
    {
        static final LinkFault NONE = new LinkFault(0, 0, false);

        boolean isNone()
        {
            return dropRate == 0 && delayNanos == 0 && !cut;
        }
    }

    /**
     * @return a new transport for one node of this network; the node id is given when the system starts it.
     */
    public Transport newTransport()
    {
        return new InJvmTransport(this);
    }

    /**
     * @return ids of the nodes currently attached.
     */
    public List<String> nodes()
    {
        return new ArrayList<>(nodes.keySet());
    }

    /**
     * Drop a share of the messages sent from one node to another.
     *
     * @param from     sending node.
     * @param to       receiving node.
     * @param dropRate share of messages to drop, from 0 (none) to 1 (all).
     */
    public void dropRate(final String from, final String to, final double dropRate)
    {
        if (dropRate < 0 || dropRate > 1)
        {
            throw new IllegalArgumentException("drop rate must be in [0, 1], got " + dropRate);
        }
        updateFault(from, to, f -> new LinkFault(dropRate, f.delayNanos, f.cut));
    }

    /**
     * Delay every message sent from one node to another (order on the link is kept).
     *
     * @param from  sending node.
     * @param to    receiving node.
     * @param delay added to each message; zero removes the delay.
     */
    public void delay(final String from, final String to, final Duration delay)
    {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative())
        {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        updateFault(from, to, f -> new LinkFault(f.dropRate, delay.toNanos(), f.cut));
    }

    /**
     * Cut one direction: messages from {@code from} to {@code to} are lost; the nodes are not told.
     *
     * @param from sending node.
     * @param to   receiving node.
     */
    public void cutOneWay(final String from, final String to)
    {
        updateFault(from, to, f -> new LinkFault(f.dropRate, f.delayNanos, true));
        watchSilence(from, to);
    }

    /**
     * Pause a node, as a stopped process (SIGSTOP) whose connections stay open: nothing it sends arrives and nothing
     * sent to it is delivered (the messages are lost). Nobody is told it is down; its peers are told it went silent.
     *
     * @param node to pause.
     */
    public void pause(final String node)
    {
        Objects.requireNonNull(node, "node");
        if (paused.add(node))
        {
            for (final String other : nodes())
            {
                if (!other.equals(node))
                {
                    watchSilence(node, other);
                    watchSilence(other, node);
                }
            }
        }
    }

    /**
     * Resume a paused node; its peers hear from it again.
     *
     * @param node to resume.
     */
    public void resume(final String node)
    {
        Objects.requireNonNull(node, "node");
        if (paused.remove(node))
        {
            for (final String other : nodes())
            {
                if (!other.equals(node))
                {
                    heardAgain(node, other);
                    heardAgain(other, node);
                }
            }
        }
    }

    /**
     * Partition two nodes from each other: messages both ways are lost and each side sees the other go down.
     *
     * @param a one node.
     * @param b the other node.
     */
    public void partition(final String a, final String b)
    {
        requireDistinct(a, b);
        final boolean changed = partitioned.add(new Link(a, b)) | partitioned.add(new Link(b, a));
        if (changed)
        {
            notifyDown(a, b);
            notifyDown(b, a);
        }
    }

    /**
     * Partition a node from every other attached node.
     *
     * @param node to isolate.
     */
    public void isolate(final String node)
    {
        for (final String other : nodes())
        {
            if (!other.equals(node))
            {
                partition(node, other);
            }
        }
    }

    /**
     * Remove every fault between two nodes (both directions); nodes that were partitioned see each other come up.
     *
     * @param a one node.
     * @param b the other node.
     */
    public void heal(final String a, final String b)
    {
        requireDistinct(a, b);
        faults.remove(new Link(a, b));
        faults.remove(new Link(b, a));
        final boolean changed = partitioned.remove(new Link(a, b)) | partitioned.remove(new Link(b, a));
        if (changed)
        {
            notifyUp(a, b);
            notifyUp(b, a);
        }
        heardAgain(a, b);
        heardAgain(b, a);
    }

    /**
     * Remove every fault of the network. Every cut is lifted BEFORE any node is told that a peer is up, so that a
     * node reacting to {@code onNodeUp} (re-monitoring, answering) never sends into a direction still cut.
     */
    public void healAll()
    {
        faults.clear();
        final List<Link> lifted = new ArrayList<>();
        for (final Link link : new ArrayList<>(partitioned))
        {
            if (partitioned.remove(link))
            {
                lifted.add(link);
            }
        }
        paused.clear();
        for (final Link link : lifted)
        {
            notifyUp(link.from, link.to);
        }
        for (final Link link : new ArrayList<>(silent))
        {
            heardAgain(link.from, link.to);
        }
    }

    /**
     * Stop the delivery thread, if one was started. Attached transports are not closed.
     */
    @Override
    public void close()
    {
        final ScheduledExecutorService d = delayer;
        if (null != d)
        {
            d.shutdownNow();
        }
    }

    void attach(final String node, final InJvmTransport transport)
    {
        if (null != nodes.putIfAbsent(node, transport))
        {
            throw new IllegalStateException("node " + node + " is already attached to this network");
        }
        for (final Map.Entry<String, InJvmTransport> other : nodes.entrySet())
        {
            if (!other.getKey().equals(node) && isReachable(node, other.getKey()))
            {
                other.getValue().listener().onNodeUp(node);
                transport.listener().onNodeUp(other.getKey());
            }
        }
    }

    /**
     * A node's transport closed: the node leaves in order. Nothing is delivered to it from now on, and each node that
     * could reach it is told it left ({@link dev.ra.spi.TransportListener#onNodeLeft}) after what the node sent it
     * before: at once, or after the link's delay, so that the notice follows the delayed messages on that link. Over
     * a link that loses messages (cut, or a drop rate) answers may have been lost, so that node hears a plain node
     * down instead.
     */
    void detach(final String node, final InJvmTransport transport)
    {
        if (nodes.remove(node, transport))
        {
            for (final Map.Entry<String, InJvmTransport> other : nodes.entrySet())
            {
                if (isReachable(node, other.getKey()))
                {
                    final LinkFault fault = faults.get(new Link(node, other.getKey()));
                    final InJvmTransport observer = other.getValue();
                    if (null != fault && (fault.cut || fault.dropRate > 0))
                    {
                        // Answers may have been lost on the way: that node cannot know what was taken.
                        observer.listener().onNodeDown(node);
                    }
                    else if (null != fault && fault.delayNanos > 0)
                    {
                        delayer().schedule(() -> observer.listener().onNodeLeft(node), fault.delayNanos,
                            TimeUnit.NANOSECONDS);
                    }
                    else
                    {
                        observer.listener().onNodeLeft(node);
                    }
                }
            }
        }
    }

    boolean isReachable(final String from, final String to)
    {
        return nodes.containsKey(to) && !partitioned.contains(new Link(from, to));
    }

    void send(final String from, final String to, final NodeMessage message)
    {
        final InJvmTransport target = nodes.get(to);
        if (null == target || !nodes.containsKey(from))
        {
            // A node that left sends nothing after its goodbye.
            return;
        }
        if (!partitioned.isEmpty() && partitioned.contains(new Link(from, to)))
        {
            return;
        }
        if (!paused.isEmpty() && (paused.contains(from) || paused.contains(to)))
        {
            return;
        }
        final LinkFault fault = faults.isEmpty() ? null : faults.get(new Link(from, to));
        if (null == fault)
        {
            deliver(target, from, message);
            return;
        }
        if (fault.cut || (fault.dropRate > 0 && ThreadLocalRandom.current().nextDouble() < fault.dropRate))
        {
            return;
        }
        if (fault.delayNanos > 0)
        {
            delayer().schedule(() ->
            {
                if (nodes.get(to) == target && !partitioned.contains(new Link(from, to)))
                {
                    deliver(target, from, message);
                }
            }, fault.delayNanos, TimeUnit.NANOSECONDS);
        }
        else
        {
            deliver(target, from, message);
        }
    }

    private void deliver(final InJvmTransport target, final String from, final NodeMessage message)
    {
        // Marked while it runs: a callback of a call whose answer this delivers runs here, on the sending node's
        // thread or the delivery thread, and a node closed from it must not wait for what this thread carries.
        final boolean nested = delivering.get();
        delivering.set(Boolean.TRUE);
        try
        {
            target.listener().onMessage(from, message);
        }
        finally
        {
            if (!nested)
            {
                delivering.remove();
            }
        }
    }

    /**
     * @return whether the calling thread is delivering a message of this network to a node.
     */
    boolean delivering()
    {
        return delivering.get();
    }

    private void updateFault(final String from, final String to,
        final java.util.function.UnaryOperator<LinkFault> change)
    {
        requireDistinct(from, to);
        faults.compute(new Link(from, to), (k, f) ->
        {
            final LinkFault updated = change.apply(null == f ? LinkFault.NONE : f);
            return updated.isNone() ? null : updated;
        });
    }

    private boolean silenced(final String from, final String to)
    {
        final LinkFault fault = faults.get(new Link(from, to));
        return (null != fault && fault.cut) || paused.contains(from) || paused.contains(to);
    }

    /**
     * Tell {@code to} that {@code from} went silent once its silence has passed, if the link is still cut then.
     */
    private void watchSilence(final String from, final String to)
    {
        final InJvmTransport observer = nodes.get(to);
        final long silence = null == observer ? 0 : observer.silenceNanos();
        if (silence == 0)
        {
            return;
        }
        delayer().schedule(() ->
        {
            synchronized (silent)
            {
                if (nodes.get(to) == observer && nodes.containsKey(from) && silenced(from, to) &&
                    !partitioned.contains(new Link(from, to)) && silent.add(new Link(from, to)))
                {
                    observer.listener().onNodeSilent(from);
                }
            }
        }, silence, TimeUnit.NANOSECONDS);
    }

    private void heardAgain(final String from, final String to)
    {
        // Ordered with the silence reports: a node is never told "heard" before "silent" for the same fault.
        synchronized (silent)
        {
            if (!silenced(from, to) && silent.remove(new Link(from, to)))
            {
                final InJvmTransport observer = nodes.get(to);
                if (null != observer)
                {
                    observer.listener().onNodeHeard(from);
                }
            }
        }
    }

    private void notifyDown(final String observer, final String node)
    {
        final InJvmTransport t = nodes.get(observer);
        if (null != t && nodes.containsKey(node))
        {
            t.listener().onNodeDown(node);
        }
    }

    private void notifyUp(final String observer, final String node)
    {
        final InJvmTransport t = nodes.get(observer);
        if (null != t && nodes.containsKey(node) && isReachable(observer, node))
        {
            t.listener().onNodeUp(node);
        }
    }

    private ScheduledExecutorService delayer()
    {
        ScheduledExecutorService d = delayer;
        if (null == d)
        {
            synchronized (this)
            {
                d = delayer;
                if (null == d)
                {
                    d = Executors.newSingleThreadScheduledExecutor(r ->
                    {
                        final Thread t = new Thread(r, "ra-injvm-delivery");
                        t.setDaemon(true);
                        return t;
                    });
                    delayer = d;
                }
            }
        }
        return d;
    }

    private static void requireDistinct(final String a, final String b)
    {
        Objects.requireNonNull(a, "node");
        Objects.requireNonNull(b, "node");
        if (a.equals(b))
        {
            throw new IllegalArgumentException("a link needs two distinct nodes, got " + a + " twice");
        }
    }
}
