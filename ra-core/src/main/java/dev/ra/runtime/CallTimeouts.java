package dev.ra.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Times out pending client calls with one thread that sleeps until the earliest deadline it knows of.
 *
 * <p>Calls register on start and unregister on completion. Registering wakes the thread only when the new deadline is
 * earlier than the one it sleeps until, which with uniform timeouts is almost never, so the thread does not wake per
 * call (a {@code ScheduledThreadPoolExecutor} task per call would wake it whenever the task became the queue head,
 * that is for nearly every call when few are in flight). Thread-safe.
 *
 * <p>Shutting down fails every call still pending (and any registered later): the node's transport, scheduler and
 * servers are gone by then, so nothing else would ever complete them, and a caller waiting without a limit of its
 * own would wait forever.
 */
final class CallTimeouts implements Runnable
{
    /**
     * A call with a deadline.
     */
    interface TimedCall
    {
        /**
         * @return when it times out, on the clock of the {@link CallTimeouts} it is registered with.
         */
        long deadlineNanos();

        /**
         * The deadline passed; called once, on the timeout thread.
         */
        void timeout();

        /**
         * The node closed while the call was pending.
         */
        void systemClosed();
    }

    private final Set<TimedCall> pending = ConcurrentHashMap.newKeySet();
    private final RuntimeClock clock;
    private final Thread thread;
    private volatile long nextWakeupNanos = Long.MAX_VALUE;
    private volatile boolean running = true;

    CallTimeouts(final String name, final RuntimeClock clock)
    {
        this.clock = clock;
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    void register(final TimedCall call)
    {
        pending.add(call);
        // Pairs with shutdown(): it clears the flag before draining, so either it sees this call or we see the flag.
        if (!running)
        {
            pending.remove(call);
            call.systemClosed();
            return;
        }
        // "No deadline" is its own case: a deadline minus Long.MAX_VALUE overflows when the clock reads below zero.
        final long next = nextWakeupNanos;
        if (next == Long.MAX_VALUE || call.deadlineNanos() - next < 0)
        {
            LockSupport.unpark(thread);
        }
    }

    void unregister(final TimedCall call)
    {
        pending.remove(call);
    }

    /**
     * Look at the deadlines again now: the clock moved on in a way the sleeping thread cannot know of (a manual
     * clock advanced by a test). The system clock never needs it.
     */
    void recheck()
    {
        LockSupport.unpark(thread);
    }

    void shutdown()
    {
        running = false;
        LockSupport.unpark(thread);
        for (final TimedCall call : pending)
        {
            pending.remove(call);
            call.systemClosed();
        }
    }

    @Override
    public void run()
    {
        while (running)
        {
            // Publish "no deadline" before scanning, so a call registered during the scan either is seen by the
            // scan or finds an earlier-than-published deadline and unparks us.
            nextWakeupNanos = Long.MAX_VALUE;
            final long now = clock.nanoTime();
            long earliest = Long.MAX_VALUE;
            boolean any = false;
            for (final TimedCall call : pending)
            {
                final long deadline = call.deadlineNanos();
                if (deadline - now <= 0)
                {
                    pending.remove(call);
                    call.timeout();
                }
                else if (!any || deadline - earliest < 0)
                {
                    earliest = deadline;
                    any = true;
                }
            }
            if (any)
            {
                nextWakeupNanos = earliest;
                LockSupport.parkNanos(this, earliest - clock.nanoTime());
            }
            else
            {
                LockSupport.park(this);
            }
        }
    }
}
