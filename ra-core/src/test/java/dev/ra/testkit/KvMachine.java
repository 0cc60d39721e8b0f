package dev.ra.testkit;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A key-value machine for runtime tests: {@link Put}, {@link Get} and {@link Delete} on string keys. The state is an
 * immutable map copied on write (fine for test sizes). With {@code releaseEvery > 0} it emits a
 * {@link Effect.ReleaseCursor} every that many entries, so tests can exercise snapshots.
 *
 * <p>Not ra-examples' {@code KvMachine}: the ra-core, ra-log and ra-transport-netty tests that use this one are
 * upstream of ra-examples and cannot depend on it.
 */
public final class KvMachine implements StateMachine<Object, Map<String, String>>
{
    /**
     * Set a key; replies with the previous value or null.
     *
     * @param key   to set.
     * @param value to store.
     */
    public record Put(String key, String value)
    {
    }

    /**
     * Read a key through the log; replies with the value or null.
     *
     * @param key to read.
     */
    public record Get(String key)
    {
    }

    /**
     * Remove a key; replies with the previous value or null.
     *
     * @param key to remove.
     */
    public record Delete(String key)
    {
    }

    private final long releaseEvery;

    /**
     * A machine that never asks for snapshots.
     */
    public KvMachine()
    {
        this(0);
    }

    /**
     * @param releaseEvery emit a release cursor every this many entries; 0 for never.
     */
    public KvMachine(final long releaseEvery)
    {
        this.releaseEvery = releaseEvery;
    }

    @Override
    public Map<String, String> init(final InitArgs args)
    {
        return Map.of();
    }

    @Override
    public ApplyResult<Map<String, String>> apply(final CommandMeta meta, final Object command,
        final Map<String, String> state)
    {
        final ApplyResult<Map<String, String>> result;
        if (command instanceof Put put)
        {
            final Map<String, String> next = new LinkedHashMap<>(state);
            final String previous = next.put(put.key(), put.value());
            result = ApplyResult.of(next, previous);
        }
        else if (command instanceof Get get)
        {
            result = ApplyResult.of(state, state.get(get.key()));
        }
        else if (command instanceof Delete delete)
        {
            final Map<String, String> next = new LinkedHashMap<>(state);
            result = ApplyResult.of(next, next.remove(delete.key()));
        }
        else
        {
            throw new IllegalArgumentException("unknown command " + command);
        }
        if (releaseEvery > 0 && meta.index() % releaseEvery == 0)
        {
            return ApplyResult.of(result.state(), result.reply(),
                List.of(new Effect.ReleaseCursor(meta.index(), result.state())));
        }
        return result;
    }

    /**
     * Named queries, usable from any node: {@code "get"} (argument: the key) returns the value or null,
     * {@code "size"} the number of keys.
     */
    @Override
    public Object query(final String name, final Object argument, final Map<String, String> state)
    {
        switch (name)
        {
            case "get":
                return state.get((String)argument);
            case "size":
                return state.size();
            default:
                throw new IllegalArgumentException("no query named '" + name + "'");
        }
    }
}
