package dev.ra.testkit.property;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The random choices behind one generated value. Generators ({@link Gen}) take every random decision through here,
 * and every decision is recorded as one number (read as unsigned), so a value is reproduced from its seed alone, and a
 * failing value is shrunk by shrinking its recorded choices (deleting some, making others smaller) and replaying them
 * (the approach of Hypothesis): no generator needs a shrinker of its own.
 * <p>
 * Freshly drawn choices lean to the edges: about one number in {@value #EDGE_ONE_IN} is an edge of its range (its
 * ends, the values next to them, and 0, 1 and -1 where in range) and one collection in {@value #EDGE_ONE_IN} has its
 * smallest or largest allowed size; other collections get any allowed size, smaller ones more often. Replayed
 * choices past the end of the recording are 0, the simplest choice, so any edit of a recording still replays to a
 * valid value.
 */
public final class Choices
{
    private static final int EDGE_ONE_IN = 16;

    private final SplittableRandom random;
    private final long[] replay;
    private long[] recorded = new long[32];
    private int count;

    private Choices(final SplittableRandom random, final long[] replay)
    {
        this.random = random;
        this.replay = replay;
    }

    /**
     * @param seed of the random choices.
     * @return fresh choices, drawn from the seed.
     */
    public static Choices fresh(final long seed)
    {
        return new Choices(new SplittableRandom(seed), null);
    }

    /**
     * @param recording choices recorded earlier (possibly edited).
     * @return choices that replay the recording, then give 0.
     */
    static Choices replay(final long[] recording)
    {
        return new Choices(null, recording.clone());
    }

    /**
     * @param min smallest value.
     * @param max largest value.
     * @return a value in [min, max], shrinking towards 0 (or the end of the range nearest to it). A range on both
     * sides of 0 takes two choices, the sign and then the magnitude, so that shrinking makes the magnitude smaller.
     */
    public long between(final long min, final long max)
    {
        if (min > max)
        {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        final long value = null == random ? replayBetween(min, max) :
            random.nextInt(EDGE_ONE_IN) == 0 ? edge(min, max) : min + uniform(max - min);
        if (min >= 0)
        {
            record(value - min);
        }
        else if (max <= 0)
        {
            record(max - value);
        }
        else
        {
            record(value < 0 ? 1 : 0);
            record(value < 0 ? -value : value);
        }
        return value;
    }

    private long replayBetween(final long min, final long max)
    {
        if (min >= 0)
        {
            final long offset = nextReplayed();
            return Long.compareUnsigned(offset, max - min) > 0 ? max : min + offset;
        }
        if (max <= 0)
        {
            final long offset = nextReplayed();
            return Long.compareUnsigned(offset, max - min) > 0 ? min : max - offset;
        }
        final boolean negative = nextReplayed() != 0;
        // The sign was read but not yet recorded: the magnitude is the choice after it.
        final long magnitude = count + 1 < replay.length ? replay[count + 1] : 0;
        if (negative)
        {
            return Long.compareUnsigned(magnitude, -min) > 0 ? min : -magnitude;
        }
        return Long.compareUnsigned(magnitude, max) > 0 ? max : magnitude;
    }

    /**
     * @param size    of the collection so far.
     * @param minSize smallest allowed size.
     * @param maxSize largest allowed size.
     * @param planned the size from {@link #plannedSize}.
     * @return whether the collection gets another element.
     */
    boolean more(final int size, final int minSize, final int maxSize, final int planned)
    {
        if (size < minSize)
        {
            return true;
        }
        if (size >= maxSize)
        {
            return false;
        }
        final long more = null == random ? (nextReplayed() == 0 ? 0 : 1) : size < planned ? 1 : 0;
        record(more);
        return more == 1;
    }

    /**
     * @param minSize smallest allowed size.
     * @param maxSize largest allowed size.
     * @return when drawing fresh, the size a new collection should get (any, smaller ones more often, the edges too);
     * when replaying, nothing that matters (the recorded decisions of {@link #more} decide).
     */
    int plannedSize(final int minSize, final int maxSize)
    {
        if (null == random)
        {
            return minSize;
        }
        if (random.nextInt(EDGE_ONE_IN) == 0)
        {
            return random.nextBoolean() ? minSize : maxSize;
        }
        // Uniform up to a uniform bound: every size is possible, small ones (cheap, and often enough) more likely.
        return minSize + random.nextInt(random.nextInt(maxSize - minSize + 1) + 1);
    }

    /**
     * @return the choices made so far, without trailing zeros (which replay the same).
     */
    long[] recording()
    {
        int length = count;
        while (length > 0 && recorded[length - 1] == 0)
        {
            length--;
        }
        return Arrays.copyOf(recorded, length);
    }

    private long nextReplayed()
    {
        return count < replay.length ? replay[count] : 0;
    }

    private void record(final long choice)
    {
        if (count == recorded.length)
        {
            recorded = Arrays.copyOf(recorded, count * 2);
        }
        recorded[count++] = choice;
    }

    /** A uniform value in [0, span], span read as unsigned. */
    private long uniform(final long span)
    {
        if (span == -1L)
        {
            return random.nextLong();
        }
        if (span >= 0)
        {
            return span == Long.MAX_VALUE ? random.nextLong() & Long.MAX_VALUE : random.nextLong(span + 1);
        }
        long value;
        do
        {
            value = random.nextLong();
        }
        while (Long.compareUnsigned(value, span) > 0);
        return value;
    }

    private long edge(final long min, final long max)
    {
        final long[] edges = {min, max, min == max ? min : min + 1, min == max ? max : max - 1, 0, 1, -1};
        final int inRange = min <= 0 && 0 <= max ? edges.length : 4;
        final long edge = edges[random.nextInt(inRange)];
        return Math.max(min, Math.min(max, edge));
    }
}
