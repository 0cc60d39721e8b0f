package dev.ra.examples.support;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process that records every message it receives, for scenario tests to wait on.
 */
public final class Inbox implements AutoCloseable
{
    private final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final List<Object> seen = new ArrayList<>();
    private final RaProcess process;

    /**
     * @param system to spawn the process on.
     */
    public Inbox(final RaSystem system)
    {
        this.process = system.spawn(messages::add);
    }

    /**
     * @return the process's reference.
     */
    public ProcessRef ref()
    {
        return process.ref();
    }

    /**
     * @return the process itself, to close or fail it.
     */
    public RaProcess process()
    {
        return process;
    }

    /**
     * Wait for the first message (received before or during the wait) that matches.
     *
     * @param type    of the message.
     * @param filter  it must pass.
     * @param timeout of the wait.
     * @param <T>     the message type.
     * @return the message.
     * @throws AssertionError if none arrives in time.
     */
    public synchronized <T> T await(final Class<T> type, final Predicate<? super T> filter, final Duration timeout)
    {
        for (final Object m : seen)
        {
            if (type.isInstance(m) && filter.test(type.cast(m)))
            {
                return type.cast(m);
            }
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        try
        {
            for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime())
            {
                final Object m = messages.poll(left, TimeUnit.NANOSECONDS);
                if (null == m)
                {
                    break;
                }
                seen.add(m);
                if (type.isInstance(m) && filter.test(type.cast(m)))
                {
                    return type.cast(m);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no " + type.getSimpleName() + " matching the filter within " + timeout +
            "; received " + received());
    }

    /**
     * @param type    of the message.
     * @param timeout of the wait.
     * @param <T>     the message type.
     * @return the first message of that type.
     */
    public <T> T await(final Class<T> type, final Duration timeout)
    {
        return await(type, m -> true, timeout);
    }

    /**
     * @return every message received so far, in order.
     */
    public synchronized List<Object> received()
    {
        messages.drainTo(seen);
        return List.copyOf(seen);
    }

    @Override
    public void close()
    {
        process.close();
    }
}
