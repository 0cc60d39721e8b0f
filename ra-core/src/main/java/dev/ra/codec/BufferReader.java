package dev.ra.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounds-checked big-endian reader over a byte array, for decoders of untrusted input: every read past the end,
 * and every length that exceeds what remains, fails with {@link CodecException}. Not thread safe.
 */
public final class BufferReader
{
    private final byte[] buffer;
    private final int limit;
    private int position;

    /**
     * @param buffer to read all of.
     */
    public BufferReader(final byte[] buffer)
    {
        this(buffer, 0, buffer.length);
    }

    /**
     * @param buffer to read from.
     * @param offset of the first byte.
     * @param length number of readable bytes.
     */
    public BufferReader(final byte[] buffer, final int offset, final int length)
    {
        // Summed as longs: an int sum near Integer.MAX_VALUE overflows, passes, and leaves a limit past the array.
        if (offset < 0 || length < 0 || (long)offset + length > buffer.length)
        {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside " + buffer.length);
        }
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
    }

    /**
     * @return bytes left to read.
     */
    public int remaining()
    {
        return limit - position;
    }

    /**
     * @return the current position in the backing array.
     */
    public int position()
    {
        return position;
    }

    private void need(final long count)
    {
        if (count < 0 || count > limit - position)
        {
            throw new CodecException("truncated input: need " + count + " bytes, " + (limit - position) + " left");
        }
    }

    /**
     * @return the next byte, unsigned.
     */
    public int readUnsignedByte()
    {
        need(1);
        return buffer[position++] & 0xFF;
    }

    /**
     * @return the next byte as a boolean; anything but 0 or 1 is an error.
     */
    public boolean readBoolean()
    {
        final int b = readUnsignedByte();
        if (b > 1)
        {
            throw new CodecException("invalid boolean byte " + b);
        }
        return b == 1;
    }

    /**
     * @return the next 4-byte int.
     */
    public int readInt()
    {
        need(4);
        final int v = ((buffer[position] & 0xFF) << 24) | ((buffer[position + 1] & 0xFF) << 16) |
            ((buffer[position + 2] & 0xFF) << 8) | (buffer[position + 3] & 0xFF);
        position += 4;
        return v;
    }

    /**
     * @return the next 8-byte long.
     */
    public long readLong()
    {
        final long high = readInt() & 0xFFFFFFFFL;
        final long low = readInt() & 0xFFFFFFFFL;
        return (high << 32) | low;
    }

    /**
     * @return the next 8-byte double.
     */
    public double readDouble()
    {
        return Double.longBitsToDouble(readLong());
    }

