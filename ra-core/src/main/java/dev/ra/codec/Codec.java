package dev.ra.codec;

/**
 * Encodes and decodes values of one type to and from bytes, for the log, snapshots and the network.
 *
 * <p>Implementations must be stateless and thread-safe, and {@code decode(encode(x))} must equal {@code x}. Decoding
 * untrusted bytes must fail with {@link CodecException}, never with another runtime exception or by allocating
 * memory the input does not justify: {@link BufferReader} bounds-checks every read to help with that.
 *
 * @param <T> the type encoded.
 */
public interface Codec<T>
{
    /**
     * Append the encoding of a value.
     *
     * @param value to encode.
     * @param out   to append to.
     */
    void encode(T value, BufferWriter out);

    /**
     * Read one value.
     *
     * @param in to read from.
     * @return the value.
     * @throws CodecException if the bytes do not encode a value of this codec.
     */
    T decode(BufferReader in);

    /**
     * Encode to a fresh byte array.
     *
     * @param value to encode.
     * @return the bytes.
     */
    default byte[] toBytes(final T value)
    {
        return ScratchWriters.encode(this, value);
    }

    /**
     * Decode a whole byte array, which must hold exactly one value.
     *
     * @param bytes to decode.
     * @return the value.
     * @throws CodecException if the bytes do not hold exactly one value.
     */
    default T fromBytes(final byte[] bytes)
    {
        final BufferReader in = new BufferReader(bytes);
        final T value = decode(in);
        if (in.remaining() != 0)
        {
            throw new CodecException(in.remaining() + " trailing bytes after a value");
        }
        return value;
    }
}
