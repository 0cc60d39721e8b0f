package dev.ra.runtime;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process hosted by this node: a mailbox drained one message at a time, in order, on an executor, so a slow handler
 * never blocks a server's event loop.
 */
final class LocalProcess implements RaProcess, Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcess.class);
    private static final int MAX_BATCH = 256;

    private final ProcessRegistry registry;
    private final ProcessRef ref;
    private final Consumer<Object> handler;
    private final Executor executor;
    private final ConcurrentLinkedQueue<Object> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean alive = true;

    LocalProcess(final ProcessRegistry registry, final ProcessRef ref, final Consumer<Object> handler,
        final Executor executor)
    {
        this.registry = registry;
        this.ref = ref;
        this.handler = handler;
        this.executor = executor;
    }

    @Override
    public ProcessRef ref()
    {
        return ref;
    }

    @Override
    public boolean isAlive()
    {
        return alive;
    }

    @Override
    public void close()
    {
        end(DownReason.NORMAL);
    }

    @Override
    public void fail()
    {
        end(DownReason.ERROR);
    }

    private void end(final DownReason reason)
    {
        if (alive)
        {
            alive = false;
            mailbox.clear();
            registry.ended(this, reason);
        }
    }

    void deliver(final Object message)
    {
        if (!alive)
        {
            return;
        }
        mailbox.offer(message);
        if (!scheduled.get() && scheduled.compareAndSet(false, true))
        {
            submit();
        }
    }

    private void submit()
    {
        try
        {
            executor.execute(this);
        }
        catch (final RejectedExecutionException ex)
        {
            // Delivery never blocks or fails its sender (a server's event loop): a process whose executor refuses
            // work loses its messages, like a send to a process that is gone.
            scheduled.set(false);
            LOG.warn("executor of process {} refused work; its pending messages are dropped", ref, ex);
            mailbox.clear();
        }
    }

    @Override
    public void run()
    {
        int handled = 0;
        Object message;
        while (alive && handled < MAX_BATCH && null != (message = mailbox.poll()))
        {
            handled++;
            try
            {
                handler.accept(message);
            }
            catch (final RuntimeException | Error ex)
            {
                // A failed assertion or a stack overflow is the handler's failure, as an exception is: the process
                // goes on. Only the JVM's own trouble ends it (its monitors see ERROR); leaving run() with the
                // process still scheduled would have wedged it, alive and deaf, for ever.
                if (!ContainedFailures.contained(ex))
                {
                    scheduled.set(false);
                    end(DownReason.ERROR);
                    throw ex;
                }
                LOG.warn("handler of process {} threw on {}", ref, message, ex);
            }
        }
        scheduled.set(false);
        if (alive && !mailbox.isEmpty() && scheduled.compareAndSet(false, true))
        {
            submit();
        }
    }

    @Override
    public String toString()
    {
        return "RaProcess" + ref;
    }
}
