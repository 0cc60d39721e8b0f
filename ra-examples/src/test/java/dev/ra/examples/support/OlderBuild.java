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
 * A machine as a build that has only its logic of one older version would run it: that version's logic and codecs,
 * and no newer version. Registered on one node of a test cluster, it holds the cluster at that version, as a member
 * not yet upgraded does during a rolling upgrade.
 *
 * @param <C> the command type.
 * @param <S> the state type.
 */
public final class OlderBuild<C, S> implements StateMachine<C, S>
{
    private final StateMachine<C, S> newest;
    private final int version;
    private final StateMachine<C, S> old;

    /**
     * @param newest  the machine of this build.
     * @param version the older version the other build stops at.
     */
    public OlderBuild(final StateMachine<C, S> newest, final int version)
    {
        this.newest = newest;
        this.version = version;
        this.old = newest.machineFor(version);
    }

    @Override
    public int version()
    {
        return version;
    }

    @Override
    public StateMachine<C, S> machineFor(final int older)
    {
        return older >= version ? this : newest.machineFor(older);
    }

    @Override
    public S init(final InitArgs args)
    {
        return old.init(args);
    }

    @Override
    public ApplyResult<S> apply(final CommandMeta meta, final C command, final S state)
    {
        return old.apply(meta, command, state);
    }

    @Override
    public ApplyResult<S> applyBuiltin(final CommandMeta meta, final BuiltinCommand command, final S state)
    {
        return old.applyBuiltin(meta, command, state);
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final S state)
    {
        return old.stateEnter(role, state);
    }

    @Override
    public List<Effect> tick(final long nowMs, final S state)
    {
        return old.tick(nowMs, state);
    }

    @Override
    public Map<String, Object> overview(final S state)
    {
        return old.overview(state);
    }

    @Override
    public Class<? super C> commandType()
    {
        return old.commandType();
    }

    @Override
    public Codec<C> commandCodec()
    {
        return old.commandCodec();
    }

    @Override
    public Codec<S> stateCodec()
    {
        return old.stateCodec();
    }

    @Override
    public Codec<Object> replyCodec()
    {
        return old.replyCodec();
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return old.messageCodec();
    }

    @Override
    public Object query(final String name, final Object argument, final S state)
    {
        return old.query(name, argument, state);
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return old.queryCodec();
    }
}
