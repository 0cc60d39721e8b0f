package dev.ra.sim;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The register machine the simulation replicates: a map of keys to values with put and compare-and-set. Its state
 * carries a digest of every command applied, so two members that applied different commands at the same index
 * disagree visibly (state machine safety).
 *
 * <p>Made with {@code throwOnPoison}, its {@code apply} throws for every command whose new value is "poisoned" (its
 * number is a multiple of {@link #POISON_EVERY}): a deterministic failure, which every member must treat alike
 * (state unchanged, entry applied) and which a client sees as an operation that definitely had no effect.
 *
 * <p>Not testkit's {@code KvMachine}: the simulation's safety check needs the digest, its clients need
 * compare-and-set and poison, and the scenario traces pin this machine's replies.
 */
public final class SimKv implements StateMachine<SimKv.Command, SimKv.State>
{
    /** Commands of the register machine. */
    public sealed interface Command permits Put, Cas
    {
    }

    /**
     * Set a key.
     *
     * @param key   to set.
     * @param value to set it to.
     */
    public record Put(String key, String value) implements Command
    {
    }

    /**
     * Set a key only if it holds the expected value (null = absent).
     *
     * @param key      to set.
     * @param expected current value required.
     * @param value    to set it to.
     */
    public record Cas(String key, String expected, String value) implements Command
    {
    }

    /**
     * The machine state.
     *
     * @param data    the registers.
     * @param applied index of the last command applied.
     * @param digest  running hash of every command applied with its index.
     */
    public record State(Map<String, String> data, long applied, long digest)
    {
    }

    /** Values {@code v<n>} with {@code n} a multiple of this are poisoned. */
    public static final int POISON_EVERY = 5;

    private final int releaseCursorEvery;
    private final boolean throwOnPoison;

    /**
     * @param releaseCursorEvery emit a release cursor every this many commands (0 = never).
     */
    public SimKv(final int releaseCursorEvery)
    {
        this(releaseCursorEvery, false);
    }

    /**
     * @param releaseCursorEvery emit a release cursor every this many commands (0 = never).
     * @param throwOnPoison      throw from {@code apply} for commands writing a poisoned value.
     */
    public SimKv(final int releaseCursorEvery, final boolean throwOnPoison)
    {
        this.releaseCursorEvery = releaseCursorEvery;
        this.throwOnPoison = throwOnPoison;
    }

    /**
     * @param value written by a command.
     * @return whether a machine made with {@code throwOnPoison} throws on it.
     */
    public static boolean poisoned(final String value)
    {
        if (null == value || !value.startsWith("v"))
        {
            return false;
        }
        try
        {
            return Integer.parseInt(value.substring(1)) % POISON_EVERY == 0;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    @Override
    public State init(final InitArgs args)
    {
        return new State(Map.of(), 0, 17);
    }

    @Override
    public ApplyResult<State> apply(final CommandMeta meta, final Command command, final State state)
    {
        final String written = command instanceof Put put ? put.value() : ((Cas)command).value();
        if (throwOnPoison && poisoned(written))
        {
            throw new IllegalStateException("poisoned value " + written);
        }
        final Map<String, String> next = new TreeMap<>(state.data());
        final Object reply;
        if (command instanceof Put put)
        {
            next.put(put.key(), put.value());
            reply = "ok";
        }
        else
        {
            final Cas cas = (Cas)command;
            final boolean matches = java.util.Objects.equals(state.data().get(cas.key()), cas.expected());
            if (matches)
            {
                next.put(cas.key(), cas.value());
            }
            reply = matches;
        }
        final long digest = state.digest() * 31 + meta.index() * 17 + command.hashCode();
        final State newState = new State(Collections.unmodifiableMap(next), meta.index(), digest);
        if (releaseCursorEvery > 0 && meta.index() % releaseCursorEvery == 0)
        {
            return ApplyResult.of(newState, reply, List.<Effect>of(new Effect.ReleaseCursor(meta.index(), newState)));
        }
        return ApplyResult.of(newState, reply);
    }
}
