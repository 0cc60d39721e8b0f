package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A loop's term and vote writers ({@link TermAndVoteWriters}): a thread waits for the first write before there is
 * one (an election must not wait for a thread to start), writes overlap up to {@link TermAndVoteWriters#THREADS},
 * and more wait their turn rather than being refused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TermAndVoteWritersTest
{
    private final TermAndVoteWriters writers = new TermAndVoteWriters("test-loop");

    @AfterEach
    void stop()
    {
        writers.shutdown();
    }

    @Test
    void aThreadWaitsBeforeTheFirstWriteAndTakesIt() throws Exception
    {
        awaitWaitingThread();
        assertThat(writers.threadCount()).as("threads before any write").isEqualTo(1);
        final AtomicReference<String> ranOn = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        writers.execute(() ->
        {
            ranOn.set(Thread.currentThread().getName());
            done.countDown();
        });
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ranOn.get()).isEqualTo("test-loop-term-vote-1");
        assertThat(writers.threadCount()).as("no thread started for the write").isEqualTo(1);
    }

    @Test
    void writesOverlapUpToTheLimitAndTheRestWaitTheirTurn() throws Exception
    {
        awaitWaitingThread();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(TermAndVoteWriters.THREADS);
        for (int i = 0; i < TermAndVoteWriters.THREADS; i++)
        {
            writers.execute(() ->
            {
                started.countDown();
                awaitQuietly(release);
            });
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).as("every write in flight at once").isTrue();
        final CountDownLatch extraDone = new CountDownLatch(1);
        writers.execute(extraDone::countDown);
        assertThat(extraDone.await(200, TimeUnit.MILLISECONDS)).as("a write beyond the limit runs only once a thread " +
            "is free").isFalse();
        assertThat(writers.threadCount()).isEqualTo(TermAndVoteWriters.THREADS);
        release.countDown();
        assertThat(extraDone.await(30, TimeUnit.SECONDS)).as("the queued write ran").isTrue();
    }

    @Test
    void aStoppedLoopTakesNoMoreWrites()
    {
        writers.shutdown();
        assertThatThrownBy(() -> writers.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
            .hasMessageContaining("test-loop");
    }

    private void awaitWaitingThread() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!writers.threadWaiting())
        {
            assertThat(System.nanoTime() - deadline).as("a writer thread waiting").isNegative();
            Thread.sleep(1);
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
