package dev.ra.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string with value equality, for records that carry encoded data (a {@code byte[]} component
 * would compare by identity).
 */
public final class Bytes
{
    /** The empty byte string. */
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] data;

    private Bytes(final byte[] data)
    {
        this.data = data;
    }

    /**
     * Wrap an array the caller promises never to modify again (no copy).
     *
     * @param data to wrap.
     * @return the byte string.
     */
    public static Bytes wrap(final byte[] data)
    {
        Objects.requireNonNull(data, "data");
        return data.length == 0 ? EMPTY : new Bytes(data);
    }

    /**
     * Copy part of an array.
     *
     * @param data   to copy from.
     * @param offset of the first byte.
     * @param length number of bytes.
     * @return the byte string.
     */
    public static Bytes copyOf(final byte[] data, final int offset, final int length)
    {
        return wrap(Arrays.copyOfRange(data, offset, offset + length));
    }

    /**
     * @return the number of bytes.
     */
    public int length()
    {
        return data.length;
    }

    /**
     * @param index of the byte.
     * @return the byte at index.
     */
    public byte byteAt(final int index)
    {
        return data[index];
    }

    /**
     * The backing array, which the caller MUST NOT modify; for encoders that copy it out.
     *
     * @return the backing array.
     */
    public byte[] unsafeArray()
    {
        return data;
    }

    /**
     * @return a copy of the bytes.
     */
    public byte[] toByteArray()
    {
        return data.clone();
    }

    /**
     * @param offset of the first byte.
     * @param length number of bytes.
     * @return a copy of a range.
     */
    public Bytes slice(final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, data.length);
        return copyOf(data, offset, length);
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o || (o instanceof Bytes other && Arrays.equals(data, other.data));
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString()
    {
        return data.length <= 32 ? "0x" + HexFormat.of().formatHex(data) :
            "0x" + HexFormat.of().formatHex(data, 0, 32) + "...(" + data.length + " bytes)";
    }
}