    /**
     * @return the next unsigned variable-length long.
     */
    public long readVarLong()
    {
        final int start = position;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            final int b = readUnsignedByte();
            // The tenth byte holds bit 63 only: more bits would be dropped, and another value read than was meant.
            if (63 == shift && b > 1)
            {
                throw new CodecException("variable-length number at position " + start + " has more than 64 bits");
            }
            result |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                // The writer never ends with an empty byte: one that does is padded, so damaged or forged input.
                if (0 == b && shift > 0)
                {
                    throw new CodecException("variable-length number at position " + start +
                        " is not in its shortest encoding");
                }
                return result;
            }
        }
        throw new CodecException("variable-length number at position " + start + " longer than 10 bytes");
    }

    /**
     * Read a length written by {@link BufferWriter#writeVarLong} that must fit in what remains.
     *
     * @return the length.
     */
    public int readLength()
    {
        final long length = readVarLong();
        if (length < 0 || length > remaining())
        {
            throw new CodecException("length " + length + " exceeds the " + remaining() + " bytes left");
        }
        return (int)length;
    }

    /**
     * Read a count of items, each taking at least {@code minBytesPerItem} bytes, so that a forged count cannot make
     * the decoder allocate more than the input justifies.
     *
     * @param minBytesPerItem lower bound on the encoded size of one item (at least 1).
     * @return the count.
     */
    public int readCount(final int minBytesPerItem)
    {
        final long count = readVarLong();
        // Divided, not multiplied: a forged count times the item size can overflow to a small number and pass.
        if (count < 0 || count > remaining() / Math.max(1, minBytesPerItem))
        {
            throw new CodecException("count " + count + " impossible with " + remaining() + " bytes left");
        }
        return (int)count;
    }

    /**
     * @return the next length-prefixed byte array.
     */
    public byte[] readByteArray()
    {
        final int length = readLength();
        final byte[] out = Arrays.copyOfRange(buffer, position, position + length);
        position += length;
        return out;
    }

    /**
     * @return the next length-prefixed byte string.
     */
    public Bytes readBytes()
    {
        return Bytes.wrap(readByteArray());
    }

    /**
     * @param length number of raw bytes to read.
     * @return a copy of them.
     */
    public byte[] readRaw(final int length)
    {
        need(length);
        final byte[] out = Arrays.copyOfRange(buffer, position, position + length);
        position += length;
        return out;
    }

    /**
     * @param start a position this reader has read from (at or before its position).
     * @return a copy of the bytes from there to its position: what a reader that skipped a value has read.
     */
    byte[] readSince(final int start)
    {
        if (start > position || start < 0)
        {
            throw new IllegalArgumentException("start " + start + " is not before position " + position);
        }
        return Arrays.copyOfRange(buffer, start, position);
    }

    /**
     * @return the next length-prefixed UTF-8 string.
     */
    public String readString()
    {
        final int length = readLength();
        final String s = decodeUtf8(position, length);
        position += length;
        return s;
    }

    /**
     * {@code new String(bytes, UTF_8)} replaces what is not UTF-8 with U+FFFD, so different bytes would decode to
     * equal strings and the damage go unnoticed; no valid encoder writes such bytes, so they fail instead. The JDK's
     * decoding (with its fast path for ASCII) runs first; only a string holding U+FFFD, rare, is decoded again
     * strictly, to tell one the encoder wrote from a replacement.
     */
    private String decodeUtf8(final int offset, final int length)
    {
        final String lenient = new String(buffer, offset, length, StandardCharsets.UTF_8);
        if (lenient.indexOf('\uFFFD') < 0)
        {
            return lenient;
        }
        try
        {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(buffer, offset, length)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new CodecException("a string of " + length + " bytes at position " + offset +
                " is not valid UTF-8: " + ex);
        }
    }

    /**
     * How many bytes the next {@code count} length-prefixed fields take, prefixes included, without reading them.
     *
     * @param count number of fields.
     * @return their total size, or -1 if they are malformed or run past the end (reading them would fail).
     */
    public int lengthPrefixedSpan(final int count)
    {
        int at = position;
        for (int i = 0; i < count; i++)
        {
            long length = 0;
            int shift = 0;
            while (true)
            {
                if (at >= limit || shift >= 35)
                {
                    return -1;
                }
                final int b = buffer[at++] & 0xFF;
                length |= (long)(b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }
            if (length > limit - at)
            {
                return -1;
            }
            at += (int)length;
        }
        return at - position;
    }

    /**
     * @param length number of bytes from the position, all of which must remain.
     * @return a hash of them (not reading them).
     */
    public int hashOfNext(final int length)
    {
        need(length);
        int hash = 1;
        for (int i = position, end = position + length; i < end; i++)
        {
            hash = 31 * hash + buffer[i];
        }
        return hash;
    }

    /**
     * Skip the next bytes if they are exactly {@code expected}, and leave the position alone otherwise: lets a decoder
     * recognise an encoding it has decoded before without decoding (or allocating) again.
     *
     * @param expected the bytes to look for.
     * @return whether they were next (and were skipped).
     */
    public boolean skipIfNext(final byte[] expected)
    {
        if (expected.length > limit - position ||
            !Arrays.equals(buffer, position, position + expected.length, expected, 0, expected.length))
        {
            return false;
        }
        position += expected.length;
        return true;
    }

    /**
     * @param length number of bytes from the position, all of which must remain.
     * @return a copy of them; the position does not move.
     */
    public byte[] peekRaw(final int length)
    {
        need(length);
        return Arrays.copyOfRange(buffer, position, position + length);
    }
}
