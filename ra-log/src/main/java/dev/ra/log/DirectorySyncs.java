package dev.ra.log;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/**
 * Group commit of one directory's syncs: threads that changed entries of the directory (created a server's directory
 * in it, say) and need the change durable call {@link #sync}; one sync started after a caller's change covers it, so
 * callers arriving while a sync runs share the next one instead of each paying their own. A node starting thousands
 * of servers on several threads syncs their parent directory far fewer times than once per server.
 */
final class DirectorySyncs
{
    private final FileLayer files;
    private final Path directory;
    /** Callers so far, numbered. */
    private long requested;
    /** Every caller numbered up to this one is covered by a completed sync. */
    private long synced;
    private boolean syncing;

    /**
     * @param files     the file layer.
     * @param directory whose syncs these are.
     */
    DirectorySyncs(final FileLayer files, final Path directory)
    {
        this.files = files;
        this.directory = directory;
    }

    /**
     * Make durable every change made to the directory's entries before this call; returns once a sync that started
     * after the call has completed.
     *
     * @throws IOException if the sync fails (or the thread is interrupted while waiting for another's).
     */
    void sync() throws IOException
    {
        final long ticket;
        final long covers;
        synchronized (this)
        {
            ticket = ++requested;
            while (syncing && synced < ticket)
            {
                try
                {
                    wait();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for a sync of " + directory);
                }
            }
            if (synced >= ticket)
            {
                return;
            }
            syncing = true;
            // Every caller numbered so far made its change before this sync starts.
            covers = requested;
        }
        boolean done = false;
        try
        {
            files.syncDirectory(directory);
            done = true;
        }
        finally
        {
            synchronized (this)
            {
                if (done)
                {
                    synced = Math.max(synced, covers);
                }
                syncing = false;
                notifyAll();
            }
        }
    }
}
