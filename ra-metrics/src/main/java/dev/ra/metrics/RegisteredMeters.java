package dev.ra.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The meters registered so far, grouped by what they describe (a server, a follower of a leader, a peer node), so
 * that the meters of something that went away are removed from every registry they were added to. Guarded by the
 * owning {@link RaMetrics}.
 */
final class RegisteredMeters
{
    private record Registered(MeterRegistry registry, Meter meter)
    {
    }

    private final Map<Object, List<Registered>> byKey = new HashMap<>();

    void add(final Object key, final MeterRegistry registry, final List<Meter> meters)
    {
        final List<Registered> list = byKey.computeIfAbsent(key, k -> new ArrayList<>());
        for (final Meter meter : meters)
        {
            list.add(new Registered(registry, meter));
        }
    }

    boolean has(final Object key, final MeterRegistry registry)
    {
        final List<Registered> list = byKey.get(key);
        if (null == list)
        {
            return false;
        }
        for (final Registered r : list)
        {
            if (r.registry == registry)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param type of key.
     * @return the keys of that type that have meters.
     */
    <K> Set<K> keys(final Class<K> type)
    {
        final Set<K> keys = new HashSet<>();
        for (final Object key : byKey.keySet())
        {
            if (type.isInstance(key))
            {
                keys.add(type.cast(key));
            }
        }
        return keys;
    }

    void remove(final Object key)
    {
        final List<Registered> list = byKey.remove(key);
        if (null != list)
        {
            for (final Registered r : list)
            {
                r.registry.remove(r.meter);
            }
        }
    }

    void removeAll()
    {
        for (final Object key : new ArrayList<>(byKey.keySet()))
        {
            remove(key);
        }
    }
}
