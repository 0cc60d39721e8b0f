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
 * @param watches         by id, in registration order.
 * @param history         the kept batches, oldest first.
 * @param compactRevision revision of the newest batch dropped from the history; 0 while none was.
 */
public record WatchHub(Map<String, Watch> watches, List<EventBatch> history, long compactRevision)
{
    /** No watch, no history. */
    public static final WatchHub EMPTY = new WatchHub(Map.of(), List.of(), 0);

    /** Checks that the collections are not null. */
    public WatchHub
    {
        Objects.requireNonNull(watches, "watches");
        Objects.requireNonNull(history, "history");
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
        return new WatchHub(java.util.Collections.unmodifiableMap(next), List.copyOf(kept), compacted);
    }

    /**
     * Register or resume a watch, and send it at once the batches of the history from its start revision.
     *
     * @param register        the command.
     * @param currentRevision revision of the store now (a start of 0 means {@code currentRevision + 1}).
     * @param effects         to add the replayed batches and the watcher's monitor to.
     * @return the hub and the reply.
     */
    public Registration register(final WatchCommand.Register register, final long currentRevision,
        final List<Effect> effects)
    {
        final long start = 0 == register.startRevision() ? currentRevision + 1 : register.startRevision();
        if (start <= compactRevision)
        {
            // A resume that cannot be served ends the watch it would have resumed: it could only deliver with a gap.
            final WatchHub rest = watches.containsKey(register.watchId()) ?
                new WatchHub(Persistent.remove(watches, register.watchId()), history, compactRevision) : this;
            return new Registration(rest,
                new WatchReply.Compacted(register.watchId(), register.startRevision(), compactRevision));
        }
        Watch watch = new Watch(register.watchId(), register.watcher(), register.prefix(), start, start - 1, true);
        effects.add(new Effect.Monitor(register.watcher()));
        for (final EventBatch batch : history)
        {
            watch = send(watch, batch, effects);
        }
        return new Registration(new WatchHub(Persistent.put(watches, watch.watchId(), watch), history,
            compactRevision), new WatchReply.Watching(register.watchId(), start, currentRevision));
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
     * Remove a watch. The watcher stays monitored (the machine embedding the hub may watch the same process for other
     * reasons); a later {@code Down} for it changes nothing here.
     *
     * @param watchId to remove.
     * @return the hub without the watch.
     */
    public WatchHub cancel(final String watchId)
    {
        if (!watches.containsKey(watchId))
        {
            return this;
        }
        return new WatchHub(Persistent.remove(watches, watchId), history, compactRevision);
    }

    /**
     * A watcher process was reported down: unreachable (its watches wait for its node, which is then monitored), or
     * gone (its watches are removed).
     *
     * @param process that is down.
     * @param reason  of the report.
     * @param effects to add a node monitor to.
     * @return the hub after it.
     */
    public WatchHub down(final ProcessRef process, final DownReason reason, final List<Effect> effects)
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
                next.put(watch.watchId(), new Watch(watch.watchId(), watch.watcher(), watch.prefix(),
                    watch.startRevision(), watch.lastSent(), false));
                changed = true;
            }
            else
            {
                changed = true;
            }
        }
        if (!changed)
        {
            return this;
        }
        if (reason == DownReason.NOCONNECTION)
        {
            effects.add(new Effect.MonitorNode(process.node()));
        }
        return new WatchHub(java.util.Collections.unmodifiableMap(next), history, compactRevision);
    }

    /**
     * A watcher node is reachable again: its watchers are monitored again (a dead one is then reported) and told to
     * resume, since batches sent while it was cut off were lost.
     *
     * @param node that came back.
     * @param effects to add monitors and {@link WatchNotification.Resync}s to.
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
                next.put(watch.watchId(), new Watch(watch.watchId(), watch.watcher(), watch.prefix(),
                    watch.startRevision(), watch.lastSent(), true));
                changed = true;
            }
            else
            {
                next.put(watch.watchId(), watch);
            }
        }
        return changed ? new WatchHub(java.util.Collections.unmodifiableMap(next), history, compactRevision) : this;
    }

    /**
     * What a new leader re-issues: a monitor for every watcher (monitors die with the old leader), a node monitor for
     * unreachable ones, and a {@link WatchNotification.Resync} to every reachable watch.
     *
     * @return the effects.
     */
    public List<Effect> leaderEffects()
    {
        final List<Effect> effects = new ArrayList<>();
        final Set<ProcessRef> monitored = new LinkedHashSet<>();
        final Set<String> nodes = new LinkedHashSet<>();
        for (final Watch watch : watches.values())
        {
            if (monitored.add(watch.watcher()))
            {
                effects.add(new Effect.Monitor(watch.watcher()));
            }
            if (!watch.reachable())
            {
                if (nodes.add(watch.watcher().node()))
                {
                    effects.add(new Effect.MonitorNode(watch.watcher().node()));
                }
            }
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
            watch.reachable());
    }
}
