package dev.ra.examples.kv;

import java.util.Objects;

/**
 * The commands of the {@link KvMachine}. Each is a record, so the generic codec encodes it.
 */
public sealed interface KvCommand
{
    /**
     * Bind {@code key} to {@code value}, replacing any previous value. Replies {@link KvReply.Written}.
     *
     * @param key   to write.
     * @param value to store.
     */
    record Put(String key, String value) implements KvCommand
    {
        /** Checks that {@code key} and {@code value} are not null. */
        public Put
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Remove {@code key}; removing an absent key is not an error. Replies {@link KvReply.Deleted}.
     *
     * @param key to remove.
     */
    record Delete(String key) implements KvCommand
    {
        /** Checks that {@code key} is not null. */
        public Delete
        {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Compare-and-set: if the current value of {@code key} equals {@code expected}, replace it with {@code update}.
     * A {@code null} expected value means "the key must be absent" (create-if-absent, as ZooKeeper's {@code create});
     * a {@code null} update means "delete the key". Replies {@link KvReply.CasResult}.
     *
     * @param key      to compare and set.
     * @param expected current value required, or {@code null} for "absent".
     * @param update   new value, or {@code null} to delete.
     */
    record Cas(String key, String expected, String update) implements KvCommand
    {
        /** Checks that {@code key} is not null. */
        public Cas
        {
            Objects.requireNonNull(key, "key");
        }
    }
}
