package dev.ra;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Checks of the arguments of the public API that more than one method makes, so that bad input fails at once, at the
 * caller, with a message naming the argument (names themselves are checked by {@link Names}).
 */
final class Arguments
{
    private Arguments()
    {
    }

    static String requireClusterName(final String clusterName)
    {
        return Names.requireValid(clusterName, "cluster name");
    }

    /**
     * @return the members, copied: not empty, without nulls or duplicates.
     */
    static List<ServerId> requireMembers(final List<ServerId> members)
    {
        Objects.requireNonNull(members, "members");
        if (members.isEmpty())
        {
            throw new IllegalArgumentException("a cluster needs at least one member");
        }
        final List<ServerId> ids = List.copyOf(members);
        if (new HashSet<>(ids).size() != ids.size())
        {
            throw new IllegalArgumentException("members must be distinct, got " + ids);
        }
        return ids;
    }

    static Duration requirePositive(final Duration duration, final String what)
    {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        }
        return duration;
    }

    /**
     * For a setting the runtime counts in whole milliseconds (tick interval, election timeout): under one it would
     * count as 0 (a tick rescheduled at once, for ever), and one too long to count in them would overflow.
     *
     * @return the duration.
     */
    static Duration requireWholeMillis(final Duration duration, final String what)
    {
        requirePositive(duration, what);
        if (duration.compareTo(Duration.ofMillis(1)) < 0)
        {
            throw new IllegalArgumentException(what + " must be at least 1 ms (it is counted in milliseconds), got " +
                duration);
        }
        try
        {
            duration.toMillis();
        }
        catch (final ArithmeticException tooLong)
        {
            throw new IllegalArgumentException(what + " is too long to count in milliseconds, got " + duration);
        }
        return duration;
    }

    static Duration requireTimeout(final Duration timeout)
    {
        return requirePositive(timeout, "timeout");
    }
}
