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
import java.util.Queue;

/**
 * A machine that hands every command it applies to a queue, and is otherwise the machine it wraps: a test takes from
 * it the very command a client sent, to send a copy of it again as an attempt held up on its way would arrive.
 *
 * @param <C> the command type.
 * @param <S> the state type.
 */
public final class AppliedCommands<C, S> implements StateMachine<C, S>
{
    private final StateMachine<C, S> machine;
    private final Queue<Object> applied;

    /**
     * @param machine to run.
     * @param applied gets each command applied, in the order applied (on each member that applies it).
     */
    public AppliedCommands(final StateMachine<C, S> machine, final Queue<Object> applied)
    {
        this.machine = machine;
        this.applied = applied;
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
        applied.add(command);
        return machine.apply(meta, command, state);
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
