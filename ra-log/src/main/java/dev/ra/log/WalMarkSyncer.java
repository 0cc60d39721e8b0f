package dev.ra.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Takes the WAL mark's write and sync off the WAL writer's critical path, without weakening what a durability report
 * means: a server still hears that its records are durable only after the WAL data AND a mark covering it are synced.
 *
 * <p>The writer syncs a batch, then hands what the mark must say about it here ({@link #submit}) and goes on with the
 * next batch: while the mark of batch N syncs, batch N+1 is written and synced. The mark of a batch is written only
 * after that batch's WAL sync (never in parallel with the data it describes: after a power loss the mark could claim
 * data that is not there, and every member would believe it lost acknowledged entries). Batches handed over while a
 * round syncs are merged into the next round (one write and one sync for all of them), so under load each batch costs
 * the writer about one sync, and this thread one sync per round. Rounds are written and reported in order.
 *
 * <p>A round is done either by this class's thread or, on a quiet node, by the thread that wrote the batch
 * ({@link #writeHere}): one thread at a time, guarded by {@code busy}. Any I/O error is kept and handed to the WAL
 * writer, which reports it (see {@link WalWriter}); nothing is written or reported after it.
 */
final class WalMarkSyncer implements Runnable
{
    private final WalMark mark;
    private final Runnable wakeWriter;
    private final WalSyncGate gate;
    private Round pending = new Round();
    private Round working = new Round();
    /** A round is being written (by either thread); guarded by this. */
    private boolean busy;
    private boolean running = true;
    private volatile Throwable failure;
    /** The failure is the writer's own (see {@link #abort}), not one to hand back to it. */
    private volatile boolean aborted;
    private Thread thread;

    /**
     * @param mark       the mark to keep; closed with this.
     * @param wakeWriter wakes the WAL writer, to report a failure met here.
     * @param gate       told while the mark syncs (the segment writer holds back).
     */
    WalMarkSyncer(final WalMark mark, final Runnable wakeWriter, final WalSyncGate gate)
    {
        this.gate = gate;
        this.mark = mark;
        this.wakeWriter = wakeWriter;
    }

    /**
     * @param threadName for the thread.
     */
    void start(final String threadName)
    {
        final Thread t = new Thread(this, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * WAL writer (under its lock): the batch of these servers' records is synced and ends at {@code end} in WAL file
     * {@code sequence}; its servers learn that it is durable once a mark covering it is synced. Allocation-free once
     * the round's arrays have grown.
     *
     * @param sequence of the WAL file.
     * @param end      offset after the batch.
     * @param servers  the servers in the batch, as drained.
     * @param wake     whether to wake this class's thread (false: the caller writes the round itself next).
     */
    synchronized void submit(final long sequence, final long end, final ArrayList<PendingWrites> servers,
        final boolean wake)
    {
        for (int i = 0; i < servers.size(); i++)
        {
            pending.add(sequence, servers.get(i));
        }
        pending.end = end;
        if (wake)
        {
            notifyAll();
        }
    }

    /**
     * The calling thread writes, syncs and reports what is pending, unless a round is already being written (this
     * class's thread then takes it next).
     *
     * @throws IOException on failure (also kept for the writer to report).
     */
    void writeHere() throws IOException
    {
        final Round round;
        synchronized (this)
        {
            if (busy || pending.count == 0 || null != failure)
            {
                notifyAll();
                return;
            }
            round = take();
        }
        complete(round);
    }

    /**
     * @return whether nothing is pending or being written (the inline path may then keep reports in order).
     */
    synchronized boolean isIdle()
    {
        return !busy && pending.count == 0;
    }

    /**
     * Wait until every round handed over is synced and reported. The WAL writer calls it before a rollover, so that
     * the mark speaks of a file before the next one starts, and before it seals its file on close.
     *
     * @throws IOException if a round failed.
     */
    synchronized void awaitIdle() throws IOException
    {
        boolean interrupted = false;
        while ((busy || pending.count > 0) && null == failure)
        {
            notifyAll();
            try
            {
                wait();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        rethrow();
    }

    /**
     * @throws IOException if a round failed (the WAL writer reports it as its own failure).
     */
    void rethrow() throws IOException
    {
        final Throwable t = failure;
        if (null == t || aborted)
        {
            return;
        }
        if (t instanceof IOException io)
        {
            throw new IOException("WAL mark: " + io.getMessage(), io);
        }
        throw new IllegalStateException("WAL mark failed", t);
    }

    /**
     * @return whether a round failed.
     */
    boolean failed()
    {
        return null != failure;
    }

    @Override
    public void run()
    {
        Round round = next();
        while (null != round)
        {
            try
            {
                complete(round);
            }
            catch (final IOException | RuntimeException ex)
            {
                // Kept for the writer, which reports it.
            }
            round = next();
        }
    }

    /**
     * @return the next round for this class's thread, or null once it is to stop (closed with nothing left, or failed).
     */
    private synchronized Round next()
    {
        while (true)
        {
            if (null != failure || (!running && !busy && pending.count == 0))
            {
                return null;
            }
            if (!busy && pending.count > 0)
            {
                return take();
            }
            try
            {
                wait();
            }
            catch (final InterruptedException ex)
            {
                // Stopped only by close().
            }
        }
    }

    private Round take()
    {
        busy = true;
        final Round round = pending;
        pending = working;
        working = round;
        return round;
    }

    private void complete(final Round round) throws IOException
    {
        try
        {
            long sequence = -1;
            for (int i = 0; i < round.count; i++)
            {
                if (round.sequences[i] != sequence)
                {
                    sequence = round.sequences[i];
                    mark.startFile(sequence);
                }
                mark.put(round.refs[i], round.uids[i], round.indexes[i], round.terms[i]);
            }
            gate.syncStarts();
            try
            {
                mark.write(round.end, true);
            }
            finally
            {
                gate.syncEnds();
            }
            for (int i = 0; i < round.count; i++)
            {
                round.owners[i].reportDurable(round.indexes[i], round.terms[i], round.isEntry[i], round.checksums[i]);
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            failure = ex;
            wakeWriter.run();
            throw ex;
        }
        finally
        {
            round.clear();
            synchronized (this)
            {
                busy = false;
                notifyAll();
            }
        }
    }

    /**
     * The WAL writer failed: nothing handed over and not yet being written is written or reported any more.
     *
     * @param cause the writer's failure.
     */
    synchronized void abort(final Throwable cause)
    {
        if (null == failure)
        {
            failure = cause;
            aborted = true;
        }
        pending.clear();
        notifyAll();
    }

    /**
     * Wait for what is handed over, stop the thread and close the mark.
     */
    void close() throws IOException
    {
        synchronized (this)
        {
            running = false;
            notifyAll();
        }
        final Thread t = thread;
        if (null != t)
        {
            try
            {
                t.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        mark.close();
    }

    WalMark mark()
    {
        return mark;
    }

    /** What one round writes and reports: the servers of the batches merged into it, in order. */
    private static final class Round
    {
        private int count;
        private long end;
        private long[] sequences = new long[16];
        private int[] refs = new int[16];
        private long[] uids = new long[16];
        private long[] indexes = new long[16];
        private long[] terms = new long[16];
        private boolean[] isEntry = new boolean[16];
        private int[] checksums = new int[16];
        private ServerLog[] owners = new ServerLog[16];

        void add(final long sequence, final PendingWrites p)
        {
            if (count == refs.length)
            {
                final int size = count * 2;
                sequences = Arrays.copyOf(sequences, size);
                refs = Arrays.copyOf(refs, size);
                uids = Arrays.copyOf(uids, size);
                indexes = Arrays.copyOf(indexes, size);
                terms = Arrays.copyOf(terms, size);
                isEntry = Arrays.copyOf(isEntry, size);
                checksums = Arrays.copyOf(checksums, size);
                owners = Arrays.copyOf(owners, size);
            }
            sequences[count] = sequence;
            refs[count] = p.serverRef();
            uids[count] = p.owner().directory().uid();
            indexes[count] = p.drainedIndex;
            terms[count] = p.drainedTerm;
            isEntry[count] = p.drainedIsEntry;
            checksums[count] = p.drainedChecksum;
            owners[count] = p.owner();
            count++;
        }

        void clear()
        {
            Arrays.fill(owners, 0, count, null);
            count = 0;
        }
    }
}
