package dev.ra.transport.netty;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Daemon threads named {@code <prefix>-<n>}, so that thread dumps say which node and role a thread serves.
 */
final class NamedThreadFactory implements ThreadFactory
{
    private final Supplier<String> prefix;
    private final AtomicInteger next = new AtomicInteger();

    NamedThreadFactory(final String prefix)
    {
        this(() -> prefix);
    }

    /**
     * @param prefix the prefix at each thread's creation (one that names the node once the transport knows it).
     */
    NamedThreadFactory(final Supplier<String> prefix)
    {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(final Runnable task)
    {
        final Thread thread = new io.netty.util.concurrent.FastThreadLocalThread(task,
            prefix.get() + "-" + next.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
