package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.spi.LoopHost;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event loop on a thread lent by the transport: tasks and timers run on the host's thread, in order, and a closed
 * host stops the loop quietly.
 */
class HostedEventLoopTest
{
    private final ScheduledExecutorService hostThread = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "lent-thread");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Thread> lent = new AtomicReference<>();
    private final LoopHost host = new LoopHost()
    {
        @Override
        public boolean inLoop()
        {
            return Thread.currentThread() == lent.get();
        }

        @Override
        public void execute(final Runnable task)
        {
            hostThread.execute(task);
        }

        @Override
        public void schedule(final Runnable task, final long delayNanos)
        {
            hostThread.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    };

    @AfterEach
    void stopHost()
    {
        hostThread.shutdownNow();
    }

    private EventLoop startedLoop() throws InterruptedException
    {
        final CountDownLatch known = new CountDownLatch(1);
        hostThread.execute(() ->
        {
            lent.set(Thread.currentThread());
            known.countDown();
        });
        known.await();
        final EventLoop loop = new EventLoop("hosted", 10, RuntimeClock.system());
        loop.startOn(host);
        return loop;
    }

    @Test
    void tasksRunOnTheLentThreadInOrder() throws Exception
    {
        final EventLoop loop = startedLoop();
        final List<Integer> order = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 100; i++)
        {
            final int n = i;
            loop.execute(() ->
            {
                assertThat(loop.inLoop()).isTrue();
                order.add(n);
                if (n == 99)
                {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).hasSize(100).isSorted();
        assertThat(loop.inLoop()).isFalse();
    }

    @Test
    void timersFireInDeadlineOrderNotBeforeTheirDeadline() throws Exception
    {
        final EventLoop loop = startedLoop();
        final List<String> fired = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(3);
        final long[] armedAt = new long[1];
        final long[] firedAfter = new long[3];
        loop.execute(() ->
        {
            armedAt[0] = System.nanoTime();
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(60), () ->
            {
                firedAfter[2] = System.nanoTime() - armedAt[0];
                fired.add("late");
                done.countDown();
            });
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(20), () ->
            {
                firedAfter[0] = System.nanoTime() - armedAt[0];
                fired.add("early");
                done.countDown();
                // A timer armed from a timer, earlier than the one pending: the host must be asked to wake sooner.
                loop.schedule(TimeUnit.MILLISECONDS.toNanos(5), () ->
                {
                    firedAfter[1] = System.nanoTime() - armedAt[0];
                    fired.add("nested");
                    done.countDown();
                });
            });
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fired).containsExactly("early", "nested", "late");
        assertThat(firedAfter[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(firedAfter[1]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(25));
        assertThat(firedAfter[2]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
    }

    @Test
    void cancelledTimersDoNotFire() throws Exception
    {
        final EventLoop loop = startedLoop();
        final List<String> fired = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        loop.execute(() ->
        {
            final LoopTimer cancelled = loop.schedule(TimeUnit.MILLISECONDS.toNanos(5), () -> fired.add("cancelled"));
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(30), () ->
            {
                fired.add("kept");
                done.countDown();
            });
            cancelled.cancel();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fired).containsExactly("kept");
    }

    @Test
    void aClosedHostStopsTheLoopWithoutErrors() throws Exception
    {
        final EventLoop loop = startedLoop();
        final CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        hostThread.shutdownNow();
        assertThat(hostThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        // The host now rejects work: the loop swallows that (the transport is closed) instead of throwing at callers.
        loop.execute(() -> { });
        loop.shutdown();
        loop.awaitTermination(1000);
    }
}
