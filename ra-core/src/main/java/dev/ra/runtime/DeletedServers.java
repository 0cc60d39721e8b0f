package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.spi.Storage;
import java.util.Collections;
import java.util.HashMap;
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
 * <p>The records of deletions applied here (below) are kept by the rule the storage keeps them by: the newest
 * {@link #RECORDS}, the same constant, so that memory and storage keep the same ones.
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
    /** How many deletion records are kept: as many as the storage keeps, so that both keep the same ones. */
    static final int RECORDS = Storage.REMEMBERED_DELETIONS;

    private final Set<ServerId> appliedDeletion = Collections.newSetFromMap(new NewestRecords<>());

    /** The terms the storage keeps too: the same records, by the same rule (the newest {@link #RECORDS}). */
    private final Map<ServerId, Long> storedTerms = new NewestRecords<>();

    /**
     * The terms the storage could not record (a failed write), kept until the node restarts: apart, so that they
     * never push out of memory a record the storage keeps (and a new server of that id would start at term 0).
     */
    private final Map<ServerId, Long> unstoredTerms = new NewestRecords<>();

    /**
     * For servers removed from a cluster that runs on (or deleted alone), a member of the last configuration each
     * held, for callers that still know only members gone since ({@link #recordDeletion}). Not for a
     * cluster's deletion: nothing runs on, and a call should fail at once naming it.
     */
    private final Map<ServerId, ServerId> membersAfter = new LinkedHashMap<>(16, 0.75f, false)
    {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<ServerId, ServerId> eldest)
        {
            return size() > CAPACITY;
        }
    };

    /**
     * Servers whose data their cluster's deletion could not delete (when applied, or at start), never restarted, with
     * why (for the list of servers that do not restart).
     */
    private final Map<ServerId, String> deletionUnfinished = new HashMap<>();

    /**
     * A server hosted here applied its cluster's deletion.
     *
     * @param term   the server's current term when it ended.
     * @param stored whether the storage recorded it ({@link Storage#rememberDeletion} returned).
     */
    synchronized void appliedDeletion(final ServerId server, final long term, final boolean stored)
    {
        appliedDeletion.remove(server);
        appliedDeletion.add(server);
        storedTerms.remove(server);
        unstoredTerms.remove(server);
        (stored ? storedTerms : unstoredTerms).put(server, term);
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
        storedTerms.put(server, term);
    }

    /**
     * @return the term a server of this id last ended in when it applied its cluster's deletion here, else 0: the term
     *     a new server of the id starts in.
     */
    synchronized long termAtDeletion(final ServerId server)
    {
        final Long stored = storedTerms.get(server);
        return null != stored ? stored : unstoredTerms.getOrDefault(server, 0L);
    }


    /**
     * @return whether the server applied its cluster's deletion here (and was not registered again since).
     */
    synchronized boolean hasAppliedDeletion(final ServerId server)
    {
        return appliedDeletion.contains(server);
    }

    /**
     * The data of a server that applied its cluster's deletion could not be deleted: it must not be restarted.
     *
     * @param why it is not restarted, naming the failure.
     */
    synchronized void deletionUnfinished(final ServerId server, final String why)
    {
        deletionUnfinished.put(server, why);
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
        return deletionUnfinished.containsKey(server);
    }

    /**
     * @return why the server's data, which its cluster's deletion left, is not restarted; null if it is not such.
     */
    synchronized String whyDeletionUnfinished(final ServerId server)
    {
        return deletionUnfinished.get(server);
    }

    @Override
    synchronized void clear(final Iterable<ServerId> servers)
    {
        super.clear(servers);
        for (final ServerId server : servers)
        {
            appliedDeletion.remove(server);
            membersAfter.remove(server);
        }
    }

    /**
     * A deletion after which nothing of the server's cluster is known to run on (its cluster was deleted, or every
     * member this node knew was found deleted): no member is named to its callers.
     */
    @Override
    synchronized void record(final ServerId server, final String reason)
    {
        super.record(server, reason);
        membersAfter.remove(server);
    }

    /**
     * A server was deleted: recorded with the member to name to its callers, in one step, so that none finds the
     * deletion without it.
     *
     * @param memberAfter for a server removed from its cluster (or deleted alone) while its cluster runs on, a member
     *                    of the last configuration the server held (not itself), for its callers to ask instead; null
     *                    if it knew none, or if nothing of its cluster is known to run on ({@link #record}).
     */
    synchronized void recordDeletion(final ServerId server, final String reason, final ServerId memberAfter)
    {
        record(server, reason);
        if (null != memberAfter)
        {
            membersAfter.put(server, memberAfter);
        }
    }

    /**
     * @return a member of the last configuration of a server removed from its cluster, to ask instead of it; null if
     *     none is known (the server was deleted with its cluster, or this node does not know).
     */
    synchronized ServerId memberAfter(final ServerId server)
    {
        return membersAfter.get(server);
    }

    /**
     * Records in the order they were made, oldest first, the oldest dropped past {@link #RECORDS}: the rule the
     * storage keeps its records by.
     */
    private static final class NewestRecords<V> extends LinkedHashMap<ServerId, V>
    {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<ServerId, V> eldest)
        {
            return size() > RECORDS;
        }
    }
}
