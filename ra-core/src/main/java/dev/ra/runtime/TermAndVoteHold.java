package dev.ra.runtime;

import dev.ra.core.RaftAction;
import dev.ra.spi.MetaStore;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A server's term and vote write in flight and what it holds back. The write's sync runs off the loop, on the loop's
 * {@link TermAndVoteWriters}, so one server's election does not stall every server the loop runs; nothing a step did
 * after asking for the write (its votes, its campaign), nor any later step, may go out before the write returns,
 * since a vote or a term a peer saw must survive a crash. Steps are held in order and released when the write
 * returns; a failed write releases nothing. Used on the server's loop thread only.
 */
final class TermAndVoteHold
{
    /** The server whose write this is: what runs a released step, and what a returned write goes on to. */
    interface Server
    {
        /**
         * Execute a step's actions (released or not held), which may start another write.
         *
         * @param actions of the step, from where it continues.
         */
        void executeFrom(List<RaftAction> actions);

        /** @return whether the server stopped: nothing is released after that. */
        boolean isStopped();

        /**
         * The write failed: nothing it held back went out, and the server must stop.
         *
         * @param failure of the write.
         */
        void writeFailed(Throwable failure);

        /** The write returned and released what it held: the server finishes the batch that wanted it. */
        void released();
    }

    private final Server server;
    private final MetaStore meta;
    private final EventLoop loop;
    /** The write in flight, or null. */
    private CompletableFuture<Void> inFlight;
    /** What steps did after it, held back until it has returned: copies (the core reuses its lists), in order. */
    private final ArrayDeque<List<RaftAction>> held = new ArrayDeque<>();
    /** Set while a stop releases the held actions: a write among them is then made on the loop thread. */
    private boolean writeHere;

    TermAndVoteHold(final Server server, final MetaStore meta, final EventLoop loop)
    {
        this.server = server;
        this.meta = meta;
        this.loop = loop;
    }

    /** @return whether a write is in flight: a step must then be {@linkplain #hold held}. */
    boolean holding()
    {
        return null != inFlight;
    }

    /**
     * @param actions of a step that came while a write is in flight: kept (a copy) until it returns.
     */
    void hold(final List<RaftAction> actions)
    {
        held.add(List.copyOf(actions));
    }

    /**
     * At a step's first {@link RaftAction.PersistTermAndVote}: write the step's last term and vote.
     *
     * @param actions of the step.
     * @param first   position of its first {@link RaftAction.PersistTermAndVote}.
     * @return whether the rest of the step is held until the write returns (else it was written here, during a stop,
     *     and the step goes on).
     */
    boolean write(final List<RaftAction> actions, final int first)
    {
        if (writeHere)
        {
            TermAndVoteWrites.writeLast(actions, first, meta);
            return false;
        }
        // The rest of the step (its votes, its campaign) waits for the sync: it runs first when the write returns.
        held.addFirst(TermAndVoteWrites.after(actions, first));
        final RaftAction.PersistTermAndVote write = TermAndVoteWrites.lastOf(actions, first);
        final CompletableFuture<Void> started = CompletableFuture.runAsync(
            () -> meta.storeTermAndVote(write.term(), write.votedFor()), loop.termAndVoteWriters());
        inFlight = started;
        started.whenComplete((done, failure) -> loop.execute(() -> returned(started, failure)));
        return true;
    }

    /** On the loop: the write returned. What it held back runs now (unless it failed: then none of it may). */
    private void returned(final CompletableFuture<Void> write, final Throwable failure)
    {
        if (write != inFlight || server.isStopped())
        {
            return; // a stop settled it already
        }
        inFlight = null;
        if (null != failure)
        {
            held.clear();
            server.writeFailed(failure);
            return;
        }
        server.released();
    }

    /** Run the held steps in order, until one starts another write or the server stops. */
    void release()
    {
        List<RaftAction> step;
        while (null == inFlight && !server.isStopped() && null != (step = held.poll()))
        {
            server.executeFrom(step);
        }
    }

    /**
     * A stop waits for the write in flight, then runs what it held back (writing any further term and vote on this
     * thread), so the peers and callers get what the server did before it stopped.
     */
    void settle()
    {
        final CompletableFuture<Void> write = inFlight;
        if (null == write)
        {
            return;
        }
        inFlight = null;
        try
        {
            write.join();
        }
        catch (final RuntimeException notDurable)
        {
            held.clear(); // nothing it held back may go out
            return;
        }
        writeHere = true;
        try
        {
            release();
        }
        finally
        {
            writeHere = false;
        }
    }
}
