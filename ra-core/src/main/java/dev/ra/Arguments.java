package dev.ra;

import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.protocol.EncodedCorrelation;
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
        // List.copyOf would refuse a null too, but with no message at all (and List.of's indexOf(null) throws).
        int position = 0;
        for (final ServerId member : members)
        {
            if (null == member)
            {
                throw new NullPointerException("members must not hold null, got one at index " + position + " of " +
                    members);
            }
            position++;
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

    /**
     * A correlation goes to the leader's node and back in the generic codec: one it cannot encode would be dropped by
     * the transport on its own thread, the command never applied and its process never told; one it encodes but
     * cannot build again (a record with a HashMap component, say) would reach the process as its bytes, matching none
     * of its commands. The common kinds are known to round-trip; any other is encoded and decoded once here to find
     * out. One given as its bytes (an {@link EncodedCorrelation} a process was given) must be exactly one value.
     *
     * @return the correlation.
     */
    static Object requireEncodableCorrelation(final Object correlation)
    {
        if (null == correlation || correlation instanceof String || correlation instanceof Long ||
            correlation instanceof Integer || correlation instanceof Boolean)
        {
            return correlation;
        }
        try
        {
            if (correlation instanceof EncodedCorrelation encoded)
            {
                // Written into the frame as its bytes: anything but exactly one value would shift the fields after it.
                Codecs.genericEncoded().fromBytes(encoded.encoded().unsafeArray());
            }
            else
            {
                Codecs.generic().fromBytes(Codecs.generic().toBytes(correlation));
            }
        }
        catch (final CodecException ex)
        {
            throw new IllegalArgumentException("a correlation of type " + correlation.getClass().getName() +
                " cannot travel between nodes: " + ex.getMessage() + "; use values the generic codec encodes and " +
                "builds again (strings, numbers, lists, maps, records of these, ...)", ex);
        }
        return correlation;
    }

    static Duration requireTimeout(final Duration timeout)
    {
        return requirePositive(timeout, "timeout");
    }
}
