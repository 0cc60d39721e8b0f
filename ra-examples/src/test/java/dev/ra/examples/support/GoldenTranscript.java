package dev.ra.examples.support;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.Effect;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Drives a machine through a fixed sequence of inputs and writes down, line by line, what a member of another build
 * must reproduce byte for byte: each command's bytes in the machine's command codec, each reply and effect, and the
 * state codec's bytes (the snapshot) where the scenario asks for them. A release cursor's state is written as its
 * snapshot bytes. Captured from an older build and kept as a resource, it is checked with {@link GoldenFiles}.
 *
 * @param <C> the command type.
 * @param <S> the state type.
 */
public final class GoldenTranscript<C, S>
{
    private final StateMachine<C, S> machine;
    private final MachineDriver<C, S> driver;
    private final List<String> lines = new ArrayList<>();

    /**
     * A transcript of a machine from its initial state.
     *
     * @param machine     to drive, at the version whose bytes are pinned.
     * @param commandType the machine's command type.
     */
    public GoldenTranscript(final StateMachine<C, S> machine, final Class<C> commandType)
    {
        this.machine = machine;
        this.driver = new MachineDriver<>(machine, commandType);
    }

    /**
     * Apply a command at the next index and write down its bytes, reply and effects.
     *
     * @param command to apply.
     * @return its result.
     */
    public ApplyResult<S> apply(final C command)
    {
        lines.add("command " + command + " " + hex(machine.commandCodec().toBytes(command)));
        return written(driver.apply(command));
    }

    /**
     * Apply a builtin command at the next index and write down its reply and effects.
     *
     * @param command to apply.
     * @return its result.
     */
    public ApplyResult<S> builtin(final BuiltinCommand command)
    {
        lines.add("builtin " + command);
        return written(driver.builtin(command));
    }

    /**
     * Enter a role and write down the effects.
     *
     * @param role entered.
     */
    public void enter(final RaftRole role)
    {
        lines.add("enter " + role + " effects " + effects(driver.enter(role)));
    }

    /**
     * Move the clock of the entries that follow.
     *
     * @param ms to move by.
     */
    public void advance(final long ms)
    {
        driver.advance(ms);
        lines.add("advance " + ms);
    }

    /**
     * Write down the state codec's bytes of the current state, and go on from the state read back from them, as a
     * member that installs this snapshot does: what follows must then be what the older build did without one.
     */
    public void snapshot()
    {
        final byte[] bytes = machine.stateCodec().toBytes(driver.state());
        lines.add("snapshot " + hex(bytes));
        driver.restore(machine.stateCodec().fromBytes(bytes));
    }

    /**
     * @return the current state.
     */
    public S state()
    {
        return driver.state();
    }

    /**
     * @return the lines written so far.
     */
    public List<String> lines()
    {
        return List.copyOf(lines);
    }

    private ApplyResult<S> written(final ApplyResult<S> result)
    {
        lines.add("  reply " + result.reply());
        lines.add("  effects " + effects(result.effects()));
        return result;
    }

    @SuppressWarnings("unchecked")
    private String effects(final List<Effect> effects)
    {
        final List<String> rendered = new ArrayList<>();
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.ReleaseCursor cursor)
            {
                rendered.add("ReleaseCursor[index=" + cursor.index() + ", state=" +
                    hex(machine.stateCodec().toBytes((S)cursor.state())) + "]");
            }
            else
            {
                rendered.add(String.valueOf(effect));
            }
        }
        return rendered.toString();
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }
}
