package dev.ra.examples.tree.recipes;

import dev.ra.examples.tree.TreeClient;
import dev.ra.examples.tree.TreeReply;
import dev.ra.examples.tree.TreeWatchMessage;
import java.util.function.Consumer;

/**
 * The one watch a waiting recipe keeps on the node it waits for. A recipe looks at the tree again every
 * {@link Signal#RECHECK}; a watch set at every look would add a callback each time, all held by the client until the
 * node changes (one a second for as long as a latch follows or a lock waits, then all run at once). So a look sets a
 * watch only when none is pending on that path: the one set earlier still fires when the node changes. Thread-safe.
 */
final class PendingWatch
{
    private final Runnable onFire;
    // Guarded by this: the path whose watch has not fired yet, or null.
    private String pending;

    /**
     * @param onFire run (on the client's watch thread) when a watch set here fires.
     */
    PendingWatch(final Runnable onFire)
    {
        this.onFire = onFire;
    }

    /**
     * Whether a node is there, leaving one watch on it: on its change or deletion, and with {@code watchCreation} on
     * its creation if it is absent. No watch is set if one set earlier on {@code path} has not fired yet.
     *
     * @param client        to read with.
     * @param path          of the node.
     * @param watchCreation whether an absent node is watched for its creation (a node that is waited for to go is
     *                      not: its path may never come back, and the watch would stay in the tree for good).
     * @return whether the node exists.
     * @throws IllegalArgumentException if the tree refuses the read (a bad path), naming the path and the reply.
     */
    boolean present(final TreeClient client, final String path, final boolean watchCreation)
    {
        if (pendingOn(path))
        {
            return client.exists(path).isPresent();
        }
        final Consumer<TreeWatchMessage.Event> callback = set(path);
        boolean watched = false;
        try
        {
            final TreeReply reply = watchCreation ? client.exists(path, callback) : client.getData(path, callback);
            if (reply instanceof TreeReply.NodeData)
            {
                watched = true;
                return true;
            }
            if (reply instanceof TreeReply.Existence existence)
            {
                watched = true;
                return null != existence.stat();
            }
            if (reply instanceof TreeReply.NoNode)
            {
                return false;
            }
            throw new IllegalArgumentException("cannot read '" + path + "': " + reply);
        }
        finally
        {
            if (!watched)
            {
                clear(path);
            }
        }
    }

    private synchronized boolean pendingOn(final String path)
    {
        return path.equals(pending);
    }

    private synchronized Consumer<TreeWatchMessage.Event> set(final String path)
    {
        pending = path;
        return event ->
        {
            clear(path);
            onFire.run();
        };
    }

    private synchronized void clear(final String path)
    {
        if (path.equals(pending))
        {
            pending = null;
        }
    }
}
