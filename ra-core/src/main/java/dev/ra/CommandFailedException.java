package dev.ra;

/**
 * The machine's {@link StateMachine#apply} threw on this command (with {@link ApplyFailureMode#FAIL_COMMAND}). The
 * command is committed and counts as applied; it left the state unchanged on every member, because {@code apply} is
 * deterministic. This is a definite outcome: retrying the same command against the same state fails the same way.
 *
 * <p>The machine's exception itself stays on the members (it may not be serializable, and the caller may be on another
 * node); its class name and message travel.
 */
public class CommandFailedException extends RaException
{
    private static final long serialVersionUID = 1L;

    private final String exceptionClass;
    private final long index;

    /**
     * @param exceptionClass fully qualified name of the class of the exception the machine threw.
     * @param message        of that exception, possibly null.
     * @param index          of the command's entry.
     */
    public CommandFailedException(final String exceptionClass, final String message, final long index)
    {
        super(message);
        this.exceptionClass = exceptionClass;
        this.index = index;
    }

    /**
     * @return the fully qualified class name of the exception the machine threw.
     */
    public String exceptionClass()
    {
        return exceptionClass;
    }

    /**
     * @return the index of the command's entry in the log.
     */
    public long index()
    {
        return index;
    }

    @Override
    public String toString()
    {
        return getClass().getName() + ": the machine's apply threw " + exceptionClass +
            (null == getMessage() ? "" : ": " + getMessage()) + " (entry " + index + ")";
    }
}
