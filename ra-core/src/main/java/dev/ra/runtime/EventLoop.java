package dev.ra.runtime;

import dev.ra.spi.LogStore;
import dev.ra.spi.LoopHost;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that runs many servers. A server is put on the run queue when its mailbox becomes non-empty; the loop
 * takes servers off the queue and lets each drain a bounded batch of its mailbox. Timers (election timers, machine
 * timers, the periodic tick) live in a heap confined to the loop. When there is nothing to run the thread parks
 * until the next timer is due or work arrives, so idle servers cost no CPU.
 *
 * <p>The thread is either the loop's own or one lent by the transport ({@link LoopHost}). On a lent thread the loop
 * runs as a task: woken by work or by its next timer, it runs what is due and returns the thread, so the transport's
 * reads and writes interleave with the servers' batches and a reply is written without waking another thread.
 *
 * <p>A loop never waits for another thread or the network, but at the end of a round it offers its thread to the logs
 * appended to ({@link LogStore#writeIfIdle}), and a log whose writer is idle may write and sync a small batch on it:
 * a loop, on its own thread or a lent one, may block for one sync. {@link LoopHost} says why that is accepted.
 *
 * <p>Every {@code tickInterval} the loop offers a tick to each of its servers that said it wants ticks
 * ({@link #offerTicks}): its core wants them (a leader with something outstanding) or its applied index awaits
 * recording ({@link ServerProcess#tick}). Idle servers are not visited.
 */
final class EventLoop implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Thread thread;
    private final RunQueue<ServerProcess> runQueue = new RunQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<LoopTimer> timers = new PriorityQueue<>();
    /** The servers offered the tick: those whose core wants ticks or whose applied index awaits recording. */
    private final Set<ServerProcess> ticking = new LinkedHashSet<>();
    private final long tickIntervalNanos;
    private long timerSequence;
    private volatile boolean parked;
    private volatile boolean running = true;
    /** Set when the loop runs on a transport's thread instead of its own. */
    private volatile LoopHost host;
    private final AtomicBoolean hostRunRequested = new AtomicBoolean();
    private final Runnable hostRun = this::runOnHost;
    /** The earliest timer wake-up asked of the host; loop thread only. */
    private long hostWakeAt = Long.MAX_VALUE;
    /** Logs appended to in this round, to be offered the thread once the round's messages are out. */
    private final List<LogStore> appendedLogs = new ArrayList<>();
    private final Runnable writeAppendedLogs = this::writeAppendedLogs;

    private final RuntimeClock clock;
    private final TermAndVoteWriters termAndVoteWriters;

    EventLoop(final String name, final long tickIntervalMs, final RuntimeClock clock)
    {
        this.clock = clock;
        this.tickIntervalNanos = TimeUnit.MILLISECONDS.toNanos(tickIntervalMs);
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
        this.termAndVoteWriters = new TermAndVoteWriters(name);
    }

    /**
     * @return where this loop's servers write their term and vote (see {@link TermAndVoteWriters}).
     */
    TermAndVoteWriters termAndVoteWriters()
    {
        return termAndVoteWriters;
    }

    void start()
    {
        thread.start();
        execute(() -> schedule(tickIntervalNanos, this::tick));
    }

    /**
     * Start on a thread lent by the transport instead of this loop's own.
     *
     * @param lent the host.
     */
    void startOn(final LoopHost lent)
    {
        host = lent;
        execute(() -> schedule(tickIntervalNanos, this::tick));
    }

    /**
     * Put a server whose mailbox became non-empty on the run queue. Any thread.
     */
    void schedule(final ServerProcess server)
    {
        runQueue.push(server.runQueueEntry);
        wake();
    }

    /**
     * Run a task on the loop thread. Any thread.
     */
    void execute(final Runnable task)
    {
        tasks.offer(task);
        wake();
    }

    boolean inLoop()
    {
        final LoopHost h = host;
        return null == h ? Thread.currentThread() == thread : h.inLoop();
    }

    /**
     * Start a timer; loop thread only.
     *
     * @param delayNanos from now; a negative one is due at once, one beyond {@link LoopTimer#LONGEST_DELAY_NANOS}
     *                   waits that long.
     */
    LoopTimer schedule(final long delayNanos, final Runnable action)
    {
        final long delay = Math.min(Math.max(0, delayNanos), LoopTimer.LONGEST_DELAY_NANOS);
        final LoopTimer timer = new LoopTimer(clock.nanoTime() + delay, timerSequence++, action);
        timers.add(timer);
        return timer;
    }

    /**
     * Run a task that blocks (syncs files) once the messages queued so far on this thread have left: on a loop hosted
     * by the transport, behind the sends the round queued there; on a loop of its own, whose messages the transport's
     * threads write, at its next round. Loop thread only.
     *
     * @param task to run on the loop thread.
     */
    void behindQueuedSends(final Runnable task)
    {
        final LoopHost h = host;
        if (null == h)
        {
            execute(task);
            return;
        }
        try
        {
            h.execute(task);
        }
        catch (final RejectedExecutionException closed)
        {
            task.run();
        }
    }

    /**
     * A server on this loop appended to its log: at the end of the round, after the messages the round sent, let the
     * log write on this thread if its writer is idle ({@link LogStore#writeIfIdle}). Loop thread only.
     *
     * @param log appended to.
     */
    void afterRound(final LogStore log)
    {
        // Logs that share a writer write each other's appends, so the later calls find nothing to do; only a repeat
        // of the same log in a row is worth skipping.
        if (appendedLogs.isEmpty() || appendedLogs.get(appendedLogs.size() - 1) != log)
        {
            appendedLogs.add(log);
        }
    }

    private void writeAppendedLogs()
    {
        for (int i = 0; i < appendedLogs.size(); i++)
        {
            appendedLogs.get(i).writeIfIdle();
        }
        appendedLogs.clear();
    }

    /**
     * A server of this loop stopped: it is offered no more ticks. Loop thread only.
     *
     * @param server of this loop.
     */
    void removeServer(final ServerProcess server)
    {
        ticking.remove(server);
    }

    /**
     * @return how many servers the tick visits now; loop thread only.
     */
    int serversOfferedTicks()
    {
        return ticking.size();
    }

    /**
     * A server says whether it wants the tick ({@link ServerProcess#tick}); it says so again whenever that changes, so
     * a tick visits only the servers with something to do, not every idle one. Loop thread only.
     *
     * @param server of this loop.
     * @param wants  whether to offer it the tick.
     */
    void offerTicks(final ServerProcess server, final boolean wants)
    {
        if (wants)
        {
            ticking.add(server);
        }
        else
        {
            ticking.remove(server);
        }
    }

    void shutdown()
    {
        termAndVoteWriters.shutdown();
        running = false;
        LockSupport.unpark(thread);
    }

    void awaitTermination(final long millis) throws InterruptedException
    {
        if (null == host && !inLoop())
        {
            thread.join(millis);
        }
    }

    private void wake()
    {
        if (null != host)
        {
            requestHostRun();
        }
        else if (parked)
        {
            LockSupport.unpark(thread);
        }
    }

    private void requestHostRun()
    {
        if (!hostRunRequested.get() && hostRunRequested.compareAndSet(false, true))
        {
            try
            {
                host.execute(hostRun);
            }
            catch (final RejectedExecutionException closed)
            {
                // The transport is closed, and with it this loop's thread: nothing runs any more.
                hostRunRequested.set(false);
            }
        }
    }

    /**
     * On the lent thread: run due timers, tasks and one batch of each queued server, then give the thread back,
     * asking to run again at once if more work is queued, or when the next timer is due.
     */
    private void runOnHost()
    {
        hostRunRequested.set(false);
        if (!running)
        {
            return;
        }
        try
        {
            runDueTimers();
            Runnable task;
            while (null != (task = tasks.poll()))
            {
                task.run();
            }
            // Only the servers queued now: one that queues itself again runs in the next round, after the
            // transport's I/O, as a server on its own loop would after the other servers.
            runQueue.startRound();
            ServerProcess server;
            while (null != (server = runQueue.next()))
            {
                server.drain();
            }
        }
        catch (final Throwable t)
        {
            LOG.error("unexpected failure on event loop {}", thread.getName(), t);
        }
        if (!appendedLogs.isEmpty())
        {
            // Behind the writes the round queued on this thread, so a leader's AppendEntries leave before it syncs;
            // at once if the host is closing: the logs were promised this call (their writers may be waiting for it).
            behindQueuedSends(writeAppendedLogs);
        }
        if (!runQueue.isEmpty() || !tasks.isEmpty())
        {
            requestHostRun();
        }
        armHostTimer();
    }

    private void armHostTimer()
    {
        final long next = runDueTimers();
        final boolean soonerAsked = hostWakeAt != Long.MAX_VALUE && hostWakeAt - next <= 0;
        if (next == Long.MAX_VALUE || soonerAsked)
        {
            return;
        }
        hostWakeAt = next;
        try
        {
            host.schedule(() ->
            {
                if (hostWakeAt == next)
                {
                    hostWakeAt = Long.MAX_VALUE;
                }
                runOnHost();
            }, Math.max(0, next - clock.nanoTime()));
        }
        catch (final RejectedExecutionException closed)
        {
            hostWakeAt = Long.MAX_VALUE;
        }
    }

    private void tick()
    {
        for (final ServerProcess server : ticking)
        {
            server.tick();
        }
        schedule(tickIntervalNanos, this::tick);
    }

    @Override
    public void run()
    {
        while (running)
        {
            try
            {
                runOnce();
            }
            catch (final Throwable t)
            {
                // A server contains its own failures; anything reaching here is a runtime bug. Keep the loop alive
                // so the other servers pinned to it keep running.
                LOG.error("unexpected failure on event loop {}", thread.getName(), t);
            }
        }
    }

    private void runOnce()
    {
        final long nextDeadline = runDueTimers();
        Runnable task;
        while (null != (task = tasks.poll()))
        {
            task.run();
        }
        final ServerProcess server = runQueue.poll();
        if (null != server)
        {
            server.drain();
            return;
        }
        if (!appendedLogs.isEmpty())
        {
            // Nothing else to run: the messages are out (the in-JVM transport hands them over at once).
            writeAppendedLogs();
            return;
        }
        parked = true;
        if (runQueue.isEmpty() && tasks.isEmpty() && running)
        {
            final long wait = nextDeadline == Long.MAX_VALUE ? MAX_PARK_NANOS :
                Math.min(MAX_PARK_NANOS, nextDeadline - clock.nanoTime());
            if (wait > 0)
            {
                LockSupport.parkNanos(this, wait);
            }
        }
        parked = false;
    }

    /**
     * @return the deadline of the next pending timer, or Long.MAX_VALUE.
     */
    private long runDueTimers()
    {
        LoopTimer timer;
        while (null != (timer = timers.peek()))
        {
            if (timer.isCancelled())
            {
                timers.poll();
                continue;
            }
            if (timer.deadlineNanos - clock.nanoTime() > 0)
            {
                return timer.deadlineNanos;
            }
            timers.poll();
            timer.action.run();
        }
        return Long.MAX_VALUE;
    }
}
