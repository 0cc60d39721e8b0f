package dev.ra;

import dev.ra.codec.BufferWriter;

/**
 * Validation of the names used for nodes, servers and clusters ({@link #requireValid}) and of timers
 * ({@link #requireEncodable}), so that bad input fails fast and clearly.
 */
final class Names
{
    static final int MAX_LENGTH = 255;

    private Names()
    {
    }

    static String requireValid(final String value, final String what)
    {
        if (null == value)
        {
            throw new NullPointerException(what + " must not be null");
        }
        if (value.isEmpty() || value.length() > MAX_LENGTH)
        {
            throw new IllegalArgumentException(what + " must have 1 to " + MAX_LENGTH + " characters, got '" +
                value + "'");
        }
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '@')
            {
                throw new IllegalArgumentException(what + " must not contain whitespace, control characters or '@'" +
                    ", got '" + value + "'");
            }
        }
        // UTF-8 cannot carry half a pair: encoders would write '?' for it, so the name would reach other nodes, the
        // log and the file system as another name.
        return requireEncodable(value, what);
    }

    /**
     * A name that travels in the log (a timer's, in the timeout it appends when it fires) must be one UTF-8 carries:
     * refused when made, in the machine's {@code apply}, rather than when the leader appends it.
     *
     * @param value the name.
     * @param what  what it names, for the error.
     * @return the name.
     */
    static String requireEncodable(final String value, final String what)
    {
        if (null == value)
        {
            throw new NullPointerException(what + " must not be null");
        }
        final int broken = BufferWriter.brokenSurrogate(value);
        if (broken >= 0)
        {
            throw new IllegalArgumentException(what + " must not contain half of a surrogate pair (UTF-8 cannot " +
                "carry it), got one at index " + broken + " of '" + value + "'");
        }
        return value;
    }
}
