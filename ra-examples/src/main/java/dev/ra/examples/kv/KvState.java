package dev.ra.examples.kv;

import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CursorTracked;
import dev.ra.examples.support.Persistent;
import java.util.Map;
import java.util.Objects;

/**
 * The state of the {@link KvMachine}: an immutable, insertion-ordered map of entries.
 *
 * <p>Its query methods are what clients run through consistent or local queries.
 *
 * @param entries     by key.
 * @param cursorIndex log index of the last release cursor (see {@link CursorTracked}).
 * @param sequences   of the clients' numbered writes ({@link KvCommand.Numbered}, machine version 1; none before).
 */
public record KvState(Map<String, KvEntry> entries, long cursorIndex, ClientSequences sequences)
    implements CursorTracked<KvState>
{
    /** The empty store. */
    public static final KvState EMPTY = new KvState(Map.of(), 0);

    /** Checks that the parts are not null. */
    public KvState
    {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(sequences, "sequences");
    }

    /**
     * A state with no numbered writes, the shape of machine version 0.
     *
     * @param entries     by key.
     * @param cursorIndex log index of the last release cursor.
     */
    public KvState(final Map<String, KvEntry> entries, final long cursorIndex)
    {
        this(entries, cursorIndex, ClientSequences.NONE);
    }

    /**
     * @param next the clients' numbered writes.
     * @return a copy of this state with them.
     */
    KvState withSequences(final ClientSequences next)
    {
        return new KvState(entries, cursorIndex, next);
    }

    /**
     * @param key to look up.
     * @return the entry, or {@code null} if the key is absent.
     */
    public KvEntry entry(final String key)
    {
        return entries.get(key);
    }

    /**
     * @param key to look up.
     * @return the value, or {@code null} if the key is absent.
     */
    public String get(final String key)
    {
        final KvEntry entry = entries.get(key);
        return null == entry ? null : entry.value();
    }

    /**
     * @return the number of keys.
     */
    public int size()
    {
        return entries.size();
    }

    KvState with(final String key, final KvEntry entry)
    {
        return new KvState(Persistent.put(entries, key, entry), cursorIndex, sequences);
    }

    KvState without(final String key)
    {
        return new KvState(Persistent.remove(entries, key), cursorIndex, sequences);
    }

    @Override
    public KvState withCursorIndex(final long index)
    {
        return new KvState(entries, index, sequences);
    }
}
