package dev.ra.transport.netty;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.protocol.EncodedCorrelation;

/**
 * The correlations of pipelined commands in frames: values of the caller's, in the generic codec. Each is read as its
 * bytes ({@link EncodedCorrelation}): the leader's node only sends a command's back with its notice, written as it
 * came, and the caller's node builds a notice's only for the process it is for, which may not exist; so bytes from
 * another node cannot have a node initialise or construct any class they name. One whose form is broken costs its
 * message only, not the connection ({@link UndecodableCorrelationException#onlyTheCorrelation}).
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
     * @param in positioned at a correlation.
     * @return the correlation as its bytes, or null for none.
     */
    static Object decode(final BufferReader in)
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
