package dev.ra.examples.tree;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.NumberedCalls;
import dev.ra.examples.support.OwnThread;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client half of watches: one process that receives the leader's {@link TreeWatchMessage}s, the watches this
 * client believes it holds, and the callbacks to run when they fire (on this object's thread, one at a time).
 *
 * <p>A one-shot watch is held from the zxid of the read that set it and fires for the first matching event after that
 * zxid: later duplicates (a re-registration may report again an event that was in fact delivered) find nothing held
 * and are dropped. A persistent watch gives each of its callbacks every matching event after the zxid it was set at,
 * in order and once: an event at or before the last one a callback was given (sent again after a failover, or
 * older than the watch) is dropped for it. An event can overtake the reply of the read that set its watch, so the
 * last events are kept for a while and checked when a watch is added: a one-shot watch fires with the first one that
 * matches, a persistent one is given all of them first. On {@link TreeWatchMessage.Resync} every held watch is
 * registered again, by a numbered call ({@link NumberedWrite}, machine version 5), made again after a pause while it
 * fails.
 */
final class ClientWatches implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientWatches.class);
    private static final int RECENT_EVENTS = 1_024;
    private static final long REREGISTRATION_RETRY_MS = 500;

    private final ClusterClient cluster;
    private final NumberedCalls calls;
    private final OwnThread thread;
    private final ScheduledExecutorService executor;
    private final RaProcess process;
    // Guarded by this.
    private final Map<String, Held> held = new LinkedHashMap<>();
    private final Deque<TreeWatchMessage.Event> recent = new ArrayDeque<>();
    private volatile boolean closed;
    // Only touched on the executor's thread.
    private boolean reregistrationRetryScheduled;

    ClientWatches(final ClusterClient cluster)
    {
        this.cluster = cluster;
        this.calls = new NumberedCalls(cluster);
        this.thread = new OwnThread("tree-watches-" + cluster.system().nodeId());
        this.executor = thread.executor();
        this.process = cluster.system().spawn(message -> post(() -> onMessage(message)));
    }

    ProcessRef ref()
    {
        return process.ref();
    }

    /**
     * Hold a watch the machine set at {@code zxid}. A one-shot watch fires at once (on this object's thread) if a
     * matching event after that zxid already arrived; a persistent one is given every such event first.
     */
    void hold(final String path, final WatchMode mode, final long zxid,
        final Consumer<TreeWatchMessage.Event> callback)
    {
        final TreeWatch probe = new TreeWatch(process.ref(), path, mode);
        synchronized (this)
        {
            final List<TreeWatchMessage.Event> early = new ArrayList<>();
            for (final TreeWatchMessage.Event event : recent)
            {
                if (event.zxid() > zxid && TreeWatches.fires(probe, event.type(), event.path()))
                {
                    early.add(event);
                }
            }
            if (mode.isOneShot() && !early.isEmpty())
            {
                final TreeWatchMessage.Event fired = early.get(0);
                post(() -> run(callback, fired));
                return;
            }
            final String key = path + " " + mode;
            final Held current = held.get(key);
            final Registration registration = new Registration(callback, zxid);
            if (!early.isEmpty())
            {
                // Given before anything newer: by the replay posted here, or by an event already queued before it.
                early.sort(Comparator.comparingLong(TreeWatchMessage.Event::zxid));
                early.forEach(registration::accept);
                post(this::replay);
            }
            final List<Registration> registrations = null == current ? new ArrayList<>() : current.registrations;
            registrations.add(registration);
            held.put(key, new Held(path, mode, null == current ? zxid : Math.min(zxid, current.zxid),
                registrations));
        }
    }

    /**
     * @return the callbacks of all the watches held, each registration counted.
     */
    synchronized int callbacks()
    {
        int count = 0;
        for (final Held h : held.values())
        {
            count += h.registrations.size();
        }
        return count;
    }

    /** Forget the watches held on a path (all modes). */
    synchronized void forget(final String path)
    {
        held.values().removeIf(h -> h.path.equals(path));
    }

    @Override
    public void close()
    {
        closed = true;
        process.close();
        executor.shutdown();
        // Closed from a watch callback, the rest of the queue runs once the callback returns.
        thread.awaitEnd(Duration.ofSeconds(10));
    }

    private void onMessage(final Object message)
    {
        if (message instanceof TreeWatchMessage.Event event)
        {
            final List<Runnable> due = new ArrayList<>();
            synchronized (this)
            {
                recent.addLast(event);
                while (recent.size() > RECENT_EVENTS)
                {
                    recent.removeFirst();
                }
                final Iterator<Held> it = held.values().iterator();
                while (it.hasNext())
                {
                    final Held h = it.next();
                    final boolean persistent = !h.mode.isOneShot();
                    if (persistent)
                    {
                        for (final Registration registration : h.registrations)
                        {
                            registration.drainTo(due);
                        }
                    }
                    if (!TreeWatches.fires(new TreeWatch(process.ref(), h.path, h.mode), event.type(), event.path()))
                    {
                        continue;
                    }
                    if (persistent)
                    {
                        for (final Registration registration : h.registrations)
                        {
                            registration.accept(event);
                            registration.drainTo(due);
                        }
                    }
                    else if (event.zxid() > h.zxid)
                    {
                        h.registrations.forEach(registration -> due.add(() -> run(registration.callback, event)));
                        it.remove();
                    }
                }
            }
            due.forEach(Runnable::run);
        }
        else if (message instanceof TreeWatchMessage.Resync)
        {
            reregister();
        }
    }

    /**
     * Register every held watch again. A failed call (its outcome unknown, or timed out) is made again after a pause,
     * with the watches held then, until one is answered or this client closes: while the leader stays, nothing else
     * asks again, and a watch whose event was lost, or that the machine dropped while this node was unreachable, would
     * otherwise never fire here.
     */
    private void reregister()
    {
        if (closed)
        {
            return;
        }
        final List<TreeCommand.HeldWatch> watches = new ArrayList<>();
        synchronized (this)
        {
            held.values().forEach(h -> watches.add(new TreeCommand.HeldWatch(h.path, h.mode, h.zxid)));
        }
        if (watches.isEmpty())
        {
            return;
        }
        try
        {
            final TreeCommand.Reregister reregister = new TreeCommand.Reregister(process.ref(), watches);
            // Numbered (machine version 5), so that a copy held up on its way changes nothing when it lands
            // after a watch it names fired and was set again; the plain one to an older cluster.
            calls.send("tree watch re-registration", number -> new NumberedWrite(reregister, process.ref(),
                number), () -> cluster.command(reregister, true));
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("re-registering {} watches failed; trying again", watches.size(), ex);
            retryReregistration();
        }
    }

    /** One retry of the re-registration at a time: a Resync meanwhile re-registers at once anyway. */
    private void retryReregistration()
    {
        if (reregistrationRetryScheduled)
        {
            return;
        }
        reregistrationRetryScheduled = true;
        try
        {
            executor.schedule(() ->
            {
                reregistrationRetryScheduled = false;
                reregister();
            }, REREGISTRATION_RETRY_MS, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException closing)
        {
            // Closed: nothing left to register.
        }
    }

    private static void run(final Consumer<TreeWatchMessage.Event> callback, final TreeWatchMessage.Event event)
    {
        try
        {
            callback.accept(event);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("watch callback failed on {}", event, ex);
        }
    }

    private void post(final Runnable work)
    {
        try
        {
            executor.execute(work);
        }
        catch (final RejectedExecutionException closed)
        {
            // Closed: nothing left to do with it.
        }
    }

    /**
     * Give every persistent watch's callbacks the events they were given but not yet shown.
     */
    private void replay()
    {
        final List<Runnable> due = new ArrayList<>();
        synchronized (this)
        {
            for (final Held h : held.values())
            {
                for (final Registration registration : h.registrations)
                {
                    registration.drainTo(due);
                }
            }
        }
        due.forEach(Runnable::run);
    }

    /**
     * A watch as this client holds it: the zxid it was set at (the earliest of its registrations) and who to tell.
     */
    private record Held(String path, WatchMode mode, long zxid, List<Registration> registrations)
    {
    }

    /**
     * One callback of a watch. For a persistent watch, the last event it was given (an event is given once: a
     * multi's several events at one zxid are told apart by type and path) and those not yet run, in order. Guarded by
     * the enclosing object.
     */
    private static final class Registration
    {
        private final Consumer<TreeWatchMessage.Event> callback;
        private final Deque<TreeWatchMessage.Event> pending = new ArrayDeque<>();
        private final Set<TreeWatchMessage.Event> givenAtLast = new HashSet<>();
        private final long setAt;
        private long lastZxid;

        Registration(final Consumer<TreeWatchMessage.Event> callback, final long setAt)
        {
            this.callback = callback;
            this.setAt = setAt;
            this.lastZxid = setAt;
        }

        void accept(final TreeWatchMessage.Event event)
        {
            if (event.zxid() <= setAt || event.zxid() < lastZxid)
            {
                return;
            }
            if (event.zxid() > lastZxid)
            {
                lastZxid = event.zxid();
                givenAtLast.clear();
            }
            if (givenAtLast.add(event))
            {
                pending.addLast(event);
            }
        }

        void drainTo(final List<Runnable> due)
        {
            while (!pending.isEmpty())
            {
                final TreeWatchMessage.Event event = pending.removeFirst();
                due.add(() -> run(callback, event));
            }
        }
    }
}
