package dev.ra.examples.support;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays the part of a Raft member for a machine under test: numbers entries, stamps leader time, routes commands to
 * {@code apply}, builtins to {@code applyBuiltin} and roles to {@code stateEnter}, and threads the state through.
 * Pure and single-threaded, so tests assert on exact values.
 *
 * @param <C> command type.
 * @param <S> state type.
 */
public final class MachineDriver<C, S>
{
    /** Leader time of the first entry. */
    public static final long START_TIME_MS = 1_000_000;

    private final StateMachine<C, S> machine;
    private final Class<C> commandType;
    private S state;
    private long index;
    private long timeMs = START_TIME_MS;

    /**
     * @param machine     under test.
     * @param commandType to tell commands from the other inputs.
     */
    public MachineDriver(final StateMachine<C, S> machine, final Class<C> commandType)
    {
        this.machine = machine;
        this.commandType = commandType;
        this.state = machine.init(new InitArgs("test", new ServerId("s1", "n1")));
    }

    /**
     * @return the current state.
     */
    public S state()
    {
        return state;
    }

    /**
     * Replace the state, as installing a snapshot does.
     *
     * @param restored the new state.
     */
    public void restore(final S restored)
    {
        this.state = restored;
    }

    /**
     * @return the index the next entry gets.
     */
    public long nextIndex()
    {
        return index + 1;
    }

    /**
     * @return the leader time the next entry gets.
     */
    public long nowMs()
    {
        return timeMs;
    }

    /**
     * Advance the leader clock.
     *
     * @param ms to advance by.
     */
    public void advance(final long ms)
    {
        timeMs += ms;
    }

    /**
     * Skip log indexes, as entries the machine never sees (leader no-ops) do.
     *
     * @param count of indexes to skip.
     */
    public void skip(final long count)
    {
        index += count;
    }

    /**
     * Apply a user command at the next index.
     *
     * @param command to apply.
     * @return the result.
     */
    public ApplyResult<S> apply(final C command)
    {
        final ApplyResult<S> result = machine.apply(nextMeta(), command, state);
        state = result.state();
        MachineCodecsCheck.travels(machine, command, result.reply(), result.effects());
        return result;
    }

    /**
     * Apply a builtin command at the next index.
     *
     * @param command to apply.
     * @return the result.
     */
    public ApplyResult<S> builtin(final BuiltinCommand command)
    {
        final ApplyResult<S> result = machine.applyBuiltin(nextMeta(), command, state);
        state = result.state();
        MachineCodecsCheck.travels(machine, null, result.reply(), result.effects());
        return result;
    }

    /**
     * Enter a role; uses no index.
     *
     * @param role entered.
     * @return the effects.
     */
    public List<dev.ra.Effect> enter(final RaftRole role)
    {
        final List<dev.ra.Effect> effects = machine.stateEnter(role, state);
        MachineCodecsCheck.travels(machine, null, null, effects);
        return effects;
    }

    /**
     * Run one input of any kind.
     *
     * @param input to run.
     * @return what it produced.
     */
    public Outcome<S> step(final Input input)
    {
        advance(input.advanceMs());
        final Object payload = input.payload();
        if (payload instanceof BuiltinCommand builtin)
        {
            final ApplyResult<S> result = builtin(builtin);
            return new Outcome<>(result.state(), result.reply(), result.effects());
        }
        if (payload instanceof RaftRole role)
        {
            return new Outcome<>(state, null, enter(role));
        }
        final ApplyResult<S> result = apply(commandType.cast(payload));
        return new Outcome<>(result.state(), result.reply(), result.effects());
    }

    /**
     * Run inputs in order.
     *
     * @param inputs to run.
     * @return what each produced.
     */
    public List<Outcome<S>> run(final List<Input> inputs)
    {
        final List<Outcome<S>> outcomes = new ArrayList<>(inputs.size());
        for (final Input input : inputs)
        {
            outcomes.add(step(input));
        }
        return outcomes;
    }

    private CommandMeta nextMeta()
    {
        index++;
        return new CommandMeta(index, 1, timeMs, machine.version());
    }
}
