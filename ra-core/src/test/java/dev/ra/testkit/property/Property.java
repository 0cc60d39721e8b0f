package dev.ra.testkit.property;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Checks a property of random values from a seeded {@link Gen}, inside an ordinary JUnit test. For example:
 * <pre>
 * &#64;Test
 * void majorityIsMoreThanHalf()
 * {
 *     Property.forAll(1000, Gen.ints(1, 1000),
 *         voters -&gt; assertThat(2 * Quorum.majority(voters)).isGreaterThan(voters));
 * }
 * </pre>
 * Every try has its own seed. On the first failure the case is shrunk ({@link Shrinker}) and the test fails with an
 * {@link AssertionError} naming the try's seed, the shrunk and the original value, caused by the shrunk case's
 * failure. {@code -Dra.property.seed=S} makes S the first try's seed (so a reported failure is replayed first);
 * without it each run draws new seeds. Quiet when the property holds.
 */
public final class Property
{
    /** System property: the seed of the first try. */
    public static final String SEED_PROPERTY = "ra.property.seed";

    private static final int MAX_DISCARDS_PER_TRY = 5;
    private static final int MAX_SHOWN_CHARS = 4_000;

    private Property()
    {
    }

    /**
     * The property itself, for one value.
     *
     * @param <T> type of the values.
     */
    @FunctionalInterface
    public interface Check<T>
    {
        /**
         * @param value to check.
         * @throws Exception (or an {@link AssertionError}) when the property does not hold.
         */
        void check(T value) throws Exception;
    }

    /**
     * Thrown by {@link #assume} to discard a value that does not meet a precondition.
     */
    static final class Discarded extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Discarded()
        {
            super("value discarded by an assumption", null, false, false);
        }
    }

    /**
     * @param condition a precondition of the property; when false, the value is discarded and another is tried.
     */
    public static void assume(final boolean condition)
    {
        if (!condition)
        {
            throw new Discarded();
        }
    }

    /**
     * Check the property for {@code tries} values (values discarded by {@link #assume} do not count).
     *
     * @param tries number of values the property must hold for.
     * @param gen   of the values.
     * @param check the property.
     * @param <T>   type of the values.
     */
    public static <T> void forAll(final int tries, final Gen<T> gen, final Check<T> check)
    {
        final Long fixedSeed = Long.getLong(SEED_PROPERTY);
        final SplittableRandom seeds = new SplittableRandom(null == fixedSeed ? new SecureRandom().nextLong() :
            fixedSeed);
        int passed = 0;
        int discarded = 0;
        for (int attempt = 0; passed < tries; attempt++)
        {
            final long seed = attempt == 0 && null != fixedSeed ? fixedSeed : seeds.nextLong();
            final Choices choices = Choices.fresh(seed);
            T value = null;
            Throwable failure;
            try
            {
                value = gen.next(choices);
                failure = failureOf(check, value);
            }
            catch (final RuntimeException | Error generatorFailed)
            {
                failure = generatorFailed;
            }
            if (null == failure)
            {
                passed++;
            }
            else if (failure instanceof Discarded)
            {
                if (++discarded > MAX_DISCARDS_PER_TRY * tries)
                {
                    throw new AssertionError(caller() + ": too many values discarded by assumptions (" + discarded +
                        ", with " + passed + " checked)");
                }
            }
            else
            {
                throw report(seed, passed, value, choices.recording(), gen, check, failure);
            }
        }
    }

    static <T> Throwable failureOf(final Check<T> check, final T value)
    {
        try
        {
            check.check(value);
            return null;
        }
        catch (final Exception | Error failure)
        {
            return failure;
        }
    }

    private static <T> AssertionError report(final long seed, final int passed, final T value,
        final long[] recording, final Gen<T> gen, final Check<T> check, final Throwable failure)
    {
        final Shrinker<T> shrinker = new Shrinker<>(gen, check, recording, value, failure);
        shrinker.shrink();
        final AssertionError error = new AssertionError(caller() + " failed after " + passed +
            " passing tries, seed " + seed + " (replay it with -D" + SEED_PROPERTY + "=" + seed + ")\n" +
            "shrunk value (" + shrinker.runs() + " shrinking runs): " + show(shrinker.value()) + "\n" +
            "failure of the shrunk value: " + shrinker.failure() + "\n" +
            "original value: " + show(value) + "\n" +
            "failure of the original value: " + failure, shrinker.failure());
        if (shrinker.failure() != failure)
        {
            error.addSuppressed(failure);
        }
        return error;
    }

    private static String show(final Object value)
    {
        final String text = Arrays.deepToString(new Object[] {value});
        final String shown = text.substring(1, text.length() - 1);
        return shown.length() <= MAX_SHOWN_CHARS ? shown :
            shown.substring(0, MAX_SHOWN_CHARS) + "... (" + shown.length() + " characters)";
    }

    private static String caller()
    {
        return StackWalker.getInstance().walk(frames -> frames
            .filter(f -> !f.getClassName().equals(Property.class.getName()))
            .findFirst()
            .map(f -> "property " + f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." +
                methodName(f.getMethodName()))
            .orElse("property"));
    }

    /** The name of the method for a frame of a lambda in it ({@code lambda$name$0}). */
    private static String methodName(final String frameMethod)
    {
        final String[] parts = frameMethod.split("\\$");
        return frameMethod.startsWith("lambda$") && parts.length == 3 ? parts[1] : frameMethod;
    }
}
