package dev.ra.runtime;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.ServerId;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The processes of one node and the servers (local or remote) that monitor them. Thread-safe.
 */
final class ProcessRegistry
{
    /**
     * Where the end of a monitored process is reported.
     */
    interface DownReport
    {
        void down(ProcessRef process, DownReason reason, ServerId watcher);
    }

    private final DownReport downReport;
    private final String nodeId;
    private final Executor executor;
    private final Map<Long, LocalProcess> processes = new ConcurrentHashMap<>();
    private final Map<ProcessRef, Set<ServerId>> monitors = new ConcurrentHashMap<>();
    /**
     * Ids count up from a random start, drawn from the system's entropy, so that a restarted node does not hand out
     * the ids of its previous runs, which machines may still hold in their state (and watch). Not from the clock: a
     * clock stepped back at restart (NTP, a restored VM) repeated them. Two runs share an id only if their ranges
     * overlap: with starts spread over 2^62 and far fewer than 2^40 processes per run, never in practice.
     */
    private final AtomicLong nextId;

    ProcessRegistry(final String nodeId, final Executor executor, final DownReport downReport)
    {
        this.downReport = downReport;
        this.nodeId = nodeId;
        this.executor = executor;
        this.nextId = new AtomicLong(randomStart());
    }

    /**
     * @return a random id at least 2^40 (below it, ids a test or a tool may make up) and below 2^62 (room to count
     *         up without ever reaching the largest long).
     */
    private static long randomStart()
    {
        final long span = (1L << 62) - (1L << 40);
        return (1L << 40) + Math.floorMod(new SecureRandom().nextLong(), span);
    }

    RaProcess spawn(final Consumer<Object> handler, final Executor executorOrNull)
    {
        Objects.requireNonNull(handler, "handler");
        final ProcessRef ref = new ProcessRef(nodeId, nextId.incrementAndGet());
        final LocalProcess process = new LocalProcess(this, ref, handler,
            null == executorOrNull ? executor : executorOrNull);
        processes.put(ref.id(), process);
        return process;
    }

    /**
     * Deliver a message to a local process; dropped silently if it does not exist (like an Erlang send). Correlations
     * that came as bytes are built here, for a process that exists, and nowhere else.
     */
    void deliver(final ProcessRef to, final Object message)
    {
        final LocalProcess process = processes.get(to.id());
        if (null != process)
        {
            process.deliver(CorrelationsForProcess.built(to, message));
        }
    }

    boolean isAlive(final ProcessRef ref)
    {
        final LocalProcess process = processes.get(ref.id());
        return null != process && process.isAlive();
    }

    /**
     * Start watching a local process for a server; if it does not exist, the server is told NOPROC at once.
     */
    void monitor(final ProcessRef ref, final ServerId watcher)
    {
        monitors.compute(ref, (k, watchers) ->
        {
            final Set<ServerId> set = null == watchers ? ConcurrentHashMap.newKeySet() : watchers;
            set.add(watcher);
            return set;
        });
        // It may have ended between the check and the registration: whoever removes the watcher reports. A process
        // that does not exist never ends, so its entry goes here, or it would be held for ever.
        if (!isAlive(ref) && removeWatcher(ref, watcher))
        {
            downReport.down(ref, DownReason.NOPROC, watcher);
        }
    }

    void demonitor(final ProcessRef ref, final ServerId watcher)
    {
        removeWatcher(ref, watcher);
    }

    /**
     * @return whether the watcher watched the process; the process's entry goes with its last watcher.
     */
    private boolean removeWatcher(final ProcessRef ref, final ServerId watcher)
    {
        final boolean[] removed = new boolean[1];
        monitors.computeIfPresent(ref, (k, watchers) ->
        {
            removed[0] = watchers.remove(watcher);
            return watchers.isEmpty() ? null : watchers;
        });
        return removed[0];
    }

    /**
     * Forget the monitors held by servers of a node that became unreachable; they see NOCONNECTION on their side.
     */
    void forgetWatchersOn(final String node)
    {
        for (final ProcessRef ref : monitors.keySet())
        {
            monitors.computeIfPresent(ref, (k, watchers) ->
            {
                watchers.removeIf(w -> w.node().equals(node));
                return watchers.isEmpty() ? null : watchers;
            });
        }
    }

    void ended(final LocalProcess process, final DownReason reason)
    {
        processes.remove(process.ref().id());
        final Set<ServerId> watchers = monitors.remove(process.ref());
        if (null != watchers)
        {
            for (final ServerId watcher : new ArrayList<>(watchers))
            {
                downReport.down(process.ref(), reason, watcher);
            }
        }
    }

    void closeAll()
    {
        final List<LocalProcess> all = new ArrayList<>(processes.values());
        for (final LocalProcess process : all)
        {
            process.close();
        }
    }
}
