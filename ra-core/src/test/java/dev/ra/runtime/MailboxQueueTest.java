package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server's mailbox ({@link MailboxQueue}): first in, first out; items of concurrent producers arrive whole, once, in
 * each producer's order; and with the servers' scheduled flag (offer, then turn the flag on and schedule; drain, turn
 * it off, look again) no item is left behind with nobody scheduled to take it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MailboxQueueTest
{
    private static final int PRODUCERS = 3;

    @Test
    void itemsComeOutInTheOrderTheyWentIn()
    {
        final MailboxQueue<String> queue = new MailboxQueue<>();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.poll()).isNull();
        queue.offer("a");
        queue.offer("b");
        assertThat(queue.isEmpty()).isFalse();
        assertThat(queue.poll()).isEqualTo("a");
        queue.offer("c");
        assertThat(queue.poll()).isEqualTo("b");
        assertThat(queue.poll()).isEqualTo("c");
        assertThat(queue.poll()).isNull();
        assertThat(queue.isEmpty()).isTrue();
        queue.offer("d");
        queue.offer("e");
        queue.clear();
        assertThat(queue.isEmpty()).isTrue();
        queue.offer("f");
        assertThat(queue.poll()).isEqualTo("f");
    }

    @Test
    void concurrentProducersLoseNothingAndKeepTheirOrder() throws Exception
    {
        final int perProducer = 200_000;
        final MailboxQueue<Long> queue = new MailboxQueue<>();
        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final long producer = p;
            producers.add(new Thread(() ->
            {
                for (long i = 0; i < perProducer; i++)
                {
                    queue.offer(producer << 32 | i);
                }
            }, "mailbox-producer-" + p));
        }
        producers.forEach(Thread::start);
        final long[] nextExpected = new long[PRODUCERS];
        long taken = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (taken < (long)PRODUCERS * perProducer && System.nanoTime() < deadline)
        {
            final Long item = queue.poll();
            if (null == item)
            {
                Thread.onSpinWait();
                continue;
            }
            final int producer = (int)(item >>> 32);
            final long sequence = item & 0xFFFF_FFFFL;
            assertThat(sequence).as("next item of producer %d", producer).isEqualTo(nextExpected[producer]);
            nextExpected[producer]++;
            taken++;
        }
        for (final Thread t : producers)
        {
            t.join();
        }
        assertThat(taken).as("items taken").isEqualTo((long)PRODUCERS * perProducer);
        assertThat(queue.poll()).isNull();
    }

    @Test
    void theScheduledFlagLeavesNoItemBehind() throws Exception
    {
        final int perProducer = 100_000;
        final int maxDrain = 16;
        final MailboxQueue<Long> queue = new MailboxQueue<>();
        final AtomicBoolean scheduled = new AtomicBoolean();
        // The run queue: a permit is the server scheduled once.
        final Semaphore runQueue = new Semaphore(0);
        final AtomicLong taken = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread consumer = new Thread(() ->
        {
            try
            {
                while (!stop.get())
                {
                    if (!runQueue.tryAcquire(10, TimeUnit.MILLISECONDS))
                    {
                        continue;
                    }
                    int drained = 0;
                    while (drained < maxDrain && null != queue.poll())
                    {
                        drained++;
                    }
                    taken.addAndGet(drained);
                    scheduled.set(false);
                    if (!queue.isEmpty() && scheduled.compareAndSet(false, true))
                    {
                        runQueue.release();
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "mailbox-consumer");
        consumer.start();
        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            producers.add(new Thread(() ->
            {
                for (long i = 0; i < perProducer; i++)
                {
                    queue.offer(i);
                    if (!scheduled.get() && scheduled.compareAndSet(false, true))
                    {
                        runQueue.release();
                    }
                }
            }, "mailbox-producer-" + p));
        }
        producers.forEach(Thread::start);
        for (final Thread t : producers)
        {
            t.join();
        }
        final long all = (long)PRODUCERS * perProducer;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (taken.get() < all && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        stop.set(true);
        consumer.join();
        assertThat(taken.get()).as("items taken, every producer done (the rest was left with nobody scheduled)")
            .isEqualTo(all);
    }

    @Test
    void drainHandsOverEverythingQueuedInOrderAndLeavesItEmpty()
    {
        final MailboxQueue<String> queue = new MailboxQueue<>();
        queue.offer("a");
        queue.offer("b");
        queue.offer("c");
        final List<String> taken = new ArrayList<>();

        queue.drain(taken::add);

        assertThat(taken).containsExactly("a", "b", "c");
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.poll()).isNull();
    }
}
