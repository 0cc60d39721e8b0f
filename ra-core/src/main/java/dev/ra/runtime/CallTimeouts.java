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
    private final Set<ClientCall> pending = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile long nextWakeupNanos = Long.MAX_VALUE;
    private volatile boolean running = true;

    CallTimeouts(final String name)
    {
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    void register(final ClientCall call)
    {
        pending.add(call);
        // Pairs with shutdown(): it clears the flag before draining, so either it sees this call or we see the flag.
        if (!running)
        {
            pending.remove(call);
            call.systemClosed();
            return;
        }
        if (call.deadlineNanos() - nextWakeupNanos < 0)
        {
            LockSupport.unpark(thread);
        }
    }

    void unregister(final ClientCall call)
    {
        pending.remove(call);
    }

    void shutdown()
    {
        running = false;
        LockSupport.unpark(thread);
        for (final ClientCall call : pending)
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
            final long now = System.nanoTime();
            long earliest = Long.MAX_VALUE;
            boolean any = false;
            for (final ClientCall call : pending)
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
                LockSupport.parkNanos(this, earliest - System.nanoTime());
            }
            else
            {
                LockSupport.park(this);
            }
        }
    }
}
