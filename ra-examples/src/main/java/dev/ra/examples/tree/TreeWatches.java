package dev.ra.examples.tree;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.support.Persistent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The watches of the tree and the processes holding them: an immutable value in the machine's state, replaced on
 * every change. Pure: operations add the messages and monitors they need to an effect list (effects run on the
 * leader only).
 *
 * <p>A watcher stays known after its one-shot watches fired, until it ends, so that a new leader can tell it to
 * re-register ({@link TreeWatchMessage.Resync}): the event of a watch that fired just before a failover may have been
 * lost with the old leader, and the re-registration finds it ({@link TreeCommand.Reregister}).
 *
 * <p><b>Unreachable watchers expire.</b> A watcher whose node is reported unreachable keeps its watches, with the log
 * time of that report ({@link #unreachableSinceMs}), for an expiry bound the machine passes in; a node that comes
 * back before it keeps them. A second report (a new leader's monitor finding the node still cut off) keeps the first
 * time, so failovers do not extend the bound. The decision uses log time only ({@code CommandMeta.systemTimeMs}), so
 * every member drops the same watches at the same index: the leader arms the {@link Effect.Timer} named
 * {@link #EXPIRY_TIMER}, Ra appends its {@link dev.ra.BuiltinCommand.Timeout}, and {@link #expire} drops the
 * watchers whose bound has passed at that entry's time, with all their watches, one-shot and persistent. A new leader
 * arms the timer at once ({@link #leaderEffects}), and the check at its entry re-arms it for the rest. An expired
 * watcher leaves a tombstone (its process only; at most {@link #EXPIRED_KEPT}, oldest dropped first): when its node
 * comes back it is known again and told to {@link TreeWatchMessage.Resync}, and its re-registration restores the
 * watches it still holds (a one-shot watch whose path changed meanwhile fires then instead; one that already fired
 * is not held by the client any more, so it stays gone).
 *
 * @param watches            in the order they were set; a watch set twice is held once.
 * @param watchers           processes known to watch, in the order they first set a watch.
 * @param unreachableSinceMs log time of the entry that first reported a watcher's node unreachable, for each
 *                           watcher currently cut off.
 * @param expired            tombstones: watchers dropped after staying unreachable past the bound, oldest first; told
 *                           to re-register when their node comes back.
 */
public record TreeWatches(List<TreeWatch> watches, List<ProcessRef> watchers, Map<ProcessRef, Long> unreachableSinceMs,
    List<ProcessRef> expired)
{
    /** No watch. */
    public static final TreeWatches EMPTY = new TreeWatches(List.of(), List.of(), Map.of(), List.of());

    /** Name of the leader's timer that checks unreachable watchers for expiry. */
    public static final String EXPIRY_TIMER = "dev.ra.examples.tree.watchExpiry";

    /**
     * Number of tombstones of expired watchers kept (oldest dropped first): a watcher whose tombstone is gone when its
     * node returns is not told to re-register, and hears nothing more until it sets a watch again.
     */
    public static final int EXPIRED_KEPT = 1_000;

    /** Checks that the collections are not null. */
    public TreeWatches
    {
        Objects.requireNonNull(watches, "watches");
        Objects.requireNonNull(watchers, "watchers");
        Objects.requireNonNull(unreachableSinceMs, "unreachableSinceMs");
        Objects.requireNonNull(expired, "expired");
    }

    private TreeWatches withWatches(final List<TreeWatch> nextWatches)
    {
        return new TreeWatches(nextWatches, watchers, unreachableSinceMs, expired);
    }

    /**
     * @param watcher a process.
     * @return whether it is known here: holding watches, known after they fired, or a tombstone.
     */
    public boolean knows(final ProcessRef watcher)
    {
        return watchers.contains(watcher) || expired.contains(watcher);
    }

    /**
     * Set a watch. A watcher new here (or returning from a tombstone) is monitored; one marked unreachable is
     * monitored again and marked reachable, as its command came through (if its node is still cut off the monitor
     * reports it again, from this entry's time).
     *
     * @param watch   to set.
     * @param effects to add a monitor of a new watcher to.
     * @return the watches with this one set.
     */
    public TreeWatches set(final TreeWatch watch, final List<Effect> effects)
    {
        final ProcessRef watcher = watch.watcher();
        List<ProcessRef> nextWatchers = watchers;
        Map<ProcessRef, Long> nextUnreachable = unreachableSinceMs;
        List<ProcessRef> nextExpired = expired;
        if (!watchers.contains(watcher))
        {
            nextWatchers = Persistent.append(watchers, watcher);
            nextExpired = expired.contains(watcher) ? Persistent.removeIf(expired, watcher::equals) : expired;
            effects.add(new Effect.Monitor(watcher));
        }
        else if (unreachableSinceMs.containsKey(watcher))
        {
            nextUnreachable = Persistent.remove(unreachableSinceMs, watcher);
            effects.add(new Effect.Monitor(watcher));
        }
        final List<TreeWatch> nextWatches = watches.contains(watch) ? watches : Persistent.append(watches, watch);
        return nextWatches == watches && nextWatchers == watchers && nextUnreachable == unreachableSinceMs ? this :
            new TreeWatches(nextWatches, nextWatchers, nextUnreachable, nextExpired);
    }

    /**
     * Fire the watches an event concerns: each watcher gets the event once; one-shot watches go.
     *
     * @param type    of the event.
     * @param path    of the event.
     * @param zxid    of the change.
     * @param effects to add the messages to.
     * @return the watches without the one-shot watches that fired.
     */
    public TreeWatches fire(final TreeEventType type, final String path, final long zxid, final List<Effect> effects)
    {
        final Set<ProcessRef> recipients = new LinkedHashSet<>();
        final List<TreeWatch> kept = new ArrayList<>(watches.size());
        for (final TreeWatch watch : watches)
        {
            if (fires(watch, type, path))
            {
                recipients.add(watch.watcher());
                if (watch.mode().isOneShot())
                {
                    continue;
                }
            }
            kept.add(watch);
        }
        for (final ProcessRef recipient : recipients)
        {
            effects.add(new Effect.SendMsg(recipient, new TreeWatchMessage.Event(type, path, zxid)));
        }
        return kept.size() == watches.size() ? this : withWatches(List.copyOf(kept));
    }

    /**
     * Fire one watch of one watcher at once (re-registration found its change): the watch goes if it is held.
     *
     * @param watch   to fire.
     * @param type    of the event.
     * @param zxid    of the event.
     * @param effects to add the message to.
     * @return the watches without that watch.
     */
    public TreeWatches fireNow(final TreeWatch watch, final TreeEventType type, final long zxid,
        final List<Effect> effects)
    {
        effects.add(new Effect.SendMsg(watch.watcher(), new TreeWatchMessage.Event(type, watch.path(), zxid)));
        return watches.contains(watch) ? withWatches(Persistent.removeIf(watches, watch::equals)) : this;
    }

    /**
     * @param watcher holding the watches.
     * @param path    watched.
     * @param mode    of the watches to remove, or {@code null} for all.
     * @return the watches without them.
     */
    public TreeWatches remove(final ProcessRef watcher, final String path, final WatchMode mode)
    {
        final List<TreeWatch> kept = Persistent.removeIf(watches, w -> w.watcher().equals(watcher) &&
            w.path().equals(path) && (null == mode || w.mode() == mode));
        return kept.size() == watches.size() ? this : withWatches(kept);
    }

    /**
     * @param process that ended.
     * @return the watches without that process, its watches and its tombstone.
     */
    public TreeWatches down(final ProcessRef process)
    {
        if (!knows(process))
        {
            return this;
        }
        return new TreeWatches(Persistent.removeIf(watches, w -> w.watcher().equals(process)),
            Persistent.removeIf(watchers, process::equals), Persistent.remove(unreachableSinceMs, process),
            Persistent.removeIf(expired, process::equals));
    }

    /**
     * A watcher's node was reported unreachable: its watches stay, with the log time of the first such report, and
     * expire if the node is not back within {@code expiryMs}. A watcher already marked keeps its first time.
     *
     * @param process  a known watcher (anything else changes nothing).
     * @param nowMs    log time of the entry that reports it ({@code CommandMeta.systemTimeMs}).
     * @param expiryMs how long an unreachable watcher keeps its watches, at least 0; the same on every member.
     * @param effects  to add the node monitor and the expiry timer to.
     * @return the watches after it.
     */
    public TreeWatches unreachable(final ProcessRef process, final long nowMs, final long expiryMs,
        final List<Effect> effects)
    {
        if (!watchers.contains(process))
        {
            return this;
        }
        // Hear when the node is back, to have the watcher re-register (events sent meanwhile are lost).
        effects.add(new Effect.MonitorNode(process.node()));
        if (unreachableSinceMs.containsKey(process))
        {
            return this;
        }
        final TreeWatches after = new TreeWatches(watches, watchers, Persistent.put(unreachableSinceMs, process, nowMs),
            expired);
        after.armExpiry(nowMs, expiryMs, effects);
        return after;
    }

    /**
     * The expiry check, at the {@link dev.ra.BuiltinCommand.Timeout} of {@link #EXPIRY_TIMER}: drop every watcher
     * unreachable for at least {@code expiryMs} at {@code nowMs}, with all its watches (leaving a tombstone), and
     * re-arm the timer for the next one due. Deterministic: the same on every member at the same entry.
     *
     * @param nowMs    log time of the entry ({@code CommandMeta.systemTimeMs}).
     * @param expiryMs how long an unreachable watcher keeps its watches, at least 0; the same on every member.
     * @param effects  to add the re-armed timer to.
     * @return the watches after it.
     */
    public TreeWatches expire(final long nowMs, final long expiryMs, final List<Effect> effects)
    {
        final Set<ProcessRef> due = new LinkedHashSet<>();
        for (final Map.Entry<ProcessRef, Long> cutOff : unreachableSinceMs.entrySet())
        {
            if (nowMs - cutOff.getValue() >= expiryMs)
            {
                due.add(cutOff.getKey());
            }
        }
        if (due.isEmpty())
        {
            armExpiry(nowMs, expiryMs, effects);
            return this;
        }
        final Map<ProcessRef, Long> stillCutOff = new LinkedHashMap<>(unreachableSinceMs);
        stillCutOff.keySet().removeAll(due);
        final List<ProcessRef> tombstones = new ArrayList<>(expired);
        tombstones.removeAll(due);
        tombstones.addAll(due);
        while (tombstones.size() > EXPIRED_KEPT)
        {
            tombstones.remove(0);
        }
        final TreeWatches after = new TreeWatches(Persistent.removeIf(watches, w -> due.contains(w.watcher())),
            Persistent.removeIf(watchers, due::contains), Collections.unmodifiableMap(stillCutOff),
            List.copyOf(tombstones));
        after.armExpiry(nowMs, expiryMs, effects);
        return after;
    }

    /**
     * @param timerName of a {@link dev.ra.BuiltinCommand.Timeout}.
     * @return whether it is the watch expiry check (pass it to {@link #expire}).
     */
    public static boolean isExpiryTimer(final String timerName)
    {
        return EXPIRY_TIMER.equals(timerName);
    }

    /**
     * Arm the expiry timer for the earliest unreachable watcher, if any. The timer fires at or after its deadline in
     * leader time; the check at its entry decides by log time, and re-arms for a timer that fired early.
     */
    private void armExpiry(final long nowMs, final long expiryMs, final List<Effect> effects)
    {
        long earliest = Long.MAX_VALUE;
        for (final long since : unreachableSinceMs.values())
        {
            earliest = Math.min(earliest, since);
        }
        if (earliest != Long.MAX_VALUE)
        {
            // Written so that no bound, however long, overflows into a timer that fires at once.
            final long elapsed = Math.max(0, nowMs - earliest);
            effects.add(new Effect.Timer(EXPIRY_TIMER, Math.max(0, expiryMs - elapsed)));
        }
    }

    /**
     * A node is reachable again: its watchers are marked reachable, its tombstones known again as watchers (without
     * watches), and all of them monitored (a dead one is then reported) and told to re-register: their events may
     * have been lost while it was cut off, and an expired one holds no watch here any more.
     *
     * @param node    that is reachable again.
     * @param zxid    of the tree.
     * @param effects to add the monitors and messages to.
     * @return the watches after it.
     */
    public TreeWatches nodeUp(final String node, final long zxid, final List<Effect> effects)
    {
        final Map<ProcessRef, Long> stillCutOff = new LinkedHashMap<>(unreachableSinceMs);
        stillCutOff.keySet().removeIf(w -> w.node().equals(node));
        final List<ProcessRef> back = new ArrayList<>();
        for (final ProcessRef gone : expired)
        {
            if (gone.node().equals(node))
            {
                back.add(gone);
            }
        }
        final List<ProcessRef> nextWatchers = new ArrayList<>(watchers);
        nextWatchers.addAll(back);
        for (final ProcessRef watcher : nextWatchers)
        {
            if (watcher.node().equals(node))
            {
                effects.add(new Effect.Monitor(watcher));
                effects.add(new Effect.SendMsg(watcher, new TreeWatchMessage.Resync(zxid)));
            }
        }
        if (back.isEmpty() && stillCutOff.size() == unreachableSinceMs.size())
        {
            return this;
        }
        return new TreeWatches(watches, List.copyOf(nextWatchers), Collections.unmodifiableMap(stillCutOff),
            Persistent.removeIf(expired, back::contains));
    }

    /**
     * What a new leader does: monitor every watcher and tell each to re-register; monitor the nodes of unreachable
     * watchers and of tombstones, tell tombstones to re-register too (a previous leader's message may have been lost;
     * if the node is still cut off it waits for its return), and, if any watcher is unreachable, arm the expiry timer
     * at once: its entry carries this leader's time, so the check there drops what is due by the replicated times and
     * re-arms the timer for the rest (a watch never expires before its bound in log time).
     *
     * @param zxid of the tree.
     * @return the effects.
     */
    public List<Effect> leaderEffects(final long zxid)
    {
        final List<Effect> effects = new ArrayList<>();
        for (final ProcessRef watcher : watchers)
        {
            effects.add(new Effect.Monitor(watcher));
            effects.add(new Effect.SendMsg(watcher, new TreeWatchMessage.Resync(zxid)));
        }
        final Set<String> nodes = new LinkedHashSet<>();
        for (final ProcessRef watcher : unreachableSinceMs.keySet())
        {
            if (nodes.add(watcher.node()))
            {
                effects.add(new Effect.MonitorNode(watcher.node()));
            }
        }
        for (final ProcessRef gone : expired)
        {
            effects.add(new Effect.Monitor(gone));
            if (nodes.add(gone.node()))
            {
                effects.add(new Effect.MonitorNode(gone.node()));
            }
            effects.add(new Effect.SendMsg(gone, new TreeWatchMessage.Resync(zxid)));
        }
        if (!unreachableSinceMs.isEmpty())
        {
            effects.add(new Effect.Timer(EXPIRY_TIMER, 0));
        }
        return effects;
    }

    /**
     * @param watch a watch.
     * @param type  of an event.
     * @param path  of the event.
     * @return whether the event fires the watch (ZooKeeper 3.6 semantics).
     */
    public static boolean fires(final TreeWatch watch, final TreeEventType type, final String path)
    {
        return switch (watch.mode())
        {
            case DATA -> watch.path().equals(path) &&
                (type == TreeEventType.NODE_DATA_CHANGED || type == TreeEventType.NODE_DELETED);
            case EXIST -> watch.path().equals(path) && type != TreeEventType.NODE_CHILDREN_CHANGED;
            case CHILD -> watch.path().equals(path) &&
                (type == TreeEventType.NODE_CHILDREN_CHANGED || type == TreeEventType.NODE_DELETED);
            case PERSISTENT -> watch.path().equals(path);
            case PERSISTENT_RECURSIVE -> TreePaths.covers(watch.path(), path) &&
                type != TreeEventType.NODE_CHILDREN_CHANGED;
        };
    }
}
