package dev.ra.transport.netty;

import dev.ra.codec.CodecException;

/**
 * The cause of a {@link CodecException} for a message whose frame is whole but whose correlation, a value of the
 * application's in the generic codec, does not decode on this node (its class is missing here, of another version, or
 * refuses its components): a connection drops that message and stays up, since it carries the other messages between
 * the two nodes.
 */
final class UndecodableCorrelationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    UndecodableCorrelationException(final CodecException cause)
    {
        super(cause.getMessage(), cause);
    }

    /**
     * @param failure of a message's decoding.
     * @return whether only its correlation failed to decode.
     */
    static boolean onlyTheCorrelation(final CodecException failure)
    {
        return failure.getCause() instanceof UndecodableCorrelationException;
    }
}
