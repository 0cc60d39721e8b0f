package dev.ra.sim;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
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
    private final int version;

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
        this(releaseCursorEvery, throwOnPoison, 0);
    }

    /**
     * A versioned machine: from version 1 on, the machine version an entry is applied with goes into the digest, so
     * two members that apply one index with different versions disagree visibly, as do members that switch versions
     * at different indexes.
     *
     * @param releaseCursorEvery emit a release cursor every this many commands (0 = never).
     * @param throwOnPoison      throw from {@code apply} for commands writing a poisoned value.
     * @param version            the highest machine version it supports.
     */
    public SimKv(final int releaseCursorEvery, final boolean throwOnPoison, final int version)
    {
        this.releaseCursorEvery = releaseCursorEvery;
        this.throwOnPoison = throwOnPoison;
        this.version = version;
    }

    /**
     * @param supported the highest machine version the copy supports.
     * @return this machine, supporting that version.
     */
    public SimKv withVersion(final int supported)
    {
        return new SimKv(releaseCursorEvery, throwOnPoison, supported);
    }

    @Override
    public int version()
    {
        return version;
    }

    @Override
    public ApplyResult<State> applyBuiltin(final CommandMeta meta, final BuiltinCommand command, final State state)
    {
        if (command instanceof BuiltinCommand.MachineVersionChanged changed)
        {
            // The switch itself is part of the replicated history: where it happened and from which version.
            return ApplyResult.of(new State(state.data(), meta.index(),
                state.digest() * 31 + meta.index() * 101 + changed.from() * 7 + changed.to()));
        }
        return ApplyResult.of(state);
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
        final long digest = state.digest() * 31 + meta.index() * 17 + command.hashCode() +
            meta.machineVersion() * 7919L;
        final State newState = new State(Collections.unmodifiableMap(next), meta.index(), digest);
        if (releaseCursorEvery > 0 && meta.index() % releaseCursorEvery == 0)
        {
            return ApplyResult.of(newState, reply, List.<Effect>of(new Effect.ReleaseCursor(meta.index(), newState)));
        }
        return ApplyResult.of(newState, reply);
    }
}
