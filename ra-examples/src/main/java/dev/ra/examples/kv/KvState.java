package dev.ra.examples.kv;

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
 */
public record KvState(Map<String, KvEntry> entries, long cursorIndex) implements CursorTracked<KvState>
{
    /** The empty store. */
    public static final KvState EMPTY = new KvState(Map.of(), 0);

    /** Checks that {@code entries} is not null. */
    public KvState
    {
        Objects.requireNonNull(entries, "entries");
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
        return new KvState(Persistent.put(entries, key, entry), cursorIndex);
    }

    KvState without(final String key)
    {
        return new KvState(Persistent.remove(entries, key), cursorIndex);
    }

    @Override
    public KvState withCursorIndex(final long index)
    {
        return new KvState(entries, index);
    }
}
