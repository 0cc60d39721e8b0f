package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.protocol.EncodedCorrelation;

/**
 * The correlations of pipelined commands in frames: values of the caller's, in the generic codec. A command's, which
 * the leader's node only sends back with the command's notice, is read as its bytes ({@link EncodedCorrelation}),
 * so that bytes from another node cannot have this node initialise or construct any class they name, and written
 * back as they came; a notice's is the value for the caller's process. One that does not decode costs its message
 * only, not the connection ({@link UndecodableCorrelationException#onlyTheCorrelation}).
 */
final class WireCorrelations
{
    private static final Codec<Object> GENERIC = Codecs.generic();
    private static final Codec<Bytes> ENCODED = Codecs.genericEncoded();
    /** The generic codec's null: a command without a correlation. */
    private static final Bytes NULL = Bytes.wrap(GENERIC.toBytes(null));

    private WireCorrelations()
    {
    }

    /**
     * @param correlation a value, or one read as bytes (written again as they were).
     * @param out         to write to.
     */
    static void encode(final Object correlation, final BufferWriter out)
    {
        if (correlation instanceof EncodedCorrelation encoded)
        {
            ENCODED.encode(encoded.encoded(), out);
        }
        else
        {
            GENERIC.encode(correlation, out);
        }
    }

    /**
     * @param in positioned at a notice's correlation.
     * @return the correlation, the value for the caller's process.
     */
    static Object decode(final BufferReader in)
    {
        try
        {
            return GENERIC.decode(in);
        }
        catch (final CodecException ex)
        {
            throw new UndecodableCorrelationException(ex);
        }
    }

    /**
     * @param in positioned at a command's correlation.
     * @return the correlation as its bytes, or null for none.
     */
    static Object decodePassed(final BufferReader in)
    {
        final Bytes encoded;
        try
        {
            encoded = ENCODED.decode(in);
        }
        catch (final CodecException ex)
        {
            throw new UndecodableCorrelationException(ex);
        }
        return NULL.equals(encoded) ? null : new EncodedCorrelation(encoded);
    }
}
