package dev.ra.examples.support;

/**
 * The reply to an attempt of a call its client had finished (answered or given up) before this attempt was applied:
 * a late first attempt that a retry overtook, say. The machine applied nothing; see {@link ClientSequences}.
 *
 * @param number          of the call.
 * @param firstUnanswered of its client, as the machine knew it: the attempt's number was below it.
 */
public record StaleCommand(CommandNumber number, long firstUnanswered)
{
}
