package dev.ra.protocol;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;

/**
 * A machine command in the log, held as the decoded object, its encoding, or both.
 *
 * <p>The leader receives the object from its caller; followers and the disk need the bytes. Each form is computed
 * once, on demand, and then cached, so a command is encoded at most once per node and an in-JVM follower can share
 * the leader's object. Commands are treated as immutable, which is what makes sharing safe. Equality is by encoding
 * when both sides have one, else by object.
 */
public final class UserCommand implements EntryPayload
{
    private volatile Object value;
    private volatile Bytes data;

    private UserCommand(final Object value, final Bytes data)
    {
        this.value = value;
        this.data = data;
    }

    /**
     * @param value the decoded command.
     * @return a command not yet encoded.
     */
    public static UserCommand ofValue(final Object value)
    {
        return new UserCommand(java.util.Objects.requireNonNull(value, "value"), null);
    }

    /**
     * @param data the encoded command.
     * @return a command not yet decoded.
     */
    public static UserCommand ofData(final Bytes data)
    {
        return new UserCommand(null, java.util.Objects.requireNonNull(data, "data"));
    }

    /**
     * @param value the decoded command.
     * @param data  its encoding.
     * @return a command with both forms.
     */
    public static UserCommand of(final Object value, final Bytes data)
    {
        return new UserCommand(value, data);
    }

    /**
     * The decoded command, decoding once if needed.
     *
     * @param codec of the machine's commands.
     * @return the command.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object value(final Codec codec)
    {
        Object v = value;
        if (null == v)
        {
            final Bytes d = data;
            v = codec.decode(new BufferReader(d.unsafeArray()));
            value = v;
        }
        return v;
    }

    /**
     * What a codec decodes from the encoding, whatever object the command holds: the caller's object, or one decoded
     * with another codec, is not what every codec makes of the bytes. Not cached.
     *
     * @param codec of the machine's commands.
     * @return the command as that codec decodes it.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object decodedWith(final Codec codec)
    {
        return codec.decode(new BufferReader(data(codec).unsafeArray()));
    }

    /**
     * The encoding, encoding once if needed.
     *
     * @param codec of the machine's commands.
     * @return the encoded command.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Bytes data(final Codec codec)
    {
        Bytes d = data;
        if (null == d)
        {
            final BufferWriter out = new BufferWriter(64);
            codec.encode(value, out);
            d = out.toBytes();
            data = d;
        }
        return d;
    }

    /**
     * @return the encoding if already known, else null.
     */
    public Bytes dataIfEncoded()
    {
        return data;
    }

    /**
     * @return the decoded command if already known, else null.
     */
    public Object valueIfDecoded()
    {
        return value;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof UserCommand other))
        {
            return false;
        }
        final Bytes d = data;
        final Bytes od = other.data;
        if (null != d && null != od)
        {
            return d.equals(od);
        }
        final Object v = value;
        return null != v && v.equals(other.value);
    }

    @Override
    public int hashCode()
    {
        return 1;
    }

    @Override
    public String toString()
    {
        final Object v = value;
        return "UserCommand[" + (null != v ? v : data) + "]";
    }
}
