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

    private final int releaseCursorEvery;

    /**
     * @param releaseCursorEvery emit a release cursor every this many commands (0 = never).
     */
    public SimKv(final int releaseCursorEvery)
    {
        this.releaseCursorEvery = releaseCursorEvery;
    }

    @Override
    public State init(final InitArgs args)
    {
        return new State(Map.of(), 0, 17);
    }

    @Override
    public ApplyResult<State> apply(final CommandMeta meta, final Command command, final State state)
    {
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
