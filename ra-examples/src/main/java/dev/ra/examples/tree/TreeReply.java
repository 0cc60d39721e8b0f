package dev.ra.examples.tree;

import java.util.List;
import java.util.Objects;

/**
 * The replies of the {@link TreeMachine}: results, and ZooKeeper's error codes as {@link Failure}s (a failed write
 * changes nothing).
 */
public sealed interface TreeReply
{
    /**
     * @return whether this reply is a success.
     */
    default boolean ok()
    {
        return !(this instanceof Failure);
    }

    /**
     * ZooKeeper's error codes ({@code KeeperException.Code}).
     */
    sealed interface Failure extends TreeReply
    {
    }

    /**
     * A node was created.
     *
     * @param path of the node (with its sequence suffix if sequential).
     * @param stat of the new node.
     */
    record Created(String path, Stat stat) implements TreeReply
    {
    }

    /**
     * A node was deleted.
     *
     * @param path of the node.
     */
    record Deleted(String path) implements TreeReply
    {
    }

    /**
     * A node's data was set.
     *
     * @param path of the node.
     * @param stat of the node after the change.
     */
    record DataSet(String path, Stat stat) implements TreeReply
    {
    }

    /**
     * A check passed.
     *
     * @param path of the node.
     */
    record Checked(String path) implements TreeReply
    {
    }

    /**
     * A node's data, read with a watch set.
     *
     * @param data of the node.
     * @param stat of the node.
     * @param zxid the read and the watch happened at.
     */
    record NodeData(String data, Stat stat, long zxid) implements TreeReply
    {
    }

    /**
     * Whether a node exists, with a watch set.
     *
     * @param stat of the node, or {@code null} if it does not exist.
     * @param zxid the read and the watch happened at.
     */
    record Existence(Stat stat, long zxid) implements TreeReply
    {
    }

    /**
     * A node's children, read with a watch set.
     *
     * @param children names, sorted.
     * @param stat     of the node.
     * @param zxid     the read and the watch happened at.
     */
    record Children(List<String> children, Stat stat, long zxid) implements TreeReply
    {
        /** Copies the names. */
        public Children
        {
            children = List.copyOf(children);
        }
    }

    /**
     * Watches were set.
     *
     * @param zxid they were set at.
     */
    record WatchSet(long zxid) implements TreeReply
    {
    }

    /**
     * Watches were removed.
     *
     * @param count of watches removed.
     */
    record WatchesRemoved(int count) implements TreeReply
    {
    }

    /**
     * The result of a multi: every op's result if all succeeded; otherwise nothing changed, the ops before the failed
     * one are {@link RolledBack}, the failed one has its error and the ones after are {@link NotRun}.
     *
     * @param committed whether the ops took effect.
     * @param results   one per op, in order.
     */
    record MultiResult(boolean committed, List<TreeReply> results) implements TreeReply
    {
        /** Copies the results. */
        public MultiResult
        {
            results = List.copyOf(results);
        }

        @Override
        public boolean ok()
        {
            return committed;
        }
    }

    /**
     * The node (or, for a create, its parent) does not exist.
     *
     * @param path that is missing.
     */
    record NoNode(String path) implements Failure
    {
    }

    /**
     * The node to create exists.
     *
     * @param path of the node.
     */
    record NodeExists(String path) implements Failure
    {
    }

    /**
     * The node's version is not the one expected.
     *
     * @param path     of the node.
     * @param expected version.
     * @param actual   version.
     */
    record BadVersion(String path, int expected, int actual) implements Failure
    {
    }

    /**
     * The node to delete has children.
     *
     * @param path of the node.
     */
    record NotEmpty(String path) implements Failure
    {
    }

    /**
     * The parent of the node to create is ephemeral.
     *
     * @param path of the parent.
     */
    record NoChildrenForEphemerals(String path) implements Failure
    {
    }

    /**
     * The session an ephemeral node was to be bound to is not live (expired, closed, or never granted).
     *
     * @param sessionId named.
     */
    record SessionExpired(long sessionId) implements Failure
    {
    }

    /**
     * The op is malformed (a bad path, an ephemeral without a session, deleting the root).
     *
     * @param reason naming what is wrong and where.
     */
    record BadArguments(String reason) implements Failure
    {
        /** Checks that the reason is not null. */
        public BadArguments
        {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * In a failed multi: this op would have succeeded, but was rolled back (ZooKeeper reports it as OK in an error
     * result).
     */
    record RolledBack() implements Failure
    {
    }

    /**
     * In a failed multi: this op came after the failed one and was not run (ZooKeeper's RUNTIMEINCONSISTENCY).
     */
    record NotRun() implements Failure
    {
    }
}
