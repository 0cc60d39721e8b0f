package dev.ra.runtime;

/**
 * Which failures of application code (a query function, a machine's overview, an effect's handler or codec, a
 * process's handler) are that code's own, to be reported to whoever it serves while the server or process runs on: an
 * exception, and an {@code Error} such as a failed assertion or a stack overflow. Only the JVM's own trouble (out of
 * memory, an internal error) is not contained.
 */
final class ContainedFailures
{
    private ContainedFailures()
    {
    }

    /**
     * @param failure thrown by application code.
     * @return whether to contain it (report it and go on), rather than let it end what ran the code.
     */
    static boolean contained(final Throwable failure)
    {
        return !(failure instanceof VirtualMachineError) || failure instanceof StackOverflowError;
    }
}
