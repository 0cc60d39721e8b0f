package dev.ra.examples.lease;

import dev.ra.examples.support.CommandNumber;
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

    /**
     * A client's write numbered by its client ({@link dev.ra.examples.support.ClientSequences}, machine version 4): a
     * {@link Put}, {@link PutIf}, {@link Delete}, {@link SessionCommand.Grant} or {@link SessionCommand.Revoke}. A
     * retry of a write applied already gets its first reply and changes nothing (a conditional put that wrote answers
     * {@link LeasedKvReply.Written}, not a failed compare on its own write; a grant gives the session it opened, not
     * a second one; a delete or revoke says what it deleted or released); an attempt numbered below its client's
     * first unanswered call is answered {@link dev.ra.examples.support.StaleCommand} and applied not at all (a late
     * delete no longer deletes the client's newer put). Versions 0 to 3 refuse it before the log.
     *
     * @param write  the write.
     * @param number of the call, the same in every attempt of it.
     */
    record Numbered(LeasedKvMachineCommand write, CommandNumber number) implements LeasedKvCommand
    {
        /** Checks that the write is one a client numbers, and that the number is given. */
        public Numbered
        {
            Objects.requireNonNull(number, "number");
            if (!(write instanceof Put || write instanceof PutIf || write instanceof Delete ||
                write instanceof SessionCommand.Grant || write instanceof SessionCommand.Revoke))
            {
                throw new IllegalArgumentException("a numbered leased KV command carries a Put, PutIf, Delete, " +
                    "SessionCommand.Grant or SessionCommand.Revoke, got " +
                    (null == write ? "null" : write.getClass().getName()));
            }
        }
    }
}
