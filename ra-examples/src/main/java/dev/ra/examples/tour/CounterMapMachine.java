package dev.ra.examples.tour;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's machine: named counters. A command {@code "name"} or {@code "name:+5"} adds to a counter (1 by default)
 * and replies with its new value. The state is an unmodifiable sorted map, copied on write.
 */
public final class CounterMapMachine implements StateMachine<String, Map<String, Long>>
{
    /**
     * Commands, replies and the state are plain values (strings, numbers, a map): bytes naming any enum or record class
     * are refused before it is loaded. Made once: the runtime asks for a machine's codecs with every command.
     */
    private static final Codec<Object> PLAIN_VALUES = Codecs.generic(new Class<?>[0]);

    @Override
    public Map<String, Long> init(final InitArgs args)
    {
        return Map.of();
    }

    @Override
    public Class<String> commandType()
    {
        return String.class;
    }

    @Override
    public ApplyResult<Map<String, Long>> apply(final CommandMeta meta, final String command,
        final Map<String, Long> state)
    {
        final int colon = command.indexOf(':');
        final String name = colon < 0 ? command : command.substring(0, colon);
        final long amount = colon < 0 ? 1 : Long.parseLong(command.substring(colon + 1).replace("+", ""));
        final Map<String, Long> next = new TreeMap<>(state);
        final long value = next.merge(name, amount, Long::sum);
        return ApplyResult.of(java.util.Collections.unmodifiableMap(next), value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<String> commandCodec()
    {
        return (Codec<String>)(Codec<?>)PLAIN_VALUES;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<Map<String, Long>> stateCodec()
    {
        return (Codec<Map<String, Long>>)(Codec<?>)PLAIN_VALUES;
    }

    @Override
    public Codec<Object> replyCodec()
    {
        return PLAIN_VALUES;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return PLAIN_VALUES;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return PLAIN_VALUES;
    }
}
