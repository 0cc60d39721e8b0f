package dev.ra.examples.lease;

import java.util.List;
import java.util.Objects;

/**
 * The replies to {@link LeasedKvCommand}s. Revisions are log indexes: unique, increasing with every change.
 */
public sealed interface LeasedKvReply
{
    /**
     * A put took effect.
     *
     * @param revision of the put.
     * @param previous the key before, or {@code null} if it was absent.
     */
    record Written(long revision, KeyValue previous) implements LeasedKvReply
    {
    }

    /**
     * A conditional put did not take effect.
     *
     * @param current the key as it is, or {@code null} if absent.
     */
    record CompareFailed(KeyValue current) implements LeasedKvReply
    {
    }

    /**
     * A put named a session that is not live (it expired, was revoked, or never existed); nothing changed.
     *
     * @param sessionId named.
     */
    record SessionNotFound(long sessionId) implements LeasedKvReply
    {
    }

    /**
     * A delete was applied.
     *
     * @param revision of the delete, or the store's revision when nothing was deleted.
     * @param deleted  the keys as they were, in key order.
     */
    record Deleted(long revision, List<KeyValue> deleted) implements LeasedKvReply
    {
        /** Checks that {@code deleted} is not null. */
        public Deleted
        {
            Objects.requireNonNull(deleted, "deleted");
        }
    }
}
