package dev.ra.examples.tree;

import java.util.Objects;

/**
 * The writes of the tree, each usable alone or inside a {@link TreeCommand.Multi} (ZooKeeper's {@code Op}). A version
 * of -1 matches any version.
 */
public sealed interface TreeOp extends TreeCommand
{
    /** The version that matches any version. */
    int ANY_VERSION = -1;

    /**
     * @return the path the op names.
     */
    String path();

    /**
     * Create a node. Replies {@link TreeReply.Created} with the actual path (sequential nodes get a suffix), or
     * {@link TreeReply.NoNode} (parent missing), {@link TreeReply.NodeExists},
     * {@link TreeReply.NoChildrenForEphemerals}, {@link TreeReply.SessionExpired} (ephemeral, session not live),
     * {@link TreeReply.BadArguments}.
     *
     * @param path      of the node, or the prefix of a sequential node's path (which may end with '/': {@code /q/}
     *                  makes {@code /q/0000000000}).
     * @param data      of the node.
     * @param mode      persistent or ephemeral, sequential or not.
     * @param sessionId an ephemeral node is bound to; ignored (use 0) for persistent nodes.
     */
    record Create(String path, String data, CreateMode mode, long sessionId) implements TreeOp
    {
        /** Checks that the parts are not null. */
        public Create
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /**
     * Delete a node without children. Replies {@link TreeReply.Deleted}, or {@link TreeReply.NoNode},
     * {@link TreeReply.BadVersion}, {@link TreeReply.NotEmpty}, {@link TreeReply.BadArguments}.
     *
     * @param path    of the node.
     * @param version expected, or {@link #ANY_VERSION}.
     */
    record Delete(String path, int version) implements TreeOp
    {
        /** Checks that the path is not null. */
        public Delete
        {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * Delete a node without children, only if it is the node created at {@code czxid}: a node created anew at the path
     * since is left alone and the reply is {@link TreeReply.NoNode}, as for a node that is gone. The delete a client
     * sends again after an unknown outcome, so that an earlier attempt still in flight, followed by another client's
     * create at the same path, cannot make it delete the new node. Replies as {@link Delete} does. Taken from machine
     * version 1 of {@link TreeMachine} on; a cluster still at version 0 refuses it before it reaches the log.
     *
     * @param path    of the node.
     * @param version expected, or {@link #ANY_VERSION}.
     * @param czxid   of the node to delete (its {@link Stat#czxid()}).
     */
    record DeleteCreated(String path, int version, long czxid) implements TreeOp
    {
        /** Checks that the path is not null. */
        public DeleteCreated
        {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * Replace a node's data. Replies {@link TreeReply.DataSet}, or {@link TreeReply.NoNode},
     * {@link TreeReply.BadVersion}, {@link TreeReply.BadArguments}.
     *
     * @param path    of the node.
     * @param data    new data.
     * @param version expected, or {@link #ANY_VERSION}.
     */
    record SetData(String path, String data, int version) implements TreeOp
    {
        /** Checks that the parts are not null. */
        public SetData
        {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(data, "data");
        }
    }

    /**
     * Check a node's child version ({@link Stat#cversion()}, the count of creations and deletions of its children)
     * without changing anything: in a multi with a create under that node, it fences the create, which then takes
     * effect only if no child was created or deleted there since the version was read, so that a copy of the create
     * applied late (sent again after an unknown outcome, or held up on its way) cannot undo a later delete. Replies
     * {@link TreeReply.Checked}, or {@link TreeReply.NoNode}, {@link TreeReply.BadVersion} (naming the child
     * versions), {@link TreeReply.BadArguments}. Taken from machine version 3 of {@link TreeMachine} on; a cluster at
     * an older version refuses it before it reaches the log.
     *
     * @param path     of the node.
     * @param cversion expected.
     */
    record CheckChildren(String path, int cversion) implements TreeOp
    {
        /** Checks that the path is not null. */
        public CheckChildren
        {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * Check a node's version without changing anything (useful in a multi). Replies {@link TreeReply.Checked}, or
     * {@link TreeReply.NoNode}, {@link TreeReply.BadVersion}, {@link TreeReply.BadArguments}.
     *
     * @param path    of the node.
     * @param version expected, or {@link #ANY_VERSION} (the node must merely exist).
     */
    record Check(String path, int version) implements TreeOp
    {
        /** Checks that the path is not null. */
        public Check
        {
            Objects.requireNonNull(path, "path");
        }
    }
}
