package dev.ra.examples.tree;

import dev.ra.ProcessRef;
import java.util.List;
import java.util.Objects;

/**
 * The commands of the {@link TreeMachine} besides the session commands: the writes ({@link TreeOp}), multi, and the
 * reads that set a watch (logged, so that the read and the watch happen at one zxid). Plain reads are named queries.
 */
public sealed interface TreeCommand extends TreeMachineCommand permits TreeOp, TreeCommand.Multi, TreeCommand.GetData,
    TreeCommand.Exists, TreeCommand.GetChildren, TreeCommand.AddWatch, TreeCommand.RemoveWatches,
    TreeCommand.Reregister, TreeCommand.Configure
{
    /**
     * Put an unreachable watch expiry in force from this entry on, the same on every member (machine version 2). A
     * member appends one on becoming leader when the expiry it was constructed with is not the one in force, and at the
     * switch to version 2; a client may send one too, which holds until a leader started with another is elected.
     * Replies the expiry in force before it, in milliseconds.
     *
     * @param unreachableWatchExpiryMs how long a watcher keeps its watches while its node is unreachable (log time);
     *                                 at least 0.
     */
    record Configure(long unreachableWatchExpiryMs) implements TreeCommand
    {
        /** Checks that the expiry is not negative. */
        public Configure
        {
            if (unreachableWatchExpiryMs < 0)
            {
                throw new IllegalArgumentException("unreachable watch expiry must be >= 0 ms, got " +
                    unreachableWatchExpiryMs);
            }
        }
    }

    /**
     * All of the ops or none, at one zxid (ZooKeeper's multi). Replies {@link TreeReply.MultiResult}.
     *
     * @param ops in order; later ops see the effects of earlier ones.
     */
    record Multi(List<TreeOp> ops) implements TreeCommand
    {
        /** Copies the ops. */
        public Multi
        {
            ops = List.copyOf(ops);
        }
    }

    /**
     * Read a node and set a one-shot {@link WatchMode#DATA} watch on it. Replies {@link TreeReply.NodeData}, or
     * {@link TreeReply.NoNode} (no watch set, as ZooKeeper).
     *
     * @param path    of the node.
     * @param watcher process the event goes to.
     */
    record GetData(String path, ProcessRef watcher) implements TreeCommand
    {
        /** Checks that the parts are not null. */
        public GetData
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * Whether a node exists, setting a {@link WatchMode#DATA} watch if it does and an {@link WatchMode#EXIST} watch
     * if not. Replies {@link TreeReply.Existence}.
     *
     * @param path    of the node.
     * @param watcher process the event goes to.
     */
    record Exists(String path, ProcessRef watcher) implements TreeCommand
    {
        /** Checks that the parts are not null. */
        public Exists
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * List a node's children and set a one-shot {@link WatchMode#CHILD} watch. Replies {@link TreeReply.Children},
     * or {@link TreeReply.NoNode} (no watch set).
     *
     * @param path    of the node.
     * @param watcher process the event goes to.
     */
    record GetChildren(String path, ProcessRef watcher) implements TreeCommand
    {
        /** Checks that the parts are not null. */
        public GetChildren
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * Set a persistent watch (ZooKeeper 3.6 addWatch); the node need not exist. Replies {@link TreeReply.WatchSet}.
     *
     * @param path      watched.
     * @param watcher   process the events go to.
     * @param recursive whether the watch covers the whole subtree.
     */
    record AddWatch(String path, ProcessRef watcher, boolean recursive) implements TreeCommand
    {
        /** Checks that the parts are not null. */
        public AddWatch
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * Remove a process's watches on a path. Replies {@link TreeReply.WatchesRemoved}.
     *
     * @param path    watched.
     * @param watcher holding the watches.
     * @param mode    of the watches to remove, or {@code null} for all of them.
     */
    record RemoveWatches(String path, ProcessRef watcher, WatchMode mode) implements TreeCommand
    {
        /** Checks that the path and the watcher are not null. */
        public RemoveWatches
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * Set again the watches a process believes it holds, after a {@link TreeWatchMessage.Resync} (ZooKeeper's
     * SetWatches): a one-shot watch whose path changed after the zxid it was set at fires at once, since its event
     * may have been lost; the others are set (again). Replies {@link TreeReply.WatchSet}.
     *
     * @param watcher process holding the watches.
     * @param watches as the process believes them, each with the zxid it was set at.
     */
    record Reregister(ProcessRef watcher, List<HeldWatch> watches) implements TreeCommand
    {
        /** Checks the watcher and copies the watches. */
        public Reregister
        {
            Objects.requireNonNull(watcher, "watcher");
            watches = List.copyOf(watches);
        }
    }

    /**
     * A watch as its process holds it.
     *
     * @param path  watched.
     * @param mode  of the watch.
     * @param zxid  the watch was set at: the change it waits for comes after.
     */
    record HeldWatch(String path, WatchMode mode, long zxid)
    {
        /** Checks that the parts are not null. */
        public HeldWatch
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(mode, "mode");
        }
    }
}
