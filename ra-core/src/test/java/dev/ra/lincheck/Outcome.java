package dev.ra.lincheck;

/** What the client learned about an operation it invoked. */
public enum Outcome
{
    /** The operation completed and its result is known. */
    OK,
    /**
     * The operation definitely did not take effect (for example it was rejected before being appended to
     * the log). The checker discards such operations.
     */
    FAILED,
    /**
     * The client cannot tell whether the operation took effect (timeout, lost connection, leader crash). It
     * may take effect at any moment after its invocation, or never; its completion time is treated as
     * infinite and its output as unconstrained.
     */
    UNKNOWN
}
