package dev.ra.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Ready-made codecs for common types.
 */
public final class Codecs
{
    /**
     * The most elements a decoder makes room for before it has decoded them: a count is only a claim of the input
     * until the elements are there, and presizing for it at every level of a nested value let a few KiB claim many
     * MiB. Beyond this the collection grows as elements arrive.
     */
    static final int MAX_PRESIZED = 1024;
    /** The most characters of a decoded value an error quotes: the value is the input's and may be of any size. */
    private static final int MAX_SHOWN = 200;

    private static final Codec<String> STRING = new Codec<>()
    {
        @Override
        public void encode(final String value, final BufferWriter out)
        {
            out.writeString(value);
        }

        @Override
        public String decode(final BufferReader in)
        {
            return in.readString();
        }
    };

    private static final Codec<Long> LONG = new Codec<>()
    {
        @Override
        public void encode(final Long value, final BufferWriter out)
        {
            out.writeLong(value);
        }

        @Override
        public Long decode(final BufferReader in)
        {
            return in.readLong();
        }
    };

    private static final Codec<Integer> INT = new Codec<>()
    {
        @Override
        public void encode(final Integer value, final BufferWriter out)
        {
            out.writeInt(value);
        }

        @Override
        public Integer decode(final BufferReader in)
        {
            return in.readInt();
        }
    };

    private static final Codec<byte[]> BYTE_ARRAY = new Codec<>()
    {
        @Override
        public void encode(final byte[] value, final BufferWriter out)
        {
            out.writeByteArray(value);
        }

        @Override
        public byte[] decode(final BufferReader in)
        {
            return in.readByteArray();
        }
    };

    private Codecs()
    {
    }

    /**
     * @param count of elements an input claims.
     * @return the capacity to give a list for them before decoding any.
     */
    static int presized(final int count)
    {
        return Math.min(count, MAX_PRESIZED);
    }

    /**
     * @param count of elements (or entries) an input claims.
     * @return the capacity to give a hash set (or map) for them before decoding any.
     */
    static int presizedHash(final int count)
    {
        return Math.max(4, presized(count) * 2);
    }

    /**
     * No valid encoder writes a set with a repeated element or a map with a repeated key (the value it encoded had
     * none): such bytes are damaged or forged, and taking them would give a smaller set, or a map keeping one of two
     * values, silently.
     *
     * @param what     "set element" or "map key".
     * @param index    of the element or entry, from 0.
     * @param count    of elements or entries the input claims.
     * @param repeated the element or key.
     * @return the failure naming it.
     */
    static CodecException repeated(final String what, final int index, final int count, final Object repeated)
    {
        final String shown = String.valueOf(repeated);
        return new CodecException(what + " " + (index + 1) + " of " + count + " repeats an earlier one: " +
            (shown.length() > MAX_SHOWN ? shown.substring(0, MAX_SHOWN) + "..." : shown) +
            "; no valid encoder writes a duplicate, so the bytes are damaged");
    }

    /**
     * @return a UTF-8 string codec.
     */
    public static Codec<String> string()
    {
        return STRING;
    }

    /**
     * @return an 8-byte long codec.
     */
    public static Codec<Long> int64()
    {
        return LONG;
    }

    /**
     * @return a 4-byte int codec.
     */
    public static Codec<Integer> int32()
    {
        return INT;
    }

    /**
     * @return a length-prefixed byte array codec.
     */
    public static Codec<byte[]> byteArray()
    {
        return BYTE_ARRAY;
    }

    /**
     * A self-describing codec for null, {@link Boolean}, {@link Byte}, {@link Short}, {@link Integer}, {@link Long},
     * {@link Float}, {@link Double}, {@link Character}, {@link String}, {@code byte[]}, {@link Bytes}, lists, sets and
     * maps (insertion order kept; bytes repeating an element or key are refused), {@link dev.ra.ProcessRef},
     * {@link dev.ra.ServerId}, enums and records whose components are themselves supported. Enums and records are
     * written with their class name and found again by name on decode, so both sides need the class on their class
     * path. Any enum or record class on the class path
     * that the bytes name is initialised and constructed: {@link #generic(Class[])} limits them to a machine's types.
     *
     * <p>The runtime decodes with it only what its APIs accept of any type, for a live process of the receiving node:
     * a message sent with {@code RaSystem.send} (or by a machine that node does not know) and a command's
     * correlation. Its own values (stored server configurations, its replies, the replies of a cluster the node does
     * not know) it reads as plain values, with {@code generic(new Class<?>[0])}.
     *
     * @return the generic codec.
     */
    public static Codec<Object> generic()
    {
        return GenericCodec.INSTANCE;
    }

