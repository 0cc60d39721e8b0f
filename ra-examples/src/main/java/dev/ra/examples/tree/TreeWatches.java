package dev.ra.examples.tree;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.support.Persistent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * @param watches  in the order they were set; a watch set twice is held once.
 * @param watchers processes known to watch, in the order they first set a watch.
 */
public record TreeWatches(List<TreeWatch> watches, List<ProcessRef> watchers)
{
    /** No watch. */
    public static final TreeWatches EMPTY = new TreeWatches(List.of(), List.of());

    /** Checks that the lists are not null. */
    public TreeWatches
    {
        Objects.requireNonNull(watches, "watches");
        Objects.requireNonNull(watchers, "watchers");
    }

    /**
     * @param watch   to set.
     * @param effects to add a monitor of a new watcher to.
     * @return the watches with this one set.
     */
    public TreeWatches set(final TreeWatch watch, final List<Effect> effects)
    {
        List<ProcessRef> nextWatchers = watchers;
        if (!watchers.contains(watch.watcher()))
        {
            nextWatchers = Persistent.append(watchers, watch.watcher());
            effects.add(new Effect.Monitor(watch.watcher()));
        }
        final List<TreeWatch> nextWatches = watches.contains(watch) ? watches : Persistent.append(watches, watch);
        return nextWatches == watches && nextWatchers == watchers ? this : new TreeWatches(nextWatches, nextWatchers);
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
        return kept.size() == watches.size() ? this : new TreeWatches(List.copyOf(kept), watchers);
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
        return watches.contains(watch) ? new TreeWatches(Persistent.removeIf(watches, watch::equals), watchers) : this;
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
        return kept.size() == watches.size() ? this : new TreeWatches(kept, watchers);
    }

    /**
     * @param process that ended.
     * @return the watches without that process and its watches.
     */
    public TreeWatches down(final ProcessRef process)
    {
        if (!watchers.contains(process))
        {
            return this;
        }
        return new TreeWatches(Persistent.removeIf(watches, w -> w.watcher().equals(process)),
            Persistent.removeIf(watchers, process::equals));
    }

    /**
     * Monitor the watchers on a node that came back again (a dead one is then reported) and tell them to
     * re-register: their events may have been lost while it was cut off.
     *
     * @param node    that is reachable again.
     * @param zxid    of the tree.
     * @param effects to add the monitors and messages to.
     */
    public void resyncNode(final String node, final long zxid, final List<Effect> effects)
    {
        for (final ProcessRef watcher : watchers)
        {
            if (watcher.node().equals(node))
            {
                effects.add(new Effect.Monitor(watcher));
                effects.add(new Effect.SendMsg(watcher, new TreeWatchMessage.Resync(zxid)));
            }
        }
    }

    /**
     * What a new leader does: monitor every watcher and tell each to re-register.
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
