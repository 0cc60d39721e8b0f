package dev.ra.examples.support;

/**
 * The reply to a command that was retried when an attempt's outcome was unknown, and whether that happened: an
 * earlier attempt may then have been applied before the one that answered, and the reply may describe the state that
 * attempt left (a delete finding nothing left to delete, say) rather than what the caller's command did.
 *
 * @param reply               of the attempt that answered.
 * @param afterUnknownOutcome whether an earlier attempt of the call ended with an unknown outcome.
 * @param <R>                 the reply type.
 */
public record Answered<R>(R reply, boolean afterUnknownOutcome)
{
}
