package dev.ra.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open servers whose last applied index moved since the storage last wrote it. A server's meta store queues the
 * server when its index moves (at most once until a pass takes it); each pass of the storage's background thread
 * (every {@code lastAppliedFlushInterval}) writes only the servers it finds queued, as
 * {@link FileMetaStore#flushLastApplied} always has (both meta files, each synced). A node with 10,000 servers, of
 * which a few are busy, thus visits a few servers per pass instead of all of them.
 *
 * <p>No change is lost: a pass clears a server's flag before writing its index, and the index moves under the same
 * lock the write holds. A move before the clear is written by this pass; one after it queues the server again, for
 * the next pass (which finds nothing to write if this pass already wrote it).
 *
 * <p>Thread-safe: servers queue themselves from their own threads; one thread runs the passes.
 */
final class LastAppliedWrites
{
    private static final Logger LOG = LoggerFactory.getLogger(LastAppliedWrites.class);

    private final Queue<Moved> moved = new ConcurrentLinkedQueue<>();

    /**
     * @param server just opened.
     * @return what its meta store runs whenever its last applied index moves.
     */
    Runnable tracker(final FileServerStorage server)
    {
        return new Moved(server);
    }

    /**
     * Write the last applied index of every server queued since the previous pass and still open (one that closed
     * wrote it then).
     *
     * @param open whether a server is still open.
     * @return how many servers it visited (tests).
     */
    int pass(final Predicate<FileServerStorage> open)
    {
        // Taken first, flags left set: a server moving meanwhile is not queued twice, so this loop ends.
        final List<Moved> taken = new ArrayList<>();
        for (Moved next = moved.poll(); null != next; next = moved.poll())
        {
            taken.add(next);
        }
        int visited = 0;
        for (final Moved server : taken)
        {
            server.queued.set(false);
            if (!open.test(server.server))
            {
                continue;
            }
            visited++;
            try
            {
                server.server.fileMeta().flushLastApplied();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("could not persist last applied: {}", ex.getMessage());
                // Still unwritten: the next pass tries again.
                server.run();
            }
        }
        return visited;
    }

    /** One open server's place in the queue. */
    private final class Moved implements Runnable
    {
        final FileServerStorage server;
        /** Whether it is in the queue, or taken by a pass that has not yet written it. */
        final AtomicBoolean queued = new AtomicBoolean();

        Moved(final FileServerStorage server)
        {
            this.server = server;
        }

        @Override
        public void run()
        {
            if (!queued.get() && queued.compareAndSet(false, true))
            {
                moved.add(this);
            }
        }
    }
}
