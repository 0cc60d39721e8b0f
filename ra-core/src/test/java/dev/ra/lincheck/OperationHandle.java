package dev.ra.lincheck;

/**
 * Identifies an operation invoked through a {@link History}, so that the client can later report its
 * completion.
 *
 * @param id the id of the recorded {@link Operation}
 */
public record OperationHandle(long id)
{
}
