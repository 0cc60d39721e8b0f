package dev.ra.examples.support;

import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.Set;

/**
 * A machine whose command codec, once asked to encode a command of a newer kind a second time (a retry of it), refuses
 * that command and every command of that kind after it: as a cluster does whose leader was elected after an attempt of
 * unknown outcome and has the switch to the machine version with those commands in its log but not applied yet, and
 * so checks commands with the older version's codec. Only the caller's node encodes a command: a client on another
 * node than the leader's sees the refusal before the log ({@code InvalidCommandException}).
 */
public final class SwitchNotYetApplied
{
    private SwitchNotYetApplied()
    {
    }

    /**
     * @param machine the machine to run.
     * @param newer   the kind of command the older version does not know.
     * @param <C>     the command type.
     * @param <S>     the state type.
     * @return the machine, its codec refusing {@code newer} commands from the first retry of one on.
     */
    @SuppressWarnings("unchecked")
    public static <C, S> StateMachine<C, S> refusingFromTheFirstRetry(final StateMachine<C, S> machine,
        final Class<?> newer)
    {
        final Codec<C> codec = machine.commandCodec();
        final Set<Object> encoded = new HashSet<>();
        final boolean[] refusing = new boolean[1];
        final Codec<C> refusingCodec = new Codec<>()
        {
            @Override
            public void encode(final C value, final BufferWriter out)
            {
                if (newer.isInstance(value))
                {
                    synchronized (encoded)
                    {
                        refusing[0] |= !encoded.add(value);
                        if (refusing[0])
                        {
                            throw new CodecException(newer.getSimpleName() + " needs a newer machine version");
                        }
                    }
                }
                codec.encode(value, out);
            }

            @Override
            public C decode(final BufferReader in)
            {
                return codec.decode(in);
            }
        };
        return (StateMachine<C, S>)Proxy.newProxyInstance(SwitchNotYetApplied.class.getClassLoader(),
            new Class<?>[] {StateMachine.class}, (proxy, method, args) ->
            {
                if ("commandCodec".equals(method.getName()))
                {
                    return refusingCodec;
                }
                if ("machineFor".equals(method.getName()) && (int)args[0] >= machine.version())
                {
                    return proxy;
                }
                try
                {
                    return method.invoke(machine, args);
                }
                catch (final InvocationTargetException ex)
                {
                    throw ex.getCause();
                }
            });
    }
}
