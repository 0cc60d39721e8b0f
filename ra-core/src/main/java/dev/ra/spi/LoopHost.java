package dev.ra.spi;

/**
 * A thread a {@link Transport} lends to the runtime, so that servers run on the thread their messages arrive on.
 *
 * <p>Why: with the runtime's own event loops, a message crosses two threads on its way in (network thread, then the
 * server's loop) and two on its way out; on a quiet machine each crossing is a wake-up of a sleeping thread, and four
 * of them per message cost more than the loopback round trip itself. On a lent thread the server runs right after the
 * read that delivered its message, and what it sends is written by the same thread without waking another.
 *
 * <p>The runtime puts only its event loops here, and they do not wait for other threads, locks held elsewhere or the
 * network. They may block for one disk write, though: at the end of a round a loop calls
 * {@link LogStore#writeIfIdle}, and a log whose writer thread is idle and whose node is quiet (ra-log: one server
 * waiting with at most a few records) writes and syncs that small batch on the calling thread, so a lent I/O thread
 * may stop for one {@code fdatasync} (tens of microseconds to a few milliseconds, depending on the disk) while reads
 * and writes of its other connections wait. This is accepted because it happens only when nothing else is waiting for
 * the log (under load the writer thread is busy and the call returns at once), and because on a quiet node it saves
 * the two thread hand-offs of waking the writer and being woken back, which cost more than the sync. A transport
 * whose threads must never block on a disk should lend none ({@link Transport#loopHosts} returning an empty list), or
 * the application should build its system with {@code RaSystemBuilder.useTransportThreads(false)}.
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
