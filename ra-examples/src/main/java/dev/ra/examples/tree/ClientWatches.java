package dev.ra.examples.tree;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.examples.support.ClusterClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
 * and are dropped. An event can overtake the reply of the read that set its watch, so the last events are kept for a
 * while and checked when a watch is added. On {@link TreeWatchMessage.Resync} every held watch is registered again.
 */
final class ClientWatches implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientWatches.class);
    private static final int RECENT_EVENTS = 1_024;

    private final ClusterClient cluster;
    private final ExecutorService executor;
    private final RaProcess process;
    // Guarded by this.
    private final Map<String, Held> held = new LinkedHashMap<>();
    private final Deque<TreeWatchMessage.Event> recent = new ArrayDeque<>();

    ClientWatches(final ClusterClient cluster)
    {
        this.cluster = cluster;
        this.executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread thread = new Thread(r, "tree-watches-" + cluster.system().nodeId());
            thread.setDaemon(true);
            return thread;
        });
        this.process = cluster.system().spawn(message -> post(() -> onMessage(message)));
    }

    ProcessRef ref()
    {
        return process.ref();
    }

    /**
     * Hold a watch the machine set at {@code zxid}; fires at once (on this object's thread) if a matching event
     * after that zxid already arrived.
     */
    void hold(final String path, final WatchMode mode, final long zxid,
        final Consumer<TreeWatchMessage.Event> callback)
    {
        TreeWatchMessage.Event early = null;
        synchronized (this)
        {
            final TreeWatch probe = new TreeWatch(process.ref(), path, mode);
            for (final TreeWatchMessage.Event event : recent)
            {
                if (event.zxid() > zxid && TreeWatches.fires(probe, event.type(), event.path()) && mode.isOneShot())
                {
                    early = event;
                    break;
                }
            }
            if (null == early)
            {
                final String key = path + " " + mode;
                final Held current = held.get(key);
                final List<Consumer<TreeWatchMessage.Event>> callbacks =
                    null == current ? new ArrayList<>() : current.callbacks;
                callbacks.add(callback);
                held.put(key, new Held(path, mode, null == current ? zxid : Math.min(zxid, current.zxid),
                    callbacks));
            }
        }
        if (null != early)
        {
            final TreeWatchMessage.Event fired = early;
            post(() -> run(callback, fired));
        }
    }

    /** Forget the watches held on a path (all modes). */
    synchronized void forget(final String path)
    {
        held.values().removeIf(h -> h.path.equals(path));
    }

    @Override
    public void close()
    {
        process.close();
        executor.shutdown();
        try
        {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void onMessage(final Object message)
    {
        if (message instanceof TreeWatchMessage.Event event)
        {
            final List<Consumer<TreeWatchMessage.Event>> due = new ArrayList<>();
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
                    if ((persistent || event.zxid() > h.zxid) &&
                        TreeWatches.fires(new TreeWatch(process.ref(), h.path, h.mode), event.type(), event.path()))
                    {
                        due.addAll(h.callbacks);
                        if (!persistent)
                        {
                            it.remove();
                        }
                    }
                }
            }
            due.forEach(callback -> run(callback, event));
        }
        else if (message instanceof TreeWatchMessage.Resync)
        {
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
                cluster.command(new TreeCommand.Reregister(process.ref(), watches), true);
            }
            catch (final RuntimeException ex)
            {
                // The next leader asks again; recipes also re-read on their own.
                LOG.debug("re-registering {} watches failed", watches.size(), ex);
            }
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
     * A watch as this client holds it: the zxid it was set at and who to tell.
     */
    private record Held(String path, WatchMode mode, long zxid, List<Consumer<TreeWatchMessage.Event>> callbacks)
    {
    }
}
