package dev.ra.examples.support;

import java.util.Objects;

/**
 * The number a client gives one of its calls, carried by every attempt of that call, so that the machine can tell a
 * retry (answered with its first reply) and a late attempt of a call the client has since finished (refused as
 * stale, without effect) from a new call. The Raft dissertation's client sessions (§6.3), as LogCabin runs them with
 * concurrent calls: see {@link ClientSequences}.
 *
 * @param client          id of the client that numbers its calls (a random UUID per {@link CommandNumbering}: per JVM
 *                        for the toolbox clients), never reused.
 * @param number          of this call, 1 or more, higher than every call the client started before it.
 * @param firstUnanswered of the client's calls when this one started: every call of the client numbered below it had
 *                        its reply or was given up, so the machine may forget their replies, and refuse an attempt of
 *                        one that comes later as stale.
 */
public record CommandNumber(String client, long number, long firstUnanswered)
{
    /** Checks that the client is named and the numbers are in order. */
    public CommandNumber
    {
        Objects.requireNonNull(client, "client");
        if (client.isEmpty())
        {
            throw new IllegalArgumentException("a command number's client id is empty");
        }
        if (firstUnanswered < 1 || firstUnanswered > number)
        {
            throw new IllegalArgumentException("command " + number + " of client " + client +
                ": its first unanswered call must be from 1 to " + number + ", got " + firstUnanswered);
        }
    }
}
