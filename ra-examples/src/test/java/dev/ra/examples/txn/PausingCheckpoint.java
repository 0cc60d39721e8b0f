package dev.ra.examples.txn;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link DriverCheckpoint} that, once armed, stops the first driver reaching the armed checkpoint until released,
 * so that a test can kill the coordinator's leader exactly there. Shared by every node of an in-JVM world.
 */
final class PausingCheckpoint implements DriverCheckpoint
{
    private final AtomicReference<String> armed = new AtomicReference<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile CompletableFuture<String> paused = new CompletableFuture<>();

    /**
     * @param checkpoint to stop the next driver at.
     */
    void arm(final String checkpoint)
    {
        paused = new CompletableFuture<>();
        armed.set(checkpoint);
    }

    /**
     * @param timeout of the wait.
     * @return the id of the transaction whose driver stopped.
     */
    String awaitPaused(final Duration timeout) throws Exception
    {
        return paused.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Let every stopped driver go on (they find their node stopped, or their epoch superseded).
     */
    void releaseAll()
    {
        released.countDown();
    }

    @Override
    public void reached(final String checkpoint, final String txId)
    {
        final String current = armed.get();
        if (!checkpoint.equals(current) || !armed.compareAndSet(current, null))
        {
            return;
        }
        paused.complete(txId);
        try
        {
            released.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("driver stopped at " + checkpoint, ex);
        }
    }
}