    /**
     * The {@link #generic() generic codec}, limited to the enum and record types a machine declares: the given types
     * and those reachable from them (the permitted subclasses of a sealed interface or class, the component types of a
     * record with their type arguments, array element types). It refuses to encode any other enum or record, and
     * bytes that name one, from a damaged frame or another node, fail with a {@link CodecException} naming the class
     * before it is loaded, so no class initialiser or record constructor outside the declared types is ever run. The
     * encoding is the generic codec's: either reads what the other writes within the declared types. Given an empty
     * array it carries plain values only (numbers, strings, collections, ids).
     *
     * <p>Make it once (a {@code static final} field) and return that from the machine's codec methods, which the
     * runtime asks for with every command: each call of this method walks the types again. A machine switching an
     * existing codec to this one must keep every type its log and snapshots hold reachable (docs/UPGRADES.md,
     * "Machine versions").
     *
     * @param types the enum, record and sealed types the codec declares.
     * @return the limited generic codec.
     */
    public static Codec<Object> generic(final Class<?>... types)
    {
        return GenericCodec.declaring(types);
    }

    /**
     * One value of the {@link #generic() generic codec} as the bytes it was written as, for a node that only passes
     * the value on (the runtime's correlations, which a leader's node sends back to the caller's): decoding reads the
     * value's extent and checks its form without building it, so no enum or record class the bytes name is
     * initialised or constructed (a record's class is loaded, uninitialised, to count its components, which the
     * encoding does not hold); encoding writes the bytes as they are, the same bytes the generic codec wrote.
     *
     * @return the codec of encoded generic values.
     */
    public static Codec<Bytes> genericEncoded()
    {
        return GenericEncoded.INSTANCE;
    }

    /**
     * A codec that refuses, encoding or decoding, the values an older version of a machine does not have: what a
     * machine's {@code machineFor(older)} returns as that version's command codec when a newer version added commands.
     * A leader whose cluster is still at the older version checks every command with it, so such a command is refused
     * to its caller (an {@link dev.ra.InvalidCommandException}) instead of reaching a log that members of the older
     * build cannot decode (docs/UPGRADES.md, "Evolving commands").
     *
     * @param codec   the codec of the values it takes.
     * @param refused which values the older version lacks.
     * @param why     the refusal's message: name the values and the version they need.
     * @param <T>     the value type.
     * @return the refusing codec.
     */
    public static <T> Codec<T> refusing(final Codec<T> codec, final Predicate<? super T> refused, final String why)
    {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(refused, "refused");
        Objects.requireNonNull(why, "why");
        return new Codec<>()
        {
            @Override
            public void encode(final T value, final BufferWriter out)
            {
                if (refused.test(value))
                {
                    throw new CodecException(why);
                }
                codec.encode(value, out);
            }

            @Override
            public T decode(final BufferReader in)
            {
                final T value = codec.decode(in);
                if (refused.test(value))
                {
                    throw new CodecException(why);
                }
                return value;
            }
        };
    }

    /**
     * A list whose elements use another codec.
     *
     * @param element codec of the elements.
     * @param <T>     element type.
     * @return the list codec.
     */
    public static <T> Codec<List<T>> listOf(final Codec<T> element)
    {
        return new Codec<>()
        {
            @Override
            public void encode(final List<T> value, final BufferWriter out)
            {
                out.writeVarLong(value.size());
                for (final T t : value)
                {
                    element.encode(t, out);
                }
            }

            @Override
            public List<T> decode(final BufferReader in)
            {
                final int count = in.readCount(1);
                final List<T> list = new ArrayList<>(presized(count));
                for (int i = 0; i < count; i++)
                {
                    list.add(element.decode(in));
                }
                return list;
            }
        };
    }

    /**
     * A map whose keys and values use other codecs; decodes to a map that keeps the encoded order, and refuses bytes
     * that repeat a key.
     *
     * @param key   codec of the keys.
     * @param value codec of the values.
     * @param <K>   key type.
     * @param <V>   value type.
     * @return the map codec.
     */
    public static <K, V> Codec<Map<K, V>> mapOf(final Codec<K> key, final Codec<V> value)
    {
        return new Codec<>()
        {
            @Override
            public void encode(final Map<K, V> map, final BufferWriter out)
            {
                out.writeVarLong(map.size());
                for (final Map.Entry<K, V> e : map.entrySet())
                {
                    key.encode(e.getKey(), out);
                    value.encode(e.getValue(), out);
                }
            }

            @Override
            public Map<K, V> decode(final BufferReader in)
            {
                final int count = in.readCount(2);
                final Map<K, V> map = new java.util.LinkedHashMap<>(presizedHash(count));
                for (int i = 0; i < count; i++)
                {
                    final K k = key.decode(in);
                    if (map.containsKey(k))
                    {
                        throw repeated("map key", i, count, k);
                    }
                    map.put(k, value.decode(in));
                }
                return map;
            }
        };
    }
}
