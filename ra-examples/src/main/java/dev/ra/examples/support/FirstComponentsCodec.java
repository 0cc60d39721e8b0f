package dev.ra.examples.support;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The state codec of an older machine version whose state record had only the first components of today's: it
 * writes and reads exactly what the generic codec wrote for the record as it was (the class name, then the
 * components in order, with no count), so that a snapshot taken while the cluster is still at that version is read
 * by the members of the older build, and their snapshots by this one. The components added since are dropped on the
 * way out, and the older version's logic, which never sets them, gets them from {@code build} on the way in.
 *
 * @param <S> the state record type.
 */
public final class FirstComponentsCodec<S extends Record> implements Codec<S>
{
    private final Codec<Object> generic;
    private final Class<S> type;
    private final RecordComponent[] components;
    private final Function<List<Object>, S> build;
    /** The generic codec's tag of a record, the first byte it writes for one. */
    private final int recordTag;
    private final String what;

    /**
     * Touches nothing of {@code type} but its reflection, so that a machine may build one in its static
     * initialiser even when the state class's own initialiser refers to the machine.
     *
     * @param generic  the machine's generic codec (declared to its types), which the components are written with.
     * @param type     of the state record.
     * @param count    of the first components the older version's record had.
     * @param build    of a state from those components, in order; it may throw a {@link ClassCastException} or an
     *                 {@link IllegalArgumentException} for bytes of another shape.
     * @param version  the older version, for errors.
     */
    public FirstComponentsCodec(final Codec<Object> generic, final Class<S> type, final int count,
        final Function<List<Object>, S> build, final String version)
    {
        this.generic = Objects.requireNonNull(generic, "generic");
        this.type = Objects.requireNonNull(type, "type");
        final RecordComponent[] all = type.getRecordComponents();
        if (count < 1 || count > all.length)
        {
            throw new IllegalArgumentException(type.getName() + " has " + all.length + " components, not " + count);
        }
        this.components = java.util.Arrays.copyOf(all, count);
        this.build = Objects.requireNonNull(build, "build");
        this.recordTag = Codecs.generic().toBytes(new Probe())[0];
        this.what = "a " + type.getSimpleName() + " of " + version;
    }

    /** A record of no component, for the generic codec's record tag. */
    private record Probe()
    {
    }

    @Override
    public void encode(final S state, final BufferWriter out)
    {
        out.writeByte(recordTag).writeString(type.getName());
        for (final RecordComponent component : components)
        {
            try
            {
                generic.encode(component.getAccessor().invoke(state), out);
            }
            catch (final IllegalAccessException | InvocationTargetException ex)
            {
                throw new CodecException(what + ": cannot read component " + component.getName() + ": " + ex, ex);
            }
        }
    }

    @Override
    public S decode(final BufferReader in)
    {
        final int tag = in.readUnsignedByte();
        final String name = in.readString();
        if (tag != recordTag || !type.getName().equals(name))
        {
            throw new CodecException(what + " must be a " + type.getName() + " record, got tag " + tag +
                " and class " + name);
        }
        final List<Object> values = new ArrayList<>(components.length);
        for (int i = 0; i < components.length; i++)
        {
            values.add(generic.decode(in));
        }
        try
        {
            return build.apply(values);
        }
        catch (final ClassCastException | IllegalArgumentException | NullPointerException ex)
        {
            throw new CodecException(what + ": its components do not fit: " + ex.getMessage(), ex);
        }
    }
}
