package dev.ra.examples.support;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import java.util.ArrayList;
import java.util.List;

/**
 * When a toolbox machine offers its state as a snapshot point: after at least {@code interval} log entries since the
 * previous {@link Effect.ReleaseCursor}.
 *
 * <p>Counting log indexes rather than applied commands makes the rule independent of entries the machine never sees
 * (no-ops written by new leaders, membership changes). The cursor is only a hint: the server snapshots when it is
 * also far enough above its previous snapshot (the system's minimum snapshot interval), so a small interval here costs
 * little. Ra's Jepsen runs used a cursor every 10 operations to force frequent snapshots.
 *
 * @param interval minimum number of log entries between two release cursors, at least 1.
 */
public record ReleaseCursorPolicy(long interval)
{
    /** The interval used by the machines' default constructors. */
    public static final long DEFAULT_INTERVAL = 64;

    /** Checks that {@code interval} is at least 1. */
    public ReleaseCursorPolicy
    {
        if (interval < 1)
        {
            throw new IllegalArgumentException("release cursor interval must be >= 1, got " + interval);
        }
    }

    /**
     * A policy with the given interval.
     *
     * @param interval minimum number of log entries between two release cursors.
     * @return the policy.
     */
    public static ReleaseCursorPolicy every(final long interval)
    {
        return new ReleaseCursorPolicy(interval);
    }

    /**
     * The policy used by the machines' default constructors.
     *
     * @return a policy with {@link #DEFAULT_INTERVAL}.
     */
    public static ReleaseCursorPolicy defaults()
    {
        return new ReleaseCursorPolicy(DEFAULT_INTERVAL);
    }

    /**
     * Whether a cursor is due at {@code index}.
     *
     * @param lastCursorIndex index of the previous cursor, 0 if none.
     * @param index           of the entry being applied.
     * @return true if at least {@link #interval} entries have passed.
     */
    public boolean due(final long lastCursorIndex, final long index)
    {
        return index - lastCursorIndex >= interval;
    }

    /**
     * Build the result of an apply, appending a {@link Effect.ReleaseCursor} for the new state when one is due. The
     * state inside the cursor is the returned state itself, which already records the cursor index.
     *
     * @param meta    of the entry being applied.
     * @param state   after the command.
     * @param reply   for the caller.
     * @param effects of the command, in order.
     * @param <S>     the state type.
     * @return the apply result.
     */
    public <S extends CursorTracked<S>> ApplyResult<S> result(
        final CommandMeta meta, final S state, final Object reply, final List<Effect> effects)
    {
        if (!due(state.cursorIndex(), meta.index()))
        {
            return ApplyResult.of(state, reply, effects);
        }
        final S marked = state.withCursorIndex(meta.index());
        final List<Effect> all = new ArrayList<>(effects.size() + 1);
        all.addAll(effects);
        all.add(new Effect.ReleaseCursor(meta.index(), marked));
        return ApplyResult.of(marked, reply, all);
    }
}
