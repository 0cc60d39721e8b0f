package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An event loop's run queue ({@link RunQueue}): a round holds what was queued when it started, in that order; what is
 * queued during a round, and what a round left when it ended early, comes in the next; and under concurrent producers
 * each queued server is taken exactly once per time it was queued.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunQueueTest
{
    @Test
    void aRoundHoldsWhatWasQueuedWhenItStartedInThatOrder()
    {
        final RunQueue<String> queue = new RunQueue<>();
        final RunQueue.Entry<String> a = new RunQueue.Entry<>("a");
        final RunQueue.Entry<String> b = new RunQueue.Entry<>("b");
        final RunQueue.Entry<String> c = new RunQueue.Entry<>("c");
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.poll()).isNull();
        queue.push(a);
        queue.push(b);
        queue.push(c);
        queue.startRound();
        assertThat(queue.next()).isEqualTo("a");
        // Queued again during the round: not in this one.
        queue.push(a);
        assertThat(queue.next()).isEqualTo("b");
        assertThat(queue.next()).isEqualTo("c");
        assertThat(queue.next()).as("the round is done").isNull();
        assertThat(queue.isEmpty()).isFalse();
        queue.startRound();
        assertThat(queue.next()).isEqualTo("a");
        assertThat(queue.next()).isNull();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void whatARoundLeftComesFirstInTheNext()
    {
        final RunQueue<String> queue = new RunQueue<>();
        final RunQueue.Entry<String> a = new RunQueue.Entry<>("a");
        final RunQueue.Entry<String> b = new RunQueue.Entry<>("b");
        final RunQueue.Entry<String> c = new RunQueue.Entry<>("c");
        final RunQueue.Entry<String> d = new RunQueue.Entry<>("d");
        queue.push(a);
        queue.push(b);
        queue.push(c);
        queue.startRound();
        assertThat(queue.next()).isEqualTo("a");
        // The round ends here (a failure the loop caught); d arrives.
        queue.push(d);
        queue.startRound();
        assertThat(queue.next()).isEqualTo("b");
        assertThat(queue.next()).isEqualTo("c");
        assertThat(queue.next()).isEqualTo("d");
        assertThat(queue.next()).isNull();
        queue.push(b);
        queue.push(a);
        assertThat(queue.poll()).as("poll starts a round when none is left").isEqualTo("b");
        assertThat(queue.poll()).isEqualTo("a");
        assertThat(queue.poll()).isNull();
    }

    @Test
    void eachQueuingIsTakenOnceUnderConcurrentProducers() throws Exception
    {
        final int owners = 64;
        final int producers = 3;
        final long pushesPerProducer = 100_000;
        final RunQueue<Integer> queue = new RunQueue<>();
        final List<RunQueue.Entry<Integer>> entries = new ArrayList<>();
        final AtomicBoolean[] queued = new AtomicBoolean[owners];
        final AtomicLong[] pushes = new AtomicLong[owners];
        final long[] takes = new long[owners];
        for (int i = 0; i < owners; i++)
        {
            entries.add(new RunQueue.Entry<>(i));
            queued[i] = new AtomicBoolean();
            pushes[i] = new AtomicLong();
        }
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++)
        {
            final int first = p;
            threads.add(new Thread(() ->
            {
                int owner = first;
                long done = 0;
                while (done < pushesPerProducer)
                {
                    owner = (owner + 7) % owners;
                    // As a server is queued: only by whoever turns its flag on.
                    if (queued[owner].compareAndSet(false, true))
                    {
                        pushes[owner].incrementAndGet();
                        queue.push(entries.get(owner));
                        done++;
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
                }
            }, "run-queue-producer-" + p));
        }
        threads.forEach(Thread::start);
        final long all = producers * pushesPerProducer;
        long taken = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (taken < all && System.nanoTime() < deadline)
        {
            queue.startRound();
            Integer owner;
            while (null != (owner = queue.next()))
            {
                assertThat(queued[owner].get()).as("owner %d taken while queued", owner).isTrue();
                takes[owner]++;
                taken++;
                queued[owner].set(false);
            }
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        assertThat(taken).as("takes").isEqualTo(all);
        assertThat(queue.isEmpty()).isTrue();
        for (int i = 0; i < owners; i++)
        {
            assertThat(takes[i]).as("takes of owner %d", i).isEqualTo(pushes[i].get());
        }
    }
}
