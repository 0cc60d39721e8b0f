package dev.ra.examples.watch;

import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.support.Persistent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The watches of a machine and the history they are served from: an immutable value that a machine embeds in its
 * state and replaces on every change. Pure: the operations add the messages and monitors they need to an effect list
 * (effects run on the leader only).
 *
 * <p><b>No miss, no duplicate.</b> Each batch sent to a watch carries the revision of the batch sent before it
 * ({@link Watch#lastSent}, kept in the replicated state), so the client can tell a gap from a duplicate. Batches can
 * be lost when a leader fails between applying an entry and sending its messages, or while the watcher's node is
 * unreachable; the client then re-registers the same watch id from its last delivered revision + 1 and the history
 * fills the gap. A new leader sends every watch a {@link WatchNotification.Resync} with its last sent revision, so a
 * lost LAST batch is noticed too, without waiting for the next event.
 *
 * <p><b>Bounded history.</b> The last {@code historyLimit} batches are kept; a watch from an older revision is refused
 * with {@link WatchReply.Compacted}, naming the newest revision dropped.
 *
 * <p><b>Unreachable watchers expire.</b> A watch whose watcher's node is reported unreachable is kept, with the log
 * time of that report ({@link Watch#unreachableSinceMs}), for an expiry bound the embedding machine passes in; a
 * node that comes back before it keeps its watches. The decision uses log time only ({@code CommandMeta
 * .systemTimeMs}), so every member expires the same watches at the same index: the leader arms the {@link Effect.Timer}
 * named {@link #EXPIRY_TIMER}, Ra appends its {@link dev.ra.BuiltinCommand.Timeout} to the log, and {@link #expire}
 * removes the watches whose bound has passed at that entry's time. A new leader (timers die with the old one) arms
 * the timer at once ({@link #leaderEffects()}); the check at its entry re-arms it for the rest, so a failover never
 * expires a watch early. An expired watch leaves a small tombstone (at most {@link #EXPIRED_KEPT}, oldest dropped
 * first), so that a watcher whose node does come back is told ({@link WatchNotification.Expired}) and re-registers
 * from its last revision, rather than waiting forever on a watch that is gone. The tombstone stays until that
 * re-registration (or a cancel, or the watcher's process found ended), so a notice lost with a failed leader is sent
 * again by the next one.
 *
 * @param watches         by id, in registration order.
 * @param history         the kept batches, oldest first.
 * @param compactRevision revision of the newest batch dropped from the history; 0 while none was.
 * @param expired         tombstones of watches that expired while unreachable, by id, oldest first: told on their
 *                        node's return.
 */
public record WatchHub(Map<String, Watch> watches, List<EventBatch> history, long compactRevision,
    Map<String, Watch> expired)
{
    /** No watch, no history. */
    public static final WatchHub EMPTY = new WatchHub(Map.of(), List.of(), 0, Map.of());

    /** Name of the leader's timer that checks unreachable watches for expiry. */
    public static final String EXPIRY_TIMER = "dev.ra.examples.watch.expiry";

    /**
     * Number of tombstones of expired watches kept (oldest dropped first): a watcher whose tombstone is gone when its
     * node returns is not told, and hears nothing more until it registers again. About 100 bytes each.
     */
    public static final int EXPIRED_KEPT = 1_000;

    /** Checks that the collections are not null. */
    public WatchHub
    {
        Objects.requireNonNull(watches, "watches");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(expired, "expired");
    }

    /**
     * @param watches after a change.
     * @return this hub with them.
     */
    private WatchHub withWatches(final Map<String, Watch> watches)
    {
        return new WatchHub(watches, history, compactRevision, expired);
    }

    /**
     * @param watchId of a watch.
     * @return the watch, or {@code null}.
     */
    public Watch watch(final String watchId)
    {
        return watches.get(watchId);
    }

    /**
     * Record the events of one revision and send them to the watches that cover them.
     *
     * @param batch        of one revision; an empty batch changes nothing.
     * @param historyLimit number of batches to keep, at least 1.
     * @param effects      to add the messages to.
     * @return the hub with the batch recorded.
     */
    public WatchHub record(final EventBatch batch, final int historyLimit, final List<Effect> effects)
    {
        if (batch.events().isEmpty())
        {
            return this;
        }
        final List<EventBatch> kept = new ArrayList<>(history.size() + 1);
        kept.addAll(history);
        kept.add(batch);
        long compacted = compactRevision;
        while (kept.size() > historyLimit)
        {
            compacted = kept.remove(0).revision();
        }
        final Map<String, Watch> next = new LinkedHashMap<>(watches);
        for (final Watch watch : watches.values())
        {
            final Watch sent = send(watch, batch, effects);
            if (sent != watch)
            {
                next.put(watch.watchId(), sent);
            }
        }
        return new WatchHub(java.util.Collections.unmodifiableMap(next), List.copyOf(kept), compacted, expired);
    }

    /**
     * Register or resume a watch, and send it at once the batches of the history from its start revision. A watch id
     * belongs to the watcher that registered it: while a watch or a tombstone of that id is another watcher's, the
     * registration is refused ({@link WatchReply.Refused}) and changes nothing, so one client's mistake (or a reused
     * id) cannot take over, end or silence another client's watch.
     *
     * @param register        the command.
     * @param currentRevision revision of the store now (a start of 0 means {@code currentRevision + 1}).
     * @param effects         to add the replayed batches and the watcher's monitor to.
     * @return the hub and the reply.
     */
    public Registration register(final WatchCommand.Register register, final long currentRevision,
        final List<Effect> effects)
    {
        final Watch held = watches.containsKey(register.watchId()) ? watches.get(register.watchId()) :
            expired.get(register.watchId());
        if (null != held && !held.watcher().equals(register.watcher()))
        {
            return new Registration(this, new WatchReply.Refused(register.watchId(), "watch id '" +
                register.watchId() + "' is in use by watcher " + held.watcher() + ", not " + register.watcher() +
                "; choose an id of your own (Watcher uses a random UUID)"));
        }
        return registerReplacingAnyWatcher(register, currentRevision, effects);
    }

    /**
     * {@link #register} as version 0 of {@code LeasedKvMachine} did it: the same id from another watcher replaced
     * that watcher's watch (or ended it, when the history could not serve the start). Kept only so that a cluster
     * still at that version applies its log as it did; use {@link #register}.
     *
     * @param register        the command.
     * @param currentRevision revision of the store now (a start of 0 means {@code currentRevision + 1}).
     * @param effects         to add the replayed batches and the watcher's monitor to.
     * @return the hub and the reply.
     */
    public Registration registerReplacingAnyWatcher(final WatchCommand.Register register, final long currentRevision,
        final List<Effect> effects)
    {
        final long start = 0 == register.startRevision() ? currentRevision + 1 : register.startRevision();
        if (start <= compactRevision)
        {
            // A resume that cannot be served ends the watch it would have resumed: it could only deliver with a gap.
            final WatchHub rest = watches.containsKey(register.watchId()) || expired.containsKey(register.watchId()) ?
                new WatchHub(Persistent.remove(watches, register.watchId()), history, compactRevision,
                    Persistent.remove(expired, register.watchId())) : this;
            return new Registration(rest,
                new WatchReply.Compacted(register.watchId(), register.startRevision(), compactRevision));
        }
        Watch watch = new Watch(register.watchId(), register.watcher(), register.prefix(), start, start - 1,
            Watch.REACHABLE);
        effects.add(new Effect.Monitor(register.watcher()));
        for (final EventBatch batch : history)
        {
            watch = send(watch, batch, effects);
        }
        // A resume of an expired watch registers it afresh: its tombstone has done its job.
        final Map<String, Watch> tombstones = expired.containsKey(register.watchId()) ?
            Persistent.remove(expired, register.watchId()) : expired;
        return new Registration(new WatchHub(Persistent.put(watches, watch.watchId(), watch), history,
            compactRevision, tombstones), new WatchReply.Watching(register.watchId(), start, currentRevision));
    }

    /**
     * The hub and reply of a registration.
     *
     * @param hub   after it.
     * @param reply for the client.
     */
    public record Registration(WatchHub hub, WatchReply reply)
    {
    }

    /**
     * Cancel a watch for its watcher: refused ({@link WatchReply.Refused}, nothing changed) while the watch or the
     * tombstone of that id is another watcher's, as {@link #register} refuses it.
     *
     * @param cancel the command.
     * @return the hub and the reply: {@code Boolean.TRUE} if the watcher's watch or tombstone was removed,
     *         {@code Boolean.FALSE} if there was none of that id, or the refusal.
     */
    public Cancellation cancelOwn(final WatchCommand.CancelOwn cancel)
    {
        final Watch held = watches.containsKey(cancel.watchId()) ? watches.get(cancel.watchId()) :
            expired.get(cancel.watchId());
        if (null == held)
        {
            return new Cancellation(this, Boolean.FALSE);
        }
        if (!held.watcher().equals(cancel.watcher()))
        {
            return new Cancellation(this, new WatchReply.Refused(cancel.watchId(), "watch id '" + cancel.watchId() +
                "' is in use by watcher " + held.watcher() + ", not " + cancel.watcher() + "; only its watcher " +
                "cancels it"));
        }
        return new Cancellation(cancel(cancel.watchId()), Boolean.TRUE);
    }

    /**
     * The hub and reply of a cancel.
     *
     * @param hub   after it.
     * @param reply for the client.
     */
    public record Cancellation(WatchHub hub, Object reply)
    {
    }

    /**
     * Remove a watch, or its tombstone, whoever registered it (see {@link #cancelOwn}). The watcher stays monitored
     * (the machine embedding the hub may watch the same process for other reasons); a later {@code Down} for it
     * changes nothing here.
     *
     * @param watchId to remove.
     * @return the hub without the watch.
     */
    public WatchHub cancel(final String watchId)
    {
        if (!watches.containsKey(watchId) && !expired.containsKey(watchId))
        {
            return this;
        }
        return new WatchHub(Persistent.remove(watches, watchId), history, compactRevision,
            Persistent.remove(expired, watchId));
    }

    /**
     * A watcher process was reported down: unreachable (its watches wait for its node, which is then monitored, and
     * expire if it is not back within {@code expiryMs}), or gone (its watches are removed). A second unreachable report
     * for a watch already unreachable (a new leader's monitor finding the node still cut off) keeps the first time, so
     * failovers do not extend the bound.
     *
     * @param process  that is down.
     * @param reason   of the report.
     * @param nowMs    log time of the entry that reports it ({@code CommandMeta.systemTimeMs}).
     * @param expiryMs how long an unreachable watch is kept, at least 0; the same on every member.
     * @param effects  to add a node monitor and the expiry timer to.
     * @return the hub after it.
     */
    public WatchHub down(final ProcessRef process, final DownReason reason, final long nowMs, final long expiryMs,
        final List<Effect> effects)
    {
        final Map<String, Watch> next = new LinkedHashMap<>();
        boolean changed = false;
        for (final Watch watch : watches.values())
        {
            if (!watch.watcher().equals(process))
            {
                next.put(watch.watchId(), watch);
            }
            else if (reason == DownReason.NOCONNECTION)
            {
                next.put(watch.watchId(), watch.reachable() ? watch.withUnreachableSince(nowMs) : watch);
                changed = true;
            }
            else
            {
                changed = true;
            }
        }
        // The tombstones of an ended watcher have nobody left to tell.
        final Map<String, Watch> tombstones = new LinkedHashMap<>();
        for (final Watch gone : expired.values())
        {
            if (reason == DownReason.NOCONNECTION || !gone.watcher().equals(process))
            {
                tombstones.put(gone.watchId(), gone);
            }
        }
        if (!changed && tombstones.size() == expired.size())
        {
            return this;
        }
        final WatchHub after = new WatchHub(java.util.Collections.unmodifiableMap(next), history, compactRevision,
            tombstones.size() == expired.size() ? expired : java.util.Collections.unmodifiableMap(tombstones));
        if (reason == DownReason.NOCONNECTION && changed)
        {
            effects.add(new Effect.MonitorNode(process.node()));
            after.armExpiry(nowMs, expiryMs, effects);
        }
        return after;
    }

    /**
     * The expiry check, at the {@link dev.ra.BuiltinCommand.Timeout} of {@link #EXPIRY_TIMER}: remove every watch
     * unreachable for at least {@code expiryMs} at {@code nowMs} (keeping a tombstone), and re-arm the timer for the
     * next one due. Deterministic: the same on every member at the same entry.
     *
     * @param nowMs    log time of the entry ({@code CommandMeta.systemTimeMs}).
     * @param expiryMs how long an unreachable watch is kept, at least 0; the same on every member.
     * @param effects  to add the re-armed timer to.
     * @return the hub after it.
     */
    public WatchHub expire(final long nowMs, final long expiryMs, final List<Effect> effects)
    {
        final Map<String, Watch> next = new LinkedHashMap<>();
        final Map<String, Watch> tombstones = new LinkedHashMap<>(expired);
        for (final Watch watch : watches.values())
        {
            if (!watch.reachable() && nowMs - watch.unreachableSinceMs() >= expiryMs)
            {
                tombstones.remove(watch.watchId());
                tombstones.put(watch.watchId(), watch);
            }
            else
            {
                next.put(watch.watchId(), watch);
            }
        }
        if (next.size() == watches.size())
        {
            armExpiry(nowMs, expiryMs, effects);
            return this;
        }
        final java.util.Iterator<String> oldest = tombstones.keySet().iterator();
        while (tombstones.size() > EXPIRED_KEPT)
        {
            oldest.next();
            oldest.remove();
        }
        final WatchHub after = new WatchHub(java.util.Collections.unmodifiableMap(next), history, compactRevision,
            java.util.Collections.unmodifiableMap(tombstones));
        after.armExpiry(nowMs, expiryMs, effects);
        return after;
    }

    /**
     * @param timerName of a {@link dev.ra.BuiltinCommand.Timeout}.
     * @return whether it is this hub's expiry check (pass it to {@link #expire}).
     */
    public static boolean isExpiryTimer(final String timerName)
    {
        return EXPIRY_TIMER.equals(timerName);
    }

    /**
     * Arm the expiry timer for the earliest unreachable watch, if any. The timer fires at or after that watch's
     * deadline in leader time; the check at its entry decides by log time, and re-arms for a timer that fired early.
     */
    private void armExpiry(final long nowMs, final long expiryMs, final List<Effect> effects)
    {
        long earliest = Long.MAX_VALUE;
        for (final Watch watch : watches.values())
        {
            if (!watch.reachable())
            {
                earliest = Math.min(earliest, watch.unreachableSinceMs());
            }
        }
        if (earliest != Long.MAX_VALUE)
        {
            // Written so that no bound, however long, overflows into a timer that fires at once.
            final long elapsed = Math.max(0, nowMs - earliest);
            effects.add(new Effect.Timer(EXPIRY_TIMER, Math.max(0, expiryMs - elapsed)));
        }
    }

    /**
     * A watcher node is reachable again: its watchers are monitored again (a dead one is then reported) and told to
     * resume, since batches sent while it was cut off were lost; the watchers of its watches that expired meanwhile
     * are monitored and told so ({@link WatchNotification.Expired}); their tombstones go when they re-register.
     *
     * @param node that came back.
     * @param effects to add monitors, {@link WatchNotification.Resync}s and {@link WatchNotification.Expired}s to.
     * @return the hub after it.
     */
    public WatchHub nodeUp(final String node, final List<Effect> effects)
    {
        final Map<String, Watch> next = new LinkedHashMap<>();
        final Set<ProcessRef> monitored = new LinkedHashSet<>();
        boolean changed = false;
        for (final Watch watch : watches.values())
        {
            if (watch.watcher().node().equals(node))
            {
                if (monitored.add(watch.watcher()))
                {
                    effects.add(new Effect.Monitor(watch.watcher()));
                }
                effects.add(new Effect.SendMsg(watch.watcher(),
                    new WatchNotification.Resync(watch.watchId(), watch.lastSent())));
                next.put(watch.watchId(), watch.withUnreachableSince(Watch.REACHABLE));
                changed = true;
            }
            else
            {
                next.put(watch.watchId(), watch);
            }
        }
        for (final Watch gone : expired.values())
        {
            if (gone.watcher().node().equals(node))
            {
                if (monitored.add(gone.watcher()))
                {
                    effects.add(new Effect.Monitor(gone.watcher()));
                }
                effects.add(new Effect.SendMsg(gone.watcher(),
                    new WatchNotification.Expired(gone.watchId(), gone.lastSent())));
            }
        }
        return changed ? withWatches(java.util.Collections.unmodifiableMap(next)) : this;
    }

    /**
     * What a new leader re-issues: a monitor for every watcher (monitors die with the old leader), a node monitor for
     * unreachable ones, a {@link WatchNotification.Resync} to every reachable watch, a monitor, a node monitor and a
     * {@link WatchNotification.Expired} for every tombstone, and, if any watch is unreachable, the expiry timer at
     * once: its entry carries this leader's time, so the check there expires what is due by the replicated times and
     * re-arms the timer for the rest (a watch never expires before its bound in log time).
     *
     * @return the effects.
     */
    public List<Effect> leaderEffects()
    {
        final List<Effect> effects = new ArrayList<>();
        final Set<ProcessRef> monitored = new LinkedHashSet<>();
        final Set<String> nodes = new LinkedHashSet<>();
        boolean anyUnreachable = false;
        for (final Watch watch : watches.values())
        {
            if (monitored.add(watch.watcher()))
            {
                effects.add(new Effect.Monitor(watch.watcher()));
            }
            if (!watch.reachable())
            {
                anyUnreachable = true;
                if (nodes.add(watch.watcher().node()))
                {
                    effects.add(new Effect.MonitorNode(watch.watcher().node()));
                }
            }
        }
        for (final Watch gone : expired.values())
        {
            // Told again: the notice of a previous leader may have been lost; unreachable, it waits for NodeUp.
            if (monitored.add(gone.watcher()))
            {
                effects.add(new Effect.Monitor(gone.watcher()));
            }
            if (nodes.add(gone.watcher().node()))
            {
                effects.add(new Effect.MonitorNode(gone.watcher().node()));
            }
            effects.add(new Effect.SendMsg(gone.watcher(),
                new WatchNotification.Expired(gone.watchId(), gone.lastSent())));
        }
        if (anyUnreachable)
        {
            effects.add(new Effect.Timer(EXPIRY_TIMER, 0));
        }
        for (final Watch watch : watches.values())
        {
            if (watch.reachable())
            {
                effects.add(new Effect.SendMsg(watch.watcher(),
                    new WatchNotification.Resync(watch.watchId(), watch.lastSent())));
            }
        }
        return effects;
    }

    /**
     * The watch after {@code batch}: sent the events it covers at or after its start, linked to the previous batch.
     */
    private static Watch send(final Watch watch, final EventBatch batch, final List<Effect> effects)
    {
        if (batch.revision() < watch.startRevision() || batch.revision() <= watch.lastSent())
        {
            return watch;
        }
        final List<WatchEvent> covered = new ArrayList<>();
        for (final WatchEvent event : batch.events())
        {
            if (watch.covers(event.key()))
            {
                covered.add(event);
            }
        }
        if (covered.isEmpty())
        {
            return watch;
        }
        effects.add(new Effect.SendMsg(watch.watcher(), new WatchNotification.Events(watch.watchId(),
            batch.revision(), watch.lastSent(), List.copyOf(covered))));
        return new Watch(watch.watchId(), watch.watcher(), watch.prefix(), watch.startRevision(), batch.revision(),
            watch.unreachableSinceMs());
    }
}
