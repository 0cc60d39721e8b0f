package dev.ra.core;

/**
 * A machine callback threw and the member carried on ({@link dev.ra.ApplyFailureMode#FAIL_COMMAND}): what threw, at
 * which entry, and the exception's class and message (the exception itself stays with the member; this is data that
 * can be replied, logged and sent to another node).
 *
 * @param callback       that threw: {@code apply}, {@code applyBuiltin}, {@code stateEnter}, {@code tick} or
 *                       {@code append} (an {@link dev.ra.Effect.Append} whose command cannot be appended).
 * @param index          of the entry being applied, or the last applied index for the other callbacks.
 * @param exceptionClass fully qualified name of the exception's class.
 * @param message        of the exception, possibly null.
 */
public record MachineFailure(String callback, long index, String exceptionClass, String message)
{
    static MachineFailure of(final String callback, final long index, final Throwable thrown)
    {
        return new MachineFailure(callback, index, thrown.getClass().getName(), thrown.getMessage());
    }
}
