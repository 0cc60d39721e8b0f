package dev.ra.examples.kv;

import dev.ra.examples.support.CommandNumber;
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

    /**
     * A {@link Put}, {@link Delete} or {@link Cas} numbered by its client
     * ({@link dev.ra.examples.support.ClientSequences}): a retry of a write applied already gets its first reply (a CAS
     * that swapped answers true again, not false on the value it wrote itself), and an attempt that comes after its
     * client went on with later calls (a late first put after the client's next put) is answered
     * {@link dev.ra.examples.support.StaleCommand} and changes nothing. Machine version 1 of {@link KvMachine}; a
     * cluster at version 0 refuses it before the log.
     *
     * @param write  the write, applied as it is when sent alone.
     * @param number of the call, the same for each of its attempts.
     */
    record Numbered(KvCommand write, CommandNumber number) implements KvCommand
    {
        /** Checks that the parts are not null and the write is one. */
        public Numbered
        {
            Objects.requireNonNull(write, "write");
            Objects.requireNonNull(number, "number");
            if (write instanceof Numbered)
            {
                throw new IllegalArgumentException("a numbered KV command carries a Put, a Delete or a Cas, got " +
                    "another numbered one");
            }
        }
    }
}
