package dev.ra.examples.tree;

/**
 * The kinds of watch a process can hold on a path, as ZooKeeper's.
 */
public enum WatchMode
{
    /** One-shot, set by getData or exists on an existing node: fires on data change or deletion. */
    DATA,
    /** One-shot, set by exists on a missing node: fires on creation. */
    EXIST,
    /** One-shot, set by getChildren: fires on a child's creation or deletion, or the node's deletion. */
    CHILD,
    /** Stays until removed (ZooKeeper 3.6 addWatch): every event on the path, children changes included. */
    PERSISTENT,
    /** Stays until removed: every creation, data change and deletion at the path or below (no children events). */
    PERSISTENT_RECURSIVE;

    /**
     * @return whether the watch is removed when it fires.
     */
    public boolean isOneShot()
    {
        return this == DATA || this == EXIST || this == CHILD;
    }
}
