package dev.ra.examples.tree;

/**
 * What happened to a watched path, as ZooKeeper's {@code Watcher.Event.EventType}.
 */
public enum TreeEventType
{
    /** The node was created. */
    NODE_CREATED,
    /** The node was deleted. */
    NODE_DELETED,
    /** The node's data was set. */
    NODE_DATA_CHANGED,
    /** A child of the node was created or deleted. */
    NODE_CHILDREN_CHANGED
}
