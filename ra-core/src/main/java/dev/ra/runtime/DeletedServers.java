package dev.ra.runtime;

import dev.ra.ServerId;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The servers this node saw deleted (with their cluster, or alone by {@code forceDeleteServer} or a committed
 * removal), with how, so that a call to one fails at once naming the deletion instead of waiting out its timeout
 * against members that no longer exist, and so that the node can tell a calling node the same. Starting or
 * registering a cluster with such a member again clears its record. Past {@link #CAPACITY} the oldest records go, and
 * a call to such a server fails as for any server that does not run. Thread-safe.
 *
 * <p>It also keeps which of them applied their cluster's deletion here: proof that the deletion committed, which a
 * member that missed it (its node was down) is told when it campaigns, so that it ends as it would have.
 *
 * <p>And the term each of those ended in, kept when the ids are registered or started again (a start that fails, and
 * is tried again, must find it too): a new server of the id starts in that term, so that the cluster created again
 * elects its leaders, and writes its entries, in later terms than any the cluster before reached. A member of the
 * cluster before that missed the deletion and comes back then (nobody can tell it of the deletion any more) holds a
 * log that is never more up to date than the new members': they do not elect it, and it is the one whose committed
 * entries the new leader contradicts.
 *
 * <p>The storage keeps those deletions too ({@link dev.ra.spi.Storage#rememberDeletion}), and the node starts with
 * them, so that a restart forgets neither.
 */
final class DeletedServers extends ServerReasons
{
    private final Set<ServerId> appliedDeletion = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false)
    {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<ServerId, Boolean> eldest)
        {
            return size() > CAPACITY;
        }
    });

    private final Map<ServerId, Long> termsAtDeletion = new LinkedHashMap<>(16, 0.75f, false)
    {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<ServerId, Long> eldest)
        {
            return size() > CAPACITY;
        }
    };

    /** Servers whose data, left by a deletion a crash interrupted, could not be deleted at start: never restarted. */
    private final Set<ServerId> deletionUnfinished = new HashSet<>();

    /**
     * A server hosted here applied its cluster's deletion.
     *
     * @param term the server's current term when it ended.
     */
    synchronized void appliedDeletion(final ServerId server, final long term)
    {
        appliedDeletion.remove(server);
        appliedDeletion.add(server);
        termsAtDeletion.remove(server);
        termsAtDeletion.put(server, term);
    }

    /**
     * A record the storage kept from before this node started, older than every record made since.
     *
     * @param applied whether to remember that it applied its cluster's deletion: not for an id with stored state here
     *                (a server created again), which must not be told of the deletion of the cluster before.
     */
    synchronized void restore(final ServerId server, final long term, final boolean applied)
    {
        if (applied)
        {
            appliedDeletion.add(server);
        }
        termsAtDeletion.put(server, term);
    }

    /**
     * @return the term a server of this id last ended in when it applied its cluster's deletion here, else 0: the term
     *     a new server of the id starts in.
     */
    synchronized long termAtDeletion(final ServerId server)
    {
        return termsAtDeletion.getOrDefault(server, 0L);
    }


    /**
     * @return whether the server applied its cluster's deletion here (and was not registered again since).
     */
    synchronized boolean hasAppliedDeletion(final ServerId server)
    {
        return appliedDeletion.contains(server);
    }

    /**
     * The data a deletion left of the server could not be deleted when the node started: it must not be restarted.
     */
    synchronized void deletionUnfinished(final ServerId server)
    {
        deletionUnfinished.add(server);
    }

    /**
     * The data a deletion left of the server is deleted now.
     */
    synchronized void deletionFinished(final ServerId server)
    {
        deletionUnfinished.remove(server);
    }

    /**
     * @return whether the server's data is what its cluster's deletion left, not deleted yet.
     */
    synchronized boolean isDeletionUnfinished(final ServerId server)
    {
        return deletionUnfinished.contains(server);
    }

    @Override
    synchronized void clear(final Iterable<ServerId> servers)
    {
        super.clear(servers);
        for (final ServerId server : servers)
        {
            appliedDeletion.remove(server);
        }
    }
}
