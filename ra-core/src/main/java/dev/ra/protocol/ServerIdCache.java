package dev.ra.protocol;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import java.util.function.Function;

/**
 * Server ids decoded before, by their encoding: every message names one to three servers, and the same few ids come
 * back in every message between two nodes. A hit skips decoding two strings, validating them and allocating four
 * objects, and returns an id whose hash is already computed, which the maps keyed by server id then reuse.
 *
 * <p>Direct-mapped and bounded: a slot holds the last id whose encoding hashed to it, so memory stays fixed however
 * many ids a node sees. Shared by all threads without locks: a slot holds an immutable entry, and a thread that reads a
 * stale or a replaced entry only misses (an entry is used only when its bytes equal the input exactly).
 */
final class ServerIdCache
{
    /** Ids longer than this (encoded) are decoded every time: they are rare and would make comparisons costly. */
    private static final int MAX_ENCODED_BYTES = 128;
    private static final int SLOTS = 1024;

    private record Entry(byte[] encoded, ServerId id)
    {
    }

    private final Entry[] slots = new Entry[SLOTS];

    /**
     * @param in      positioned at an encoded server id (two length-prefixed strings).
     * @param decoder reads the id the slow way, on a miss.
     * @return the id, from the cache or decoded; the reader is past it either way.
     */
    ServerId read(final BufferReader in, final Function<BufferReader, ServerId> decoder)
    {
        final int span = in.lengthPrefixedSpan(2);
        if (span <= 0 || span > MAX_ENCODED_BYTES)
        {
            return decoder.apply(in);
        }
        final int slot = spread(in.hashOfNext(span)) & (SLOTS - 1);
        final Entry entry = slots[slot];
        if (null != entry && in.skipIfNext(entry.encoded))
        {
            return entry.id;
        }
        final byte[] encoded = in.peekRaw(span);
        final ServerId id = decoder.apply(in);
        slots[slot] = new Entry(encoded, id);
        return id;
    }

    private static int spread(final int hash)
    {
        return hash ^ (hash >>> 16);
    }
}
