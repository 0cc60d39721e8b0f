package dev.ra.codec;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The codec behind {@link Codecs#genericEncoded()}: one value of the generic codec kept as the bytes it was written
 * as. A node that only passes such a value on (a correlation it sends back to the caller's node) reads its extent
 * without building it, so bytes from another node cannot make it initialise an enum or construct a record. A record
 * is written with no count of its components, so finding where one ends takes its class: loaded, never initialised,
 * to count its components.
 */
final class GenericEncoded implements Codec<Bytes>
{
    static final GenericEncoded INSTANCE = new GenericEncoded();

    /** The component counts of the record classes seen, by name; only names of record classes get here. */
    private final Map<String, Integer> componentCounts = new ConcurrentHashMap<>();

    private GenericEncoded()
    {
    }

    @Override
    public void encode(final Bytes value, final BufferWriter out)
    {
        out.writeRaw(value.unsafeArray(), 0, value.length());
    }

    @Override
    public Bytes decode(final BufferReader in)
    {
        final int start = in.position();
        skip(in, 0);
        return Bytes.wrap(in.readSince(start));
    }

    private void skip(final BufferReader in, final int depth)
    {
        if (depth > GenericCodec.MAX_DEPTH)
        {
            throw new CodecException("value nested deeper than " + GenericCodec.MAX_DEPTH);
        }
        final int tag = in.readUnsignedByte();
        switch (tag)
        {
            case GenericCodec.NULL, GenericCodec.FALSE, GenericCodec.TRUE:
                break;
            case GenericCodec.INT, GenericCodec.FLOAT:
                in.readInt();
                break;
            case GenericCodec.LONG, GenericCodec.DOUBLE:
                in.readLong();
                break;
            case GenericCodec.STRING:
                in.readString();
                break;
            case GenericCodec.BYTE_ARRAY, GenericCodec.BYTES:
                in.readRaw(in.readLength());
                break;
            case GenericCodec.LIST, GenericCodec.SET:
                skipAll(in, in.readCount(1), depth);
                break;
            case GenericCodec.MAP:
                skipAll(in, 2 * in.readCount(2), depth);
                break;
            case GenericCodec.PROCESS_REF:
                valid(() -> new ProcessRef(in.readString(), in.readLong()));
                break;
            case GenericCodec.SERVER_ID:
                valid(() -> new ServerId(in.readString(), in.readString()));
                break;
            case GenericCodec.ENUM:
                // The class and constant names are all there is: nothing to load.
                in.readString();
                in.readString();
                break;
            case GenericCodec.RECORD:
                skipAll(in, componentCount(in.readString()), depth);
                break;
            case GenericCodec.BYTE:
                in.readUnsignedByte();
                break;
            case GenericCodec.SHORT:
                GenericCodec.inRange(in.readInt(), Short.MIN_VALUE, Short.MAX_VALUE, "Short");
                break;
            case GenericCodec.CHAR:
                GenericCodec.inRange(in.readInt(), Character.MIN_VALUE, Character.MAX_VALUE, "Character");
                break;
            default:
                throw new CodecException("unknown generic codec tag " + tag);
        }
    }

    private void skipAll(final BufferReader in, final int count, final int depth)
    {
        for (int i = 0; i < count; i++)
        {
            skip(in, depth + 1);
        }
    }

    private static void valid(final Runnable constructor)
    {
        try
        {
            constructor.run();
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new CodecException("invalid value: " + ex.getMessage(), ex);
        }
    }

    private int componentCount(final String className)
    {
        final Integer cached = componentCounts.get(className);
        if (null != cached)
        {
            return cached;
        }
        final int count;
        try
        {
            final ClassLoader loader = Thread.currentThread().getContextClassLoader();
            // Loaded without initialising: counting components runs none of the class's code.
            final Class<?> type = Class.forName(className, false,
                null != loader ? loader : GenericEncoded.class.getClassLoader());
            if (!type.isRecord())
            {
                throw new CodecException(className + " is not a record");
            }
            count = type.getRecordComponents().length;
        }
        catch (final ClassNotFoundException | LinkageError | SecurityException ex)
        {
            throw new CodecException("record class not found: " + className + " (its components cannot be counted " +
                "without it)", ex);
        }
        componentCounts.put(className, count);
        return count;
    }
}
