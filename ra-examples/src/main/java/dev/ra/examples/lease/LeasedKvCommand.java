package dev.ra.examples.lease;

import java.util.Objects;

/**
 * The key-value commands of the {@link LeasedKvMachine} (it also takes {@link SessionCommand}s and
 * {@link dev.ra.examples.watch.WatchCommand}s).
 */
public sealed interface LeasedKvCommand extends LeasedKvMachineCommand
{
    /**
     * Bind {@code key} to {@code value}, optionally bound to a session. Replies {@link LeasedKvReply.Written}, or
     * {@link LeasedKvReply.SessionNotFound} (nothing changes) when the session is not live.
     *
     * @param key       to write.
     * @param value     to store.
     * @param sessionId to bind the key to, 0 for none; a key bound to another session is moved to this one.
     */
    record Put(String key, String value, long sessionId) implements LeasedKvCommand
    {
        /** Checks that the key and the value are not null. */
        public Put
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A put that takes effect only if the key's mod revision is {@code expectedModRevision} (0: the key must be
     * absent): etcd's one-compare transaction, enough for create-if-absent, a session-bound lock, and optimistic
     * updates. Replies {@link LeasedKvReply.Written}, {@link LeasedKvReply.CompareFailed} or
     * {@link LeasedKvReply.SessionNotFound}.
     *
     * @param key                 to write.
     * @param expectedModRevision required, or 0 for "absent".
     * @param value               to store.
     * @param sessionId           to bind the key to, 0 for none.
     */
    record PutIf(String key, long expectedModRevision, String value, long sessionId) implements LeasedKvCommand
    {
        /** Checks that the key and the value are not null. */
        public PutIf
        {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Delete one key, or every key that starts with a prefix. Replies {@link LeasedKvReply.Deleted}; deleting nothing
     * is not an error and uses no revision.
     *
     * @param key    to delete, or the prefix of the keys to delete.
     * @param prefix whether {@code key} is a prefix.
     */
    record Delete(String key, boolean prefix) implements LeasedKvCommand
    {
        /** Checks that the key is not null. */
        public Delete
        {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Put {@link LeasedKvSettings} in force from this entry on, the same on every member (machine version 3). A member
     * appends one on becoming leader when the settings it was constructed with are not those in force, and at the
     * switch to version 3; a client may send one too, which holds until a leader started with others is elected. A
     * shorter history is trimmed at the next change. Replies the settings in force before it.
     *
     * @param settings to apply from this entry on.
     */
    record Configure(LeasedKvSettings settings) implements LeasedKvCommand
    {
        /** Checks that {@code settings} is not null. */
        public Configure
        {
            Objects.requireNonNull(settings, "settings");
        }
    }
}
