package dev.ra.sim;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import java.util.ArrayList;
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
 * <p>A versioned build ({@link #withVersion}) gives each machine version a command codec of its own, which reads
 * nothing another version wrote ({@link SimKvCommandCodec}), and with {@link #withAudits} it appends an {@link Audit}
 * of its own (an {@link Effect.Append}) after each command at an index that is a multiple of {@link #AUDIT_EVERY}: so
 * that in the simulation a command, the machine's or a client's, encoded with another version's codec than the one it
 * is applied with fails the run.
 *
 * <p>Not testkit's {@code KvMachine}: the simulation's safety check needs the digest, its clients need
 * compare-and-set and poison, and the scenario traces pin this machine's replies.
 */
public final class SimKv implements StateMachine<SimKv.Command, SimKv.State>
{
    /** Commands of the register machine. */
    public sealed interface Command permits Put, Cas, Audit
    {
    }

    /**
     * A versioned machine's own command, appended after the command it names: it changes only the digest.
     *
     * @param after index of the command that appended it.
     */
    public record Audit(long after) implements Command
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
    /** A versioned machine appends an {@link Audit} after each command at an index that is a multiple of this. */
    public static final int AUDIT_EVERY = 3;

    private final int releaseCursorEvery;
    private final boolean throwOnPoison;
    private final int version;
    /** The machine version whose logic and command codec this machine is: {@link #version} but for older ones. */
    private final int logic;
    /** Whether a versioned machine appends {@link Audit}s. */
    private final boolean audits;

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
        this(releaseCursorEvery, throwOnPoison, version, version, false);
    }

    private SimKv(final int releaseCursorEvery, final boolean throwOnPoison, final int version, final int logic,
        final boolean audits)
    {
        this.releaseCursorEvery = releaseCursorEvery;
        this.throwOnPoison = throwOnPoison;
        this.version = version;
        this.logic = logic;
        this.audits = audits;
    }

    /**
     * @param supported the highest machine version the copy supports.
     * @return this machine, supporting that version.
     */
    public SimKv withVersion(final int supported)
    {
        return new SimKv(releaseCursorEvery, throwOnPoison, supported, supported, audits);
    }

    /**
     * @return this machine, appending {@link Audit}s if it is versioned (the scenario traces pin a machine without).
     */
    public SimKv withAudits()
    {
        return new SimKv(releaseCursorEvery, throwOnPoison, version, logic, true);
    }

    @Override
    public int version()
    {
        return version;
    }

    @Override
    public StateMachine<Command, State> machineFor(final int older)
    {
        return 0 == version || older == logic ? this :
            new SimKv(releaseCursorEvery, throwOnPoison, version, older, audits);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<Command> commandCodec()
    {
        // The unversioned machine keeps the generic codec, so that the runs without upgrades stay as they were.
        return 0 == version ? (Codec<Command>)(Codec<?>)Codecs.generic() : new SimKvCommandCodec(logic);
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
        if (command instanceof Audit)
        {
            return ApplyResult.of(new State(state.data(), meta.index(), digest(meta, command, state)));
        }
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
        final State newState = new State(Collections.unmodifiableMap(next), meta.index(),
            digest(meta, command, state));
        final boolean release = releaseCursorEvery > 0 && meta.index() % releaseCursorEvery == 0;
        final boolean audit = audits && 0 != version && meta.index() % AUDIT_EVERY == 0;
        if (!release && !audit)
        {
            return ApplyResult.of(newState, reply);
        }
        final List<Effect> effects = new ArrayList<>(2);
        if (release)
        {
            effects.add(new Effect.ReleaseCursor(meta.index(), newState));
        }
        if (audit)
        {
            effects.add(new Effect.Append(new Audit(meta.index())));
        }
        return ApplyResult.of(newState, reply, effects);
    }

    private static long digest(final CommandMeta meta, final Command command, final State state)
    {
        return state.digest() * 31 + meta.index() * 17 + command.hashCode() + meta.machineVersion() * 7919L;
    }
}
