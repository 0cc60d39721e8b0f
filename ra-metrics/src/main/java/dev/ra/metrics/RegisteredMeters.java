package dev.ra.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The meters registered so far, grouped by what they describe (a server, a follower of a leader, a peer node), so
 * that the meters of something that went away are removed from every registry they were added to. Guarded by the
 * owning {@link RaMetrics}, and, for ownership, by {@link #LOCK}.
 *
 * <p>A registry hands out the meter it already has for an id: two binders of the same node with the same tags on one
 * registry get the same meters. Each meter is owned by the binder that created it, which alone removes it; the other
 * binder only records it, and registers its own once the owner has let it go ({@link #sweep}).
 */
final class RegisteredMeters
{
    /**
     * Guards every binder's owned meters and {@link #BOUND}, across the JVM: a binder's registering and claiming a
     * meter is one step, so that the binder whose state a meter reads is the one that owns it.
     */
    static final Object LOCK = new Object();
    /** The binders bound to each registry; weak, so that neither outlives its application's references. */
    private static final Map<MeterRegistry, List<WeakReference<RegisteredMeters>>> BOUND = new WeakHashMap<>();

    private record Registered(MeterRegistry registry, Meter meter, boolean owned)
    {
    }

    private final RaMetrics binder;
    private final Map<Object, List<Registered>> byKey = new HashMap<>();
    /** Guarded by LOCK. */
    private final Set<Meter> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private int shared;

    RegisteredMeters(final RaMetrics binder)
    {
        this.binder = binder;
    }

    void bind(final MeterRegistry registry)
    {
        synchronized (LOCK)
        {
            BOUND.computeIfAbsent(registry, r -> new ArrayList<>()).add(new WeakReference<>(this));
        }
    }

    void add(final Object key, final MeterRegistry registry, final List<Meter> meters)
    {
        synchronized (LOCK)
        {
            final List<Registered> list = byKey.computeIfAbsent(key, k -> new ArrayList<>());
            for (final Meter meter : meters)
            {
                final boolean mine = owned.contains(meter) || !ownedByAnother(registry, meter);
                if (mine)
                {
                    owned.add(meter);
                }
                else
                {
                    shared++;
                }
                list.add(new Registered(registry, meter, mine));
            }
        }
    }

    private boolean ownedByAnother(final MeterRegistry registry, final Meter meter)
    {
        for (final WeakReference<RegisteredMeters> ref : BOUND.getOrDefault(registry, List.of()))
        {
            final RegisteredMeters other = ref.get();
            if (null != other && other != this && other.owned.contains(meter))
            {
                return true;
            }
        }
        return false;
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
        synchronized (LOCK)
        {
            final List<Registered> list = byKey.remove(key);
            if (null != list)
            {
                list.forEach(this::release);
            }
        }
    }

    private void release(final Registered r)
    {
        if (r.owned)
        {
            r.registry.remove(r.meter);
            owned.remove(r.meter);
        }
        else
        {
            shared--;
        }
    }

    /**
     * Forget what this binder recorded in a registry of meters whose owner let them go (closed, or removed them), key
     * by key, so that its next registration creates its own.
     *
     * @param registry bound.
     */
    void sweep(final MeterRegistry registry)
    {
        synchronized (LOCK)
        {
            if (0 == shared)
            {
                return;
            }
            for (final Iterator<List<Registered>> lists = byKey.values().iterator(); lists.hasNext();)
            {
                final List<Registered> list = lists.next();
                if (list.stream().anyMatch(r -> r.registry == registry && !r.owned &&
                    !ownedByAnother(registry, r.meter)))
                {
                    // Meters of this key that are this binder's own stay registered: registering again finds them.
                    list.removeIf(r ->
                    {
                        if (r.registry == registry && !r.owned)
                        {
                            shared--;
                        }
                        return r.registry == registry;
                    });
                    if (list.isEmpty())
                    {
                        lists.remove();
                    }
                }
            }
        }
    }

    /**
     * Remove every meter this binder owns, and unbind it from its registries.
     *
     * @param registries bound.
     * @return the other binders bound to those registries, which may have to register what was removed.
     */
    List<RaMetrics> close(final List<MeterRegistry> registries)
    {
        synchronized (LOCK)
        {
            for (final Object key : new ArrayList<>(byKey.keySet()))
            {
                remove(key);
            }
            final List<RaMetrics> others = new ArrayList<>();
            for (final MeterRegistry registry : registries)
            {
                final List<WeakReference<RegisteredMeters>> bound = BOUND.getOrDefault(registry, new ArrayList<>());
                bound.removeIf(ref -> null == ref.get() || this == ref.get());
                for (final WeakReference<RegisteredMeters> ref : bound)
                {
                    final RegisteredMeters other = ref.get();
                    if (null != other)
                    {
                        others.add(other.binder);
                    }
                }
                if (bound.isEmpty())
                {
                    BOUND.remove(registry);
                }
            }
            return others;
        }
    }
}
