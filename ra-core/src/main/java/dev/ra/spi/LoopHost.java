package dev.ra.spi;

/**
 * A thread a {@link Transport} lends to the runtime, so that servers run on the thread their messages arrive on.
 *
 * <p>Why: with the runtime's own event loops, a message crosses two threads on its way in (network thread, then the
 * server's loop) and two on its way out; on a quiet machine each crossing is a wake-up of a sleeping thread, and four
 * of them per message cost more than the loopback round trip itself. On a lent thread the server runs right after the
 * read that delivered its message, and what it sends is written by the same thread without waking another.
 *
 * <p>What runs on it must not block: the runtime only puts its event loops here, and they never block.
 */
public interface LoopHost
{
    /**
     * @return whether the calling thread is this host's thread.
     */
    boolean inLoop();

    /**
     * Run a task on the host's thread, after what it is doing now. Any thread; must not block or throw, except
     * {@link java.util.concurrent.RejectedExecutionException} once the transport is closed.
     *
     * @param task to run.
     */
    void execute(Runnable task);

    /**
     * Run a task on the host's thread after a delay. Same rules as {@link #execute}.
     *
     * @param task       to run.
     * @param delayNanos how long from now.
     */
    void schedule(Runnable task, long delayNanos);
}
