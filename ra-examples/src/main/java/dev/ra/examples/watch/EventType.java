package dev.ra.examples.watch;

/**
 * What happened to a key.
 */
public enum EventType
{
    /** The key was created or changed. */
    PUT,
    /** The key was deleted, by a client or because the session it was bound to ended. */
    DELETE
}
