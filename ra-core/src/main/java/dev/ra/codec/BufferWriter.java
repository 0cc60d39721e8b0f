package dev.ra.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer for encoders. Not thread safe; reuse one per thread with {@link #reset()} to
 * avoid allocating on hot paths.
 */
public final class BufferWriter
{
    private byte[] buffer;
    private int position;

    /**
     * @param initialCapacity in bytes.
     */
    public BufferWriter(final int initialCapacity)
    {
        buffer = new byte[Math.max(16, initialCapacity)];
    }

    /**
     * Forget what was written, keeping the capacity.
     *
     * @return this.
     */
    public BufferWriter reset()
    {
        position = 0;
        return this;
    }

    /**
     * Forget what was written after {@code position}, keeping the capacity: an encoder that fails halfway leaves no
     * partial encoding behind.
     *
     * @param position to go back to, at most the current one.
     * @return this.
     * @throws IllegalArgumentException if {@code position} is negative or beyond what was written.
     */
    public BufferWriter rewind(final int position)
    {
        if (position < 0 || position > this.position)
        {
            throw new IllegalArgumentException("cannot rewind to " + position + " of " + this.position);
        }
        this.position = position;
        return this;
    }

    /**
     * @return the number of bytes written.
     */
    public int position()
    {
        return position;
    }

    /**
     * The backing array; valid bytes are {@code [0, position())}. Invalidated by further writes.
     *
     * @return the backing array.
     */
    public byte[] array()
    {
        return buffer;
    }

    /**
     * @return a copy of the written bytes.
     */
    public byte[] toByteArray()
    {
        return Arrays.copyOf(buffer, position);
    }

    /**
     * @return the written bytes as an immutable byte string.
     */
    public Bytes toBytes()
    {
        return Bytes.wrap(toByteArray());
    }

    private void ensure(final int extra)
    {
        final int needed = position + extra;
        if (needed < 0)
        {
            throw new CodecException("buffer larger than 2 GiB");
        }
        if (needed > buffer.length)
        {
            buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
        }
    }

    /**
     * @param value low 8 bits are written.
     * @return this.
     */
    public BufferWriter writeByte(final int value)
    {
        ensure(1);
        buffer[position++] = (byte)value;
        return this;
    }

    /**
     * @param value to write as one byte.
     * @return this.
     */
    public BufferWriter writeBoolean(final boolean value)
    {
        return writeByte(value ? 1 : 0);
    }

    /**
     * @param value to write in 4 bytes.
     * @return this.
     */
    public BufferWriter writeInt(final int value)
    {
        ensure(4);
        buffer[position] = (byte)(value >>> 24);
        buffer[position + 1] = (byte)(value >>> 16);
        buffer[position + 2] = (byte)(value >>> 8);
        buffer[position + 3] = (byte)value;
        position += 4;
        return this;
    }

    /**
     * Overwrite 4 bytes at an earlier position, e.g. a length prefix reserved before the body was known.
     *
     * @param at    position of the first byte.
     * @param value to write.
     * @return this.
     */
    public BufferWriter putInt(final int at, final int value)
    {
        if (at < 0 || at + 4 > position)
        {
            throw new IndexOutOfBoundsException("putInt at " + at + " outside [0," + position + ")");
        }
        buffer[at] = (byte)(value >>> 24);
        buffer[at + 1] = (byte)(value >>> 16);
        buffer[at + 2] = (byte)(value >>> 8);
        buffer[at + 3] = (byte)value;
        return this;
    }

    /**
     * @param value to write in 8 bytes.
     * @return this.
     */
    public BufferWriter writeLong(final long value)
    {
        writeInt((int)(value >>> 32));
        return writeInt((int)value);
    }

    /**
     * @param value to write as 8 bytes of IEEE 754 bits.
     * @return this.
     */
    public BufferWriter writeDouble(final double value)
    {
        return writeLong(Double.doubleToRawLongBits(value));
    }

    /**
     * Write an unsigned variable-length long (7 bits per byte).
     *
     * @param value to write, treated as unsigned.
     * @return this.
     */
    public BufferWriter writeVarLong(final long value)
    {
        long v = value;
        ensure(10);
        while ((v & ~0x7FL) != 0)
        {
            buffer[position++] = (byte)((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buffer[position++] = (byte)v;
        return this;
    }

    /**
     * @param src    to copy from.
     * @param offset of the first byte.
     * @param length number of bytes.
     * @return this.
     */
    public BufferWriter writeRaw(final byte[] src, final int offset, final int length)
    {
        ensure(length);
        System.arraycopy(src, offset, buffer, position, length);
        position += length;
        return this;
    }

    /**
     * Write a length-prefixed byte array.
     *
     * @param src to write.
     * @return this.
     */
    public BufferWriter writeByteArray(final byte[] src)
    {
        writeVarLong(src.length);
        return writeRaw(src, 0, src.length);
    }

    /**
     * Write a length-prefixed byte string.
     *
     * @param src to write.
     * @return this.
     */
    public BufferWriter writeBytes(final Bytes src)
    {
        return writeByteArray(src.unsafeArray());
    }

    /**
     * Write a length-prefixed UTF-8 string.
     *
     * @param value to write, not null.
     * @return this.
     * @throws CodecException if it holds half of a surrogate pair: UTF-8 cannot carry it, and writing '?' instead
     *     (as {@code String.getBytes} does) would make the decoded value differ from the encoded one; a command so
     *     encoded would be applied as one thing by a leader holding the caller's object and as another by the
     *     members that decode it.
     */
    public BufferWriter writeString(final String value)
    {
        final int length = value.length();
        boolean ascii = true;
        for (int i = 0; i < length; i++)
        {
            if (value.charAt(i) >= 0x80)
            {
                ascii = false;
                break;
            }
        }
        if (ascii)
        {
            writeVarLong(length);
            ensure(length);
            for (int i = 0; i < length; i++)
            {
                buffer[position++] = (byte)value.charAt(i);
            }
            return this;
        }
        requireWellFormed(value);
        return writeByteArray(value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Write a length-prefixed UTF-8 text meant for people (an error message, a reason), where half of a surrogate pair
     * becomes '?' rather than failing the write: the text must reach its reader whatever it quotes.
     *
     * @param value to write, not null.
     * @return this.
     */
    public BufferWriter writeText(final String value)
    {
        return writeString(wellFormed(value));
    }

    /**
     * @param value any string.
     * @return it, or a copy with each half of a surrogate pair replaced by '?' (what UTF-8 encoding writes for one).
     */
    public static String wellFormed(final String value)
    {
        return -1 == brokenSurrogate(value) ? value : new String(value.getBytes(StandardCharsets.UTF_8),
            StandardCharsets.UTF_8);
    }

    private static void requireWellFormed(final String value)
    {
        final int at = brokenSurrogate(value);
        if (at >= 0)
        {
            throw new CodecException("a string holds half of a surrogate pair at index " + at + " (of " +
                value.length() + " characters): UTF-8 cannot carry it");
        }
    }

    /**
     * @param value any string.
     * @return the index of its first half of a surrogate pair without the other half (which UTF-8 cannot carry), or -1.
     */
    public static int brokenSurrogate(final String value)
    {
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                return i;
            }
        }
        return -1;
    }
}
