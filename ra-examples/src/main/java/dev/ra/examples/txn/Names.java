package dev.ra.examples.txn;

/**
 * Checks of the names that commands carry, so that bad input fails at the caller with a message naming it.
 */
final class Names
{
    private Names()
    {
    }

    /**
     * @param value to check.
     * @param what  the value is, for the message.
     * @return the value.
     * @throws IllegalArgumentException if it is null or empty.
     */
    static String require(final String value, final String what)
    {
        if (null == value || value.isEmpty())
        {
            throw new IllegalArgumentException(what + " must be a non-empty string, got " +
                (null == value ? "null" : "''"));
        }
        return value;
    }
}
