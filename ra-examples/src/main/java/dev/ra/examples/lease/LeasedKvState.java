package dev.ra.examples.lease;

import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.watch.WatchHub;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link LeasedKvMachine}: the keys, the sessions they may be bound to, the watches and their
 * history, and the store's revision.
 *
 * @param keys        by key, in insertion order.
 * @param sessions    the session table.
 * @param watches     the watches and the event history.
 * @param revision    revision of the last change (log index of the last command that changed a key); 0 before any.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 * @param settings    in force (machine version 3 on), set by the last {@link LeasedKvCommand.Configure}; until the
 *                    first, {@link LeasedKvSettings#DEFAULTS} in a new store, and null from the switch to version 3:
 *                    each member then applies its own, as before it.
 * @param sequences   of the clients' numbered writes ({@link LeasedKvCommand.Numbered}, machine version 4; none
 *                    before).
 */
public record LeasedKvState(Map<String, KeyValue> keys, SessionTable sessions, WatchHub watches, long revision,
    long cursorIndex, LeasedKvSettings settings, ClientSequences sequences) implements CursorTracked<LeasedKvState>
{
    /** The empty store, with the default settings. */
    public static final LeasedKvState EMPTY = new LeasedKvState(Map.of(), SessionTable.EMPTY, WatchHub.EMPTY, 0, 0);

    /** Checks that the parts are not null. */
    public LeasedKvState
    {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(watches, "watches");
        Objects.requireNonNull(sequences, "sequences");
    }

    /**
     * A state with no numbered writes, the shape of machine version 3.
     *
     * @param keys        by key, in insertion order.
     * @param sessions    the session table.
     * @param watches     the watches and the event history.
     * @param revision    revision of the last change.
     * @param cursorIndex log index of the last release cursor.
     * @param settings    in force, or null (see the record's).
     */
    public LeasedKvState(final Map<String, KeyValue> keys, final SessionTable sessions, final WatchHub watches,
        final long revision, final long cursorIndex, final LeasedKvSettings settings)
    {
        this(keys, sessions, watches, revision, cursorIndex, settings, ClientSequences.NONE);
    }

    /**
     * A state with the default settings, the shape of machine versions 0 to 2.
     *
     * @param keys        by key, in insertion order.
     * @param sessions    the session table.
     * @param watches     the watches and the event history.
     * @param revision    revision of the last change.
     * @param cursorIndex log index of the last release cursor.
     */
    public LeasedKvState(final Map<String, KeyValue> keys, final SessionTable sessions, final WatchHub watches,
        final long revision, final long cursorIndex)
    {
        this(keys, sessions, watches, revision, cursorIndex, LeasedKvSettings.DEFAULTS);
    }

    /**
     * @param key to look up.
     * @return the key, or {@code null} if absent.
     */
    public KeyValue get(final String key)
    {
        return keys.get(key);
    }

    /**
     * @param prefix of the keys.
     * @return the keys that start with it, in key order.
     */
    public List<KeyValue> range(final String prefix)
    {
        final List<KeyValue> found = new ArrayList<>();
        for (final KeyValue kv : keys.values())
        {
            if (kv.key().startsWith(prefix))
            {
                found.add(kv);
            }
        }
        found.sort(Comparator.comparing(KeyValue::key));
        return List.copyOf(found);
    }

    LeasedKvState with(final Map<String, KeyValue> nextKeys, final SessionTable nextSessions,
        final WatchHub nextWatches, final long nextRevision)
    {
        return new LeasedKvState(nextKeys, nextSessions, nextWatches, nextRevision, cursorIndex, settings, sequences);
    }

    /**
     * @param next settings in force from now on.
     * @return a copy of this state with them.
     */
    LeasedKvState withSettings(final LeasedKvSettings next)
    {
        return new LeasedKvState(keys, sessions, watches, revision, cursorIndex, next, sequences);
    }

    /**
     * @param next the clients' numbered writes.
     * @return a copy of this state with them.
     */
    LeasedKvState withSequences(final ClientSequences next)
    {
        return new LeasedKvState(keys, sessions, watches, revision, cursorIndex, settings, next);
    }

    @Override
    public LeasedKvState withCursorIndex(final long index)
    {
        return new LeasedKvState(keys, sessions, watches, revision, index, settings, sequences);
    }
}
