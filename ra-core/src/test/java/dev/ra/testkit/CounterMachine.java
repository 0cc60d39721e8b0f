package dev.ra.testkit;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;

/**
 * The smallest useful machine: a counter. A command is an amount to add; the reply is the new total. Used by the
 * scale test and the benchmark, where the machine must cost next to nothing. A machine that throws on a negative
 * amount, for tests of machine failures, is {@link #failingOnNegative()}.
 */
public final class CounterMachine implements StateMachine<Long, Long>
{
    private final boolean failOnNegative;

    /**
     * A counter that accepts any amount.
     */
    public CounterMachine()
    {
        this(false);
    }

    private CounterMachine(final boolean failOnNegative)
    {
        this.failOnNegative = failOnNegative;
    }

    /**
     * @return a counter whose {@code apply} throws on a negative amount.
     */
    public static CounterMachine failingOnNegative()
    {
        return new CounterMachine(true);
    }

    @Override
    public Long init(final InitArgs args)
    {
        return 0L;
    }

    @Override
    public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
    {
        if (failOnNegative && amount < 0)
        {
            throw new IllegalArgumentException("negative amount " + amount);
        }
        final Long next = state + amount;
        return ApplyResult.of(next, next);
    }

    @Override
    public Class<Long> commandType()
    {
        return Long.class;
    }

    @Override
    public Codec<Long> commandCodec()
    {
        return Codecs.int64();
    }

    @Override
    public Codec<Long> stateCodec()
    {
        return Codecs.int64();
    }
}
