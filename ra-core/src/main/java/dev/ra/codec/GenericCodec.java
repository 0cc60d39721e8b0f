package dev.ra.codec;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tagged, self-describing codec behind {@link Codecs#generic()}.
 */
final class GenericCodec implements Codec<Object>
{
    static final GenericCodec INSTANCE = new GenericCodec(null);

    static final int MAX_DEPTH = 64;

    static final int NULL = 0;
    static final int FALSE = 1;
    static final int TRUE = 2;
    static final int INT = 3;
    static final int LONG = 4;
    static final int DOUBLE = 5;
    static final int STRING = 6;
    static final int BYTE_ARRAY = 7;
    static final int BYTES = 8;
    static final int LIST = 9;
    static final int SET = 10;
    static final int MAP = 11;
    static final int PROCESS_REF = 12;
    static final int SERVER_ID = 13;
    static final int ENUM = 14;
    static final int RECORD = 15;
    static final int BYTE = 16;
    static final int SHORT = 17;
    static final int FLOAT = 18;
    static final int CHAR = 19;

    /**
     * Said with a record that does not decode: the likely cause is a class that changed, as a record is written with
     * no count of its components (so the format stays what it was).
     */
    private static final String RECORD_SHAPE_HINT = "if the bytes were written by a version of the class with " +
        "another number of components (or in another order), they cannot be read: the generic codec writes a " +
        "record's components with no count (docs/UPGRADES.md, \"Evolving commands\")";

    private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();
    private final Map<Class<?>, RecordShape> shapes = new ConcurrentHashMap<>();
    /** The names of the enum and record classes this codec may encode and decode, or null for any. */
    private final Set<String> declared;

    private GenericCodec(final Set<String> declared)
    {
        this.declared = declared;
    }

    /**
     * @param types the codec declares: they and the enum and record types reachable from them.
     * @return a codec that names no other enum or record class, nor loads one named by the bytes.
     */
    static GenericCodec declaring(final Class<?>... types)
    {
        return new GenericCodec(DeclaredTypes.reachableFrom(types));
    }

    /**
     * Checked before a class named by the bytes is loaded, so that bytes from another node cannot have any enum or
     * record of the class path initialised or constructed; and on encode, so that what one member writes every other
     * can read.
     */
    private void checkDeclared(final String className)
    {
        if (null != declared && !declared.contains(className))
        {
            throw new CodecException(className + " is not among the enum and record types this codec declares " +
                declared + "; declare it (or a sealed type or record that holds it) to Codecs.generic(...)");
        }
    }

    @Override
    public void encode(final Object value, final BufferWriter out)
    {
        encode(value, out, 0);
    }

    @Override
    public Object decode(final BufferReader in)
    {
        return decode(in, 0);
    }

    @Override
    public Object fromBytes(final byte[] bytes)
    {
        final BufferReader in = new BufferReader(bytes);
        final Object value = decode(in, 0);
        if (in.remaining() != 0)
        {
            final boolean mayHoldRecords = value instanceof Record || value instanceof java.util.Collection ||
                value instanceof Map;
            throw new CodecException(in.remaining() + " trailing bytes after a " +
                (null == value ? "null" : value.getClass().getName()) + (mayHoldRecords ? "; if it holds records, a " +
                "record class may have fewer components here than the class that wrote the bytes: the generic codec " +
                "writes a record's components with no count (docs/UPGRADES.md, \"Evolving commands\")" : ""));
        }
        return value;
    }

    private void encode(final Object value, final BufferWriter out, final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw new CodecException("value nested deeper than " + MAX_DEPTH);
        }
        if (null == value)
        {
            out.writeByte(NULL);
        }
        else if (value instanceof Boolean b)
        {
            out.writeByte(b ? TRUE : FALSE);
        }
        else if (value instanceof Integer i)
        {
            out.writeByte(INT).writeInt(i);
        }
        else if (value instanceof Long l)
        {
            out.writeByte(LONG).writeLong(l);
        }
        else if (value instanceof Double d)
        {
            out.writeByte(DOUBLE).writeDouble(d);
        }
        else if (value instanceof String s)
        {
            out.writeByte(STRING).writeString(s);
        }
        else if (value instanceof byte[] a)
        {
            out.writeByte(BYTE_ARRAY).writeByteArray(a);
        }
        else if (value instanceof Bytes b)
        {
            out.writeByte(BYTES).writeBytes(b);
        }
        else if (value instanceof List<?> list)
        {
            out.writeByte(LIST).writeVarLong(list.size());
            for (final Object o : list)
            {
                encode(o, out, depth + 1);
            }
        }
        else if (value instanceof Set<?> set)
        {
            out.writeByte(SET).writeVarLong(set.size());
            for (final Object o : set)
            {
                encode(o, out, depth + 1);
            }
        }
        else if (value instanceof Map<?, ?> map)
        {
            out.writeByte(MAP).writeVarLong(map.size());
            for (final Map.Entry<?, ?> e : map.entrySet())
            {
                encode(e.getKey(), out, depth + 1);
                encode(e.getValue(), out, depth + 1);
            }
        }
        else if (value instanceof ProcessRef p)
        {
            out.writeByte(PROCESS_REF).writeString(p.node()).writeLong(p.id());
        }
        else if (value instanceof ServerId s)
        {
            out.writeByte(SERVER_ID).writeString(s.name()).writeString(s.node());
        }
        else if (value instanceof Enum<?> e)
        {
            checkDeclared(e.getDeclaringClass().getName());
            out.writeByte(ENUM).writeString(e.getDeclaringClass().getName()).writeString(e.name());
        }
        else if (value instanceof Record r)
        {
            checkDeclared(r.getClass().getName());
            final RecordShape shape = shape(r.getClass());
            out.writeByte(RECORD).writeString(r.getClass().getName());
            for (final RecordComponent c : shape.components)
            {
                encode(shape.read(c, r), out, depth + 1);
            }
        }
        else if (value instanceof Byte b)
        {
            out.writeByte(BYTE).writeByte(b);
        }
        else if (value instanceof Short s)
        {
            out.writeByte(SHORT).writeInt(s);
        }
        else if (value instanceof Float f)
        {
            out.writeByte(FLOAT).writeInt(Float.floatToRawIntBits(f));
        }
        else if (value instanceof Character c)
        {
            out.writeByte(CHAR).writeInt(c);
        }
        else
        {
            throw new CodecException("the generic codec cannot encode " + value.getClass().getName() +
                "; give the machine a codec for it");
        }
    }

    private Object decode(final BufferReader in, final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw new CodecException("value nested deeper than " + MAX_DEPTH);
        }
        final int tag = in.readUnsignedByte();
        switch (tag)
        {
            case NULL:
                return null;
            case FALSE:
                return Boolean.FALSE;
            case TRUE:
                return Boolean.TRUE;
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case DOUBLE:
                return in.readDouble();
            case STRING:
                return in.readString();
            case BYTE_ARRAY:
                return in.readByteArray();
            case BYTES:
                return in.readBytes();
            case LIST:
            {
                final int count = in.readCount(1);
                final List<Object> list = new ArrayList<>(Codecs.presized(count));
                for (int i = 0; i < count; i++)
                {
                    list.add(decode(in, depth + 1));
                }
                return Collections.unmodifiableList(list);
            }
            case SET:
            {
                final int count = in.readCount(1);
                final Set<Object> set = new LinkedHashSet<>(Codecs.presizedHash(count));
                for (int i = 0; i < count; i++)
                {
                    final Object element = decode(in, depth + 1);
                    if (!set.add(element))
                    {
                        throw Codecs.repeated("set element", i, count, element);
                    }
                }
                return Collections.unmodifiableSet(set);
            }
            case MAP:
            {
                final int count = in.readCount(2);
                final Map<Object, Object> map = new LinkedHashMap<>(Codecs.presizedHash(count));
                for (int i = 0; i < count; i++)
                {
                    final Object k = decode(in, depth + 1);
                    if (map.containsKey(k))
                    {
                        throw Codecs.repeated("map key", i, count, k);
                    }
                    map.put(k, decode(in, depth + 1));
                }
                return Collections.unmodifiableMap(map);
            }
            case PROCESS_REF:
                return wrapInvalid(() -> new ProcessRef(in.readString(), in.readLong()));
            case SERVER_ID:
                return wrapInvalid(() -> new ServerId(in.readString(), in.readString()));
            case ENUM:
                return decodeEnum(in.readString(), in.readString());
            case RECORD:
                return decodeRecord(in, depth);
            case BYTE:
                return (byte)in.readUnsignedByte();
            case SHORT:
                return (short)inRange(in.readInt(), Short.MIN_VALUE, Short.MAX_VALUE, "Short");
            case FLOAT:
                return Float.intBitsToFloat(in.readInt());
            case CHAR:
                return (char)inRange(in.readInt(), Character.MIN_VALUE, Character.MAX_VALUE, "Character");
            default:
                throw new CodecException("unknown generic codec tag " + tag);
        }
    }

    /**
     * A Short or Character is written as an int: one out of its range is damaged or forged, and a cast would read it
     * silently as another value.
     */
    static int inRange(final int value, final int min, final int max, final String type)
    {
        if (value < min || value > max)
        {
            throw new CodecException("a " + type + " of " + value + " is out of its range");
        }
        return value;
    }

    private static Object wrapInvalid(final java.util.function.Supplier<Object> constructor)
    {
        try
        {
            return constructor.get();
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new CodecException("invalid value: " + ex.getMessage(), ex);
        }
    }

    private Object decodeEnum(final String className, final String constant)
    {
        checkDeclared(className);
        final Class<?> type = load(className);
        if (!type.isEnum())
        {
            throw new CodecException(className + " is not an enum");
        }
        final Object[] constants;
        try
        {
            constants = type.getEnumConstants();
        }
        catch (final LinkageError ex)
        {
            // Asking for the constants initialises the class the bytes named; one that cannot be initialised here
            // (ExceptionInInitializerError, then NoClassDefFoundError) is undecodable input, not an Error for the
            // thread that received it.
            throw new CodecException("enum " + className + " cannot be initialised: " + ex, ex);
        }
        if (null == constants)
        {
            throw new CodecException("enum " + className + " has no constants");
        }
        for (final Object c : constants)
        {
            if (((Enum<?>)c).name().equals(constant))
            {
                return c;
            }
        }
        throw new CodecException("enum " + className + " has no constant " + constant);
    }

    private Object decodeRecord(final BufferReader in, final int depth)
    {
        final String className = in.readString();
        checkDeclared(className);
        final Class<?> type = load(className);
        if (!type.isRecord())
        {
            throw new CodecException(type.getName() + " is not a record");
        }
        final RecordShape shape = shape(type);
        final Object[] args = new Object[shape.components.length];
        for (int i = 0; i < args.length; i++)
        {
            try
            {
                args[i] = decode(in, depth + 1);
            }
            catch (final CodecException ex)
            {
                // The innermost record that failed says it best.
                throw null != ex.getMessage() && ex.getMessage().contains(RECORD_SHAPE_HINT) ? ex :
                    new CodecException(shape.describe(i) + " cannot be decoded: " + ex.getMessage() + "; " +
                        RECORD_SHAPE_HINT, ex);
            }
            if (null == args[i] ? shape.components[i].getType().isPrimitive() : !shape.boxed[i].isInstance(args[i]))
            {
                throw new CodecException(shape.describe(i) + " is a " + shape.components[i].getType().getName() +
                    " but the bytes hold a " + (null == args[i] ? "null" : args[i].getClass().getName()) + "; " +
                    RECORD_SHAPE_HINT);
            }
        }
        return shape.create(args);
    }

    private Class<?> load(final String className)
    {
        final Class<?> cached = classes.get(className);
        if (null != cached)
        {
            return cached;
        }
        try
        {
            final ClassLoader loader = Thread.currentThread().getContextClassLoader();
            final Class<?> type = Class.forName(className, false,
                null != loader ? loader : GenericCodec.class.getClassLoader());
            if (type.isEnum() || type.isRecord())
            {
                classes.put(className, type);
            }
            return type;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new CodecException("class not found: " + className, ex);
        }
    }

    private RecordShape shape(final Class<?> type)
    {
        return shapes.computeIfAbsent(type, RecordShape::new);
    }

    /**
     * The reflective view of one record class, cached so encoding does no repeated lookups.
     */
    private static final class RecordShape
    {
        final RecordComponent[] components;
        /** The components' types, primitives boxed: what each decoded value must be. */
        final Class<?>[] boxed;
        final Constructor<?> constructor;

        RecordShape(final Class<?> type)
        {
            try
            {
                components = type.getRecordComponents();
                final Class<?>[] types = new Class<?>[components.length];
                boxed = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++)
                {
                    types[i] = components[i].getType();
                    boxed[i] = MethodType.methodType(types[i]).wrap().returnType();
                    components[i].getAccessor().setAccessible(true);
                }
                constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
            }
            catch (final NoSuchMethodException | RuntimeException | LinkageError ex)
            {
                // The class is named by the bytes: a record of a package its module does not open
                // (InaccessibleObjectException) or whose component types are missing is undecodable input.
                throw new CodecException("record " + type.getName() + " cannot be constructed: " + ex, ex);
            }
        }

        /**
         * @return the component for an error: "record Name: component 2 of 3 (note)".
         */
        String describe(final int index)
        {
            return "record " + constructor.getDeclaringClass().getName() + ": component " + (index + 1) + " of " +
                components.length + " (" + components[index].getName() + ")";
        }

        Object read(final RecordComponent component, final Object record)
        {
            try
            {
                return component.getAccessor().invoke(record);
            }
            catch (final IllegalAccessException | InvocationTargetException ex)
            {
                throw new CodecException("cannot read " + component.getName(), ex);
            }
        }

        Object create(final Object[] args)
        {
            try
            {
                return constructor.newInstance(args);
            }
            catch (final InvocationTargetException ex)
            {
                throw new CodecException("record rejected its components: " + ex.getCause(), ex.getCause());
            }
            catch (final IllegalArgumentException | InstantiationException | IllegalAccessException ex)
            {
                throw new CodecException("cannot build record: " + ex, ex);
            }
            catch (final LinkageError ex)
            {
                // Building the first one initialises the class; one that cannot be initialised here is undecodable.
                throw new CodecException("record " + constructor.getDeclaringClass().getName() +
                    " cannot be initialised: " + ex, ex);
            }
        }
    }
}
