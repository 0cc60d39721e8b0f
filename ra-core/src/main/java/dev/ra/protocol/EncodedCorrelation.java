package dev.ra.protocol;

import dev.ra.codec.Bytes;
import dev.ra.codec.Codecs;
import java.util.Objects;

/**
 * A pipelined command's correlation as the caller's node wrote it with the generic codec, carried as those bytes by
 * the nodes that only pass it on (the leader's node sends it back with the command's notice) and built only for the
 * process it is for: bytes from another node then cannot make a node initialise or construct any enum or record class
 * they name, and a node need not have the caller's classes to serve its commands. The transport writes the bytes as
 * they are, the same bytes as the value's.
 *
 * @param encoded one value of {@link Codecs#generic()}, as read by {@link Codecs#genericEncoded()}.
 */
public record EncodedCorrelation(Bytes encoded)
{
    /**
     * Requires the bytes.
     */
    public EncodedCorrelation
    {
        Objects.requireNonNull(encoded, "encoded");
    }

    /**
     * @return the correlation, built with the generic codec.
     * @throws dev.ra.codec.CodecException if it does not decode on this node.
     */
    public Object decode()
    {
        return Codecs.generic().fromBytes(encoded.unsafeArray());
    }
}
