package dev.ra.lincheck;

/**
 * Sequential specification of a single register: the state is the id of the current value (see
 * {@link KeyHistory}), {@link #ABSENT} when the key does not exist.
 */
final class RegisterModel
{
    /** State id of an absent key, which is also every key's initial state. */
    static final int ABSENT = 0;

    /** Returned by {@link #apply} when the operation's observed output is impossible in the given state. */
    static final int ILLEGAL = -1;

    private RegisterModel()
    {
    }

    /**
     * Applies {@code op} to a register holding {@code state}.
     *
     * @return the state afterwards, or {@link #ILLEGAL} if the operation cannot be linearized here
     */
    static int apply(final int state, final EncodedOperation op)
    {
        return switch (op.kind())
        {
            case READ -> op.observed() == state ? state : ILLEGAL;
            case WRITE -> op.written();
            case CAS -> applyCas(state, op);
        };
    }

    private static int applyCas(final int state, final EncodedOperation op)
    {
        final boolean matches = state == op.expected();
        if (op.indeterminate())
        {
            // An indeterminate CAS applied where it does not match would change nothing, which is the same
            // as never applying it; refusing it here prunes that redundant branch. It stays a candidate and
            // may still apply later, when the register holds the expected value.
            return matches ? op.written() : ILLEGAL;
        }
        if (op.casSucceeded())
        {
            return matches ? op.written() : ILLEGAL;
        }
        return matches ? ILLEGAL : state;
    }
}
