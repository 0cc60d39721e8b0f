package dev.ra.testkit.property;

import java.util.Arrays;

/**
 * Shrinks a failing case by simplifying the {@link Choices} it was generated from: deleting runs of choices (which
 * drops list elements and whatever they contained) and lowering single choices (towards 0, which makes numbers
 * smaller and picks earlier alternatives), keeping each edit whose replay still fails. Each kept edit makes the
 * recording shorter, or as long and smaller, so shrinking ends; it also ends when its budget of runs or time is spent.
 *
 * @param <T> type of the values.
 */
final class Shrinker<T>
{
    private static final int MAX_RUNS = 2_000;
    private static final long MAX_NANOS = 60_000_000_000L;

    private final Gen<T> gen;
    private final Property.Check<T> check;
    private final long deadline = System.nanoTime() + MAX_NANOS;
    private int runs;

    private long[] recording;
    private T value;
    private Throwable failure;

    Shrinker(final Gen<T> gen, final Property.Check<T> check, final long[] recording, final T value,
        final Throwable failure)
    {
        this.gen = gen;
        this.check = check;
        this.recording = recording;
        this.value = value;
        this.failure = failure;
    }

    /**
     * Shrink as far as the budget allows.
     */
    void shrink()
    {
        boolean progress = true;
        while (progress && withinBudget())
        {
            progress = false;
            for (int run = 8; run >= 1; run /= 2)
            {
                for (int from = recording.length - run; from >= 0 && withinBudget(); from--)
                {
                    if (from + run <= recording.length)
                    {
                        final long[] shorter = new long[recording.length - run];
                        System.arraycopy(recording, 0, shorter, 0, from);
                        System.arraycopy(recording, from + run, shorter, from, recording.length - from - run);
                        progress |= tryKeep(shorter);
                    }
                }
            }
            for (int i = 0; i < recording.length && withinBudget(); i++)
            {
                progress |= lower(i);
            }
        }
    }

    /** Lower choice i as far as it goes: to 0, else by binary search, keeping the smallest that still fails. */
    private boolean lower(final int i)
    {
        final long original = recording[i];
        if (original == 0 || tryKeep(with(i, 0)))
        {
            return original != 0;
        }
        long failing = original;
        long passing = 0;
        // Invariant: choice i at `failing` fails, at `passing` does not (unsigned; the rest of the recording may
        // change as edits are kept, which only makes this a heuristic).
        while (Long.compareUnsigned(failing - passing, 1) > 0 && withinBudget() && i < recording.length)
        {
            final long middle = passing + ((failing - passing) >>> 1);
            if (tryKeep(with(i, middle)))
            {
                failing = middle;
            }
            else
            {
                passing = middle;
            }
        }
        return failing != original;
    }

    private long[] with(final int i, final long choice)
    {
        final long[] edited = recording.clone();
        if (i < edited.length)
        {
            edited[i] = choice;
        }
        return edited;
    }

    private boolean tryKeep(final long[] candidate)
    {
        runs++;
        final Choices choices = Choices.replay(candidate);
        final T candidateValue;
        final Throwable candidateFailure;
        try
        {
            candidateValue = gen.next(choices);
        }
        catch (final RuntimeException | Error generatorFailed)
        {
            return false;
        }
        candidateFailure = Property.failureOf(check, candidateValue);
        final long[] replayed = choices.recording();
        if (null == candidateFailure || candidateFailure instanceof Property.Discarded || !simpler(replayed))
        {
            return false;
        }
        recording = replayed;
        value = candidateValue;
        failure = candidateFailure;
        return true;
    }

    private boolean simpler(final long[] candidate)
    {
        if (candidate.length != recording.length)
        {
            return candidate.length < recording.length;
        }
        return Arrays.compareUnsigned(candidate, recording) < 0;
    }

    private boolean withinBudget()
    {
        return runs < MAX_RUNS && System.nanoTime() < deadline;
    }

    T value()
    {
        return value;
    }

    Throwable failure()
    {
        return failure;
    }

    int runs()
    {
        return runs;
    }
}
