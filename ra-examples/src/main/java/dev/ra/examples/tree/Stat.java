package dev.ra.examples.tree;

/**
 * A node's metadata, as ZooKeeper's {@code Stat}. Zxids are log indexes: unique, increasing with every change, and
 * all the changes of one command (a multi, a session's end) share one.
 *
 * @param czxid          zxid of the node's creation.
 * @param mzxid          zxid of the last change of its data (its creation at first).
 * @param pzxid          zxid of the last change of its children (its creation at first).
 * @param version        number of changes of its data; a conditional write names the version it expects.
 * @param cversion       number of changes of its children (creations and deletions); the counter sequential
 *                       children are named with.
 * @param ephemeralOwner session the node is bound to, 0 for a persistent node.
 * @param numChildren    number of children.
 */
public record Stat(long czxid, long mzxid, long pzxid, int version, int cversion, long ephemeralOwner,
    int numChildren)
{
    /** The root's metadata: it exists before any command. */
    public static final Stat ROOT = new Stat(0, 0, 0, 0, 0, 0, 0);
}
