package dev.ra.examples.support;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import java.util.List;
import java.util.Map;

/**
 * A machine whose apply goes through a test's hook, and is otherwise the machine it wraps: the hook can answer a
 * command, or change what the machine's apply returned, as a failure the test stands for would (effects lost with a
 * leader, a call the cluster no longer knew). The hook must decide alike on every member, from the command and the
 * state: every member applies the same commands.
 *
 * @param <C> the command type.
 * @param <S> the state type.
 */
public final class HookedApply<C, S> implements StateMachine<C, S>
{
    private final StateMachine<C, S> machine;
    private final Hook<C, S> hook;

    /**
     * @param machine to run.
     * @param hook    every apply goes through.
     */
    public HookedApply(final StateMachine<C, S> machine, final Hook<C, S> hook)
    {
        this.machine = machine;
        this.hook = hook;
    }

    /**
     * What a command's apply does instead of the machine's.
     *
     * @param <C> the command type.
     * @param <S> the state type.
     */
    @FunctionalInterface
    public interface Hook<C, S>
    {
        /**
         * @param meta    of the entry.
         * @param command to apply.
         * @param state   before it.
         * @param machine the machine wrapped, to apply the command with.
         * @return the result.
         */
        ApplyResult<S> apply(CommandMeta meta, C command, S state, StateMachine<C, S> machine);
    }

    @Override
    public int version()
    {
        return machine.version();
    }

    @Override
    public StateMachine<C, S> machineFor(final int version)
    {
        return version >= machine.version() ? this : machine.machineFor(version);
    }

    @Override
    public S init(final InitArgs args)
    {
        return machine.init(args);
    }

    @Override
    public ApplyResult<S> apply(final CommandMeta meta, final C command, final S state)
    {
        return hook.apply(meta, command, state, machine);
    }

    @Override
    public ApplyResult<S> applyBuiltin(final CommandMeta meta, final BuiltinCommand command, final S state)
    {
        return machine.applyBuiltin(meta, command, state);
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final S state)
    {
        return machine.stateEnter(role, state);
    }

    @Override
    public List<Effect> tick(final long nowMs, final S state)
    {
        return machine.tick(nowMs, state);
    }

    @Override
    public Map<String, Object> overview(final S state)
    {
        return machine.overview(state);
    }

    @Override
    public Class<? super C> commandType()
    {
        return machine.commandType();
    }

    @Override
    public Codec<C> commandCodec()
    {
        return machine.commandCodec();
    }

    @Override
    public Codec<S> stateCodec()
    {
        return machine.stateCodec();
    }

    @Override
    public Codec<Object> replyCodec()
    {
        return machine.replyCodec();
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return machine.messageCodec();
    }

    @Override
    public Object query(final String name, final Object argument, final S state)
    {
        return machine.query(name, argument, state);
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return machine.queryCodec();
    }
}
