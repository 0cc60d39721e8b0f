package dev.ra.codec;

/**
 * Bytes that do not decode, or a value that cannot be encoded.
 */
public final class CodecException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message saying what is wrong.
     */
    public CodecException(final String message)
    {
        super(message);
    }

    /**
     * @param message saying what is wrong.
     * @param cause   of the failure.
     */
    public CodecException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
