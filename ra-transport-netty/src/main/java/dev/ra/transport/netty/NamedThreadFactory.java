package dev.ra.transport.netty;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code <prefix>-<n>}, so that thread dumps say which node and role a thread serves.
 */
final class NamedThreadFactory implements ThreadFactory
{
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    NamedThreadFactory(final String prefix)
    {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(final Runnable task)
    {
        final Thread thread = new io.netty.util.concurrent.FastThreadLocalThread(task,
            prefix + "-" + next.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
