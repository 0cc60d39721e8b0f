package dev.ra.examples.support;

/**
 * The reply to an attempt of a call its client had finished (answered or given up) before this attempt was applied
 * (a late first attempt that a retry overtook, say), or to an attempt of a call applied already whose reply the
 * machine no longer keeps. The machine applied nothing; see {@link ClientSequences}.
 *
 * @param number          of the call.
 * @param firstUnanswered of its client, as the machine knew it: the attempt's number was below it, or its call was
 *                        applied and its reply is no longer kept.
 */
public record StaleCommand(CommandNumber number, long firstUnanswered)
{
}
