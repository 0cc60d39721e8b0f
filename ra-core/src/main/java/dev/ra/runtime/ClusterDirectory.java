package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.UnknownServerException;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.spi.Storage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node knows of clusters, by member: the {@link ClusterInfo} of every cluster it hosts a member of or
 * registered (its machine, for codecs; its members; its last leader), and the clusters whose start failed here
 * ({@link FailedStarts}) or whose members were deleted ({@link DeletedServers}). Clients, the router and the server
 * registry all look clusters up here. Thread-safe.
 */
final class ClusterDirectory
{
    private static final Logger LOG = LoggerFactory.getLogger(ClusterDirectory.class);

    private final String nodeId;
    /** Keeps the deletions applied here across restarts ({@link Storage#rememberDeletion}). */
    private final Storage storage;
    private final Map<ServerId, ClusterInfo> clusters = new ConcurrentHashMap<>();
    private final FailedStarts failedStarts = new FailedStarts();
    private final DeletedServers deleted = new DeletedServers();
    /** Per cluster, the latest call that asks its members for this node ({@link MemberLearning}), until it ends. */
    private final Map<ClusterInfo, ClientCall> membersCalls = new ConcurrentHashMap<>();
    /**
     * Told of each server forgotten here once its deletion is recorded: a test seam, where a call arriving at that
     * moment looks the server up (it must find all a deletion records, never a part).
     */
    volatile Consumer<ServerId> deletionRecorded = server -> { };

    ClusterDirectory(final String nodeId, final Storage storage)
    {
        this.nodeId = nodeId;
        this.storage = storage;
    }

    /**
     * Take in the deletions the storage remembers from before this node started: the term each server ended in and,
     * for a server with no stored state here (a server created again under the id holds some), that it applied its
     * cluster's deletion, which a member that missed it is told. The data of a deletion a crash interrupted is deleted
     * first ({@link InterruptedDeletions}); data that cannot be deleted is not restarted ({@link #unfinishedDeletion}).
     * Called once, before the node receives messages or restarts its servers.
     */
    void restoreDeletions()
    {
        try
        {
            final Map<ServerId, Long> records = storage.rememberedDeletions();
            final Set<ServerId> unfinished = records.isEmpty() ? Set.of() :
                InterruptedDeletions.unfinished(storage, nodeId);
            records.forEach((server, term) ->
            {
                // The deleted server's data, even when it could not be deleted now: it never runs again.
                final boolean gone = unfinished.contains(server) || !storedHere(server);
                final RuntimeException failure = unfinished.contains(server) ?
                    InterruptedDeletions.finish(storage, server, nodeId, true) : null;
                if (null != failure)
                {
                    deleted.deletionUnfinished(server, dataLeft(server, failure).getMessage());
                }
                deleted.restore(server, term, gone);
                if (gone)
                {
                    deleted.record(server, "server " + server + " was deleted with its cluster (deleteCluster), " +
                        "before node " + nodeId + " last started");
                }
            });
        }
        catch (final RuntimeException ex)
        {
            // A node runs without them, as one whose storage keeps none; the storage itself tells what it could read.
            LOG.warn("{}: cannot read the deletions its storage remembers; going on without the rest", nodeId, ex);
        }
    }

    /**
     * @return whether the storage holds data of the server (one created again under a deleted id); true if it cannot
     *     tell, so that the server is not told of the deletion of the cluster before.
     */
    private boolean storedHere(final ServerId server)
    {
        try
        {
            return storage.exists(server);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: cannot tell whether data of {} is stored", nodeId, server, ex);
            return true;
        }
    }

    /**
     * A restart of a stored server was asked for: if its data is what its cluster's deletion left (it could not be
     * deleted then, or when the node started), the deletion is tried again, and the server is never restarted.
     *
     * @param server to restart.
     * @return null if the server is not such a one, else why it is not restarted.
     */
    RuntimeException unfinishedDeletion(final ServerId server)
    {
        if (!deleted.isDeletionUnfinished(server))
        {
            return null;
        }
        final RuntimeException failure = InterruptedDeletions.finish(storage, server, nodeId, false);
        if (null == failure)
        {
            deleted.deletionFinished(server);
            return notRunningHere(server);
        }
        return dataLeft(server, failure);
    }

    /**
     * @param failure why the data its cluster's deletion left could not be deleted.
     * @return why the server is not restarted.
     */
    private RuntimeException dataLeft(final ServerId server, final RuntimeException failure)
    {
        return new IllegalStateException("server " + server + " was deleted with its cluster on node " + nodeId +
            ", and its data could not be deleted (" + failure.getMessage() + "); it is not restarted: delete it " +
            "(forceDeleteServer) once the storage can", failure);
    }

    /**
     * @return why the server's data, which its cluster's deletion left (not deleted yet), is never restarted; null if
     *     it is not such.
     */
    String whyDeletionUnfinished(final ServerId server)
    {
        return deleted.whyDeletionUnfinished(server);
    }

    /**
     * The server's stored data was deleted (or none is stored): no deletion of it is left unfinished.
     */
    void storedDataDeleted(final ServerId server)
    {
        deleted.deletionFinished(server);
    }

    /**
     * @return the id of this node.
     */
    String nodeId()
    {
        return nodeId;
    }

    /**
     * Remember a cluster under each of its members; a failed start of it is forgotten. A member this node knows under
     * another cluster is left to it (the list is wrong there: a server belongs to one cluster, and its clients go on
     * encoding and checking its commands with its own machine).
     *
     * @return the cluster's info.
     */
    ClusterInfo register(final String clusterName, final String machineName,
        final StateMachine<Object, Object> machine, final List<ServerId> members)
    {
        final ClusterInfo info = new ClusterInfo(clusterName, machineName, machine, members);
        final List<ServerId> free = new ArrayList<>(members.size());
        for (final ServerId member : members)
        {
            final ClusterInfo known = clusters.get(member);
            if (null == known || known.clusterName.equals(clusterName))
            {
                clusters.put(member, info);
                free.add(member);
            }
        }
        failedStarts.clear(free);
        deleted.clear(free);
        return info;
    }

    /**
     * A brand-new member is being started (on this node or another) with the member list its caller gave: remember it
     * so that calls to it find it, without replacing what this node knows of the others. That list may be stale (the
     * initial members of a handle, while members were replaced since) or wrong (naming a member of another cluster):
     * when this node knows the cluster already, under the new member or one of those listed, the new member joins that
     * knowledge (its members, its last leader); otherwise the cluster is registered, but under no member this node
     * knows under another cluster.
     *
     * @return undoes it, for a start that fails or is refused.
     */
    Runnable registerJoining(final String clusterName, final String machineName,
        final StateMachine<Object, Object> machine, final List<ServerId> members, final ServerId server)
    {
        final List<ServerId> named = new ArrayList<>(members);
        if (!named.contains(server))
        {
            named.add(server);
        }
        ClusterInfo known = null;
        for (final ServerId member : named)
        {
            final ClusterInfo info = clusters.get(member);
            if (null != info && info.clusterName.equals(clusterName))
            {
                known = info;
                break;
            }
        }
        if (null == known)
        {
            final Runnable restore = restorer(named);
            register(clusterName, machineName, machine, named);
            return restore;
        }
        final ClusterInfo cluster = known;
        final List<ServerId> before = cluster.members;
        final List<ServerId> after;
        if (before.contains(server))
        {
            after = before;
        }
        else
        {
            final List<ServerId> grown = new ArrayList<>(before);
            grown.add(server);
            after = List.copyOf(grown);
            cluster.members = after;
        }
        final boolean mapped = null == clusters.putIfAbsent(server, cluster);
        failedStarts.clear(List.of(server));
        deleted.clear(List.of(server));
        return () ->
        {
            if (cluster.members == after)
            {
                cluster.members = before;
            }
            if (mapped)
            {
                clusters.remove(server, cluster);
            }
        };
    }

    /**
     * A call learned the current members of a cluster from its leader ({@link MemberLearning}): the cluster's
     * members are those, and each of them is known under it here (a member known under another registration of the
     * same cluster is left to it, its member list brought up to date as well). Members removed since stay known under
     * the cluster, so that a call addressed to one still finds the others: those forgotten when every member this
     * node knew was found deleted ({@link #everyMemberDeleted}) too, since the cluster runs on.
     */
    void learnMembers(final ClusterInfo cluster, final List<ServerId> current)
    {
        final List<ServerId> members = List.copyOf(current);
        cluster.members = members;
        cluster.membersLearned++;
        final List<ServerId> forgotten = cluster.forgottenMembers;
        cluster.forgottenMembers = List.of();
        for (final ServerId member : forgotten)
        {
            if (null == clusters.putIfAbsent(member, cluster))
            {
                deleted.clear(List.of(member));
            }
        }
        for (final ServerId member : members)
        {
            final ClusterInfo known = clusters.putIfAbsent(member, cluster);
            if (null == known)
            {
                deleted.clear(List.of(member));
            }
            else if (known != cluster && known.clusterName.equals(cluster.clusterName))
            {
                known.members = members;
                known.membersLearned++;
            }
        }
    }

    /**
     * A member of a cluster, rejecting a pipelined command for a process of this node, named another to send it to
     * (its leader, or, removed, a member of its last configuration): unless this node knows the named one (or saw it
     * deleted), it is known under the member's cluster from now on, so that the process can send the command there
     * (it is encoded with the cluster's machine), and calls find the cluster through it.
     *
     * @param from  the member that rejected the command.
     * @param named the member it named, or null.
     */
    void namedBy(final ServerId from, final ServerId named)
    {
        if (null == named || clusters.containsKey(named) || null != deleted.reason(named))
        {
            return;
        }
        final ClusterInfo cluster = getOrAfterRemoval(from);
        if (null != cluster)
        {
            clusters.putIfAbsent(named, cluster);
        }
    }

    /**
     * @return the latest call under way that asks the cluster for its members for this node, or null.
     */
    ClientCall membersCall(final ClusterInfo cluster)
    {
        return membersCalls.get(cluster);
    }

    /**
     * @param underWay the members call under way as last seen, or null.
     * @param call     to replace it.
     * @return whether the call replaced it: false if another did first, or it ended meanwhile.
     */
    boolean replaceMembersCall(final ClusterInfo cluster, final ClientCall underWay, final ClientCall call)
    {
        return null == underWay ? null == membersCalls.putIfAbsent(cluster, call) :
            membersCalls.replace(cluster, underWay, call);
    }

    /**
     * A members call ended; a later one that replaced it is left.
     */
    void membersCallEnded(final ClusterInfo cluster, final ClientCall call)
    {
        membersCalls.remove(cluster, call);
    }

    /**
     * What this node knows of the members now, to be put back if a start that registers them is refused (their
     * cluster runs already, under another machine perhaps): its clients must go on encoding and checking its commands
     * with its own machine.
     *
     * @return puts back the cluster each member was known under; a member unknown now is left as it is then.
     */
    Runnable restorer(final List<ServerId> members)
    {
        final Map<ServerId, ClusterInfo> known = new HashMap<>();
        for (final ServerId member : members)
        {
            final ClusterInfo info = clusters.get(member);
            if (null != info)
            {
                known.put(member, info);
            }
        }
        return () -> clusters.putAll(known);
    }

    /**
     * @return the cluster of a member, or null if unknown here.
     */
    ClusterInfo get(final ServerId member)
    {
        return null == member ? null : clusters.get(member);
    }

    /**
     * @return the cluster of a member or, for a member removed from its cluster on this node (no longer known under
     *     it), the cluster of the member it names ({@link #memberAfter}); null if unknown here.
     */
    ClusterInfo getOrAfterRemoval(final ServerId member)
    {
        final ClusterInfo cluster = get(member);
        return null != cluster || null == member ? cluster : get(memberAfter(member));
    }

    /**
     * @return the cluster of a member (of the member it names, if it was removed on this node:
     *     {@link #getOrAfterRemoval}), or null if unknown here; throws if the cluster's start failed here.
     * @throws dev.ra.ClusterStartFailedException naming the reason, if the start of the member's cluster failed here.
     */
    ClusterInfo getChecked(final ServerId member)
    {
        final ClusterInfo cluster = getOrAfterRemoval(member);
        if (null == cluster)
        {
            failedStarts.check(member);
        }
        return cluster;
    }

    /**
     * @param member of a cluster.
     * @param hint   what the caller should do, appended to the error.
     * @return the member's cluster.
     * @throws UnknownServerException if its cluster is unknown here.
     */
    ClusterInfo require(final ServerId member, final String hint)
    {
        final ClusterInfo cluster = getChecked(member);
        if (null == cluster)
        {
            final String deletion = deleted.reason(member);
            throw new UnknownServerException(member, null != deletion ? deletion : "server " + member +
                " is unknown to node " + nodeId + ": " + hint);
        }
        return cluster;
    }

    boolean knowsAny(final List<ServerId> members)
    {
        return members.stream().anyMatch(clusters::containsKey);
    }

    /**
     * Forget a cluster whose start failed (except under the members hosted here), recording the reason.
     */
    void forgetFailedStart(final List<ServerId> members, final String reason, final Predicate<ServerId> hosted)
    {
        for (final ServerId member : members)
        {
            if (!hosted.test(member))
            {
                clusters.remove(member);
            }
        }
        failedStarts.record(members, reason);
    }

    /**
     * A hosted server was deleted: forget it and, when its whole cluster was deleted, every member this node knew
     * under that cluster, remembering how, so that calls to them fail at once (here, and on a node that asks this one)
     * naming the deletion. A cluster's deletion is also recorded in the storage, durably: called before the server's
     * data is deleted, so that a crash in between leaves the server or the record. A member known under another
     * registration of the same ids (the cluster started again) is left as it is.
     *
     * @param server       deleted.
     * @param cluster      what this node knew of its cluster when the server started.
     * @param withCluster  true if the cluster's deletion committed, false if only this server was deleted.
     * @param term         the server's current term when it ended.
     * @param peers        the other members of the last configuration the server held: without its cluster's
     *                     deletion one of them (its last leader, if among them) is named to its callers, whose calls
     *                     go there instead ({@link #memberAfter}).
     */
    void serverDeleted(final ServerId server, final ClusterInfo cluster, final boolean withCluster, final long term,
        final List<ServerId> peers)
    {
        if (!withCluster)
        {
            // Not the server itself: a forced delete names the configuration it held, which may name it.
            final ServerId leader = cluster.leader;
            final ServerId after = null != leader && !leader.equals(server) && peers.contains(leader) ? leader :
                peers.stream().filter(peer -> !peer.equals(server)).findFirst().orElse(null);
            forget(server, cluster, "server " + server + " of cluster " + cluster.clusterName + " was deleted " +
                "(removed from its cluster, or by forceDeleteServer)", after);
            return;
        }
        boolean stored;
        try
        {
            storage.rememberDeletion(server, term);
            stored = true;
        }
        catch (final RuntimeException ex)
        {
            // The deletion committed: the server goes all the same, and this node remembers it until it restarts.
            LOG.warn("{}: could not record durably that it applied its cluster's deletion (remembered until node {} " +
                "restarts)", server, nodeId, ex);
            stored = false;
        }
        clusterDeleted(cluster);
        deleted.appliedDeletion(server, term, stored);
    }

    /**
     * Delete a hosted server's data, once it ended ({@link #serverDeleted} first).
     *
     * @param withCluster true if the cluster's deletion committed: data that cannot be deleted is then never
     *                    restarted, while the node runs ({@link #unfinishedDeletion}) or after it restarts (the storage
     *                    tells it, {@link Storage#unfinishedDeletions}).
     * @throws RuntimeException if the storage could not delete it.
     */
    void deleteData(final ServerId server, final boolean withCluster)
    {
        try
        {
            storage.delete(server);
        }
        catch (final RuntimeException ex)
        {
            if (withCluster)
            {
                deleted.deletionUnfinished(server, dataLeft(server, ex).getMessage());
            }
            throw ex;
        }
    }

    /**
     * The deletion of a cluster committed (this node asked for it, or hosts one of its members): forget every member
     * this node knew under it, remembering how.
     *
     * @param cluster as this node knew it.
     */
    void clusterDeleted(final ClusterInfo cluster)
    {
        cluster.forgottenMembers = List.of();
        forgetAll(cluster, "cluster " + cluster.clusterName + " was deleted (deleteCluster)");
    }

    /**
     * A call found every member of a cluster this node knows deleted: forget each member this node knew under it,
     * remembering why. Unlike a committed deletion this may be undone: members are replaced one by one, and should
     * this node learn members of the cluster after all (from an answer on its way meanwhile), they are known again.
     *
     * @param cluster as this node knew it.
     * @param reason  for the calls that address its members from now on.
     */
    void everyMemberDeleted(final ClusterInfo cluster, final String reason)
    {
        cluster.forgottenMembers = forgetAll(cluster, reason);
    }

    /**
     * @return the members forgotten.
     */
    private List<ServerId> forgetAll(final ClusterInfo cluster, final String reason)
    {
        final List<ServerId> known = new ArrayList<>(cluster.members);
        clusters.forEach((member, info) ->
        {
            if (info == cluster && !known.contains(member))
            {
                known.add(member);
            }
        });
        final List<ServerId> forgotten = new ArrayList<>(known.size());
        for (final ServerId member : known)
        {
            if (forget(member, cluster, "server " + member + " was deleted: " + reason, null))
            {
                forgotten.add(member);
            }
        }
        return List.copyOf(forgotten);
    }

    /**
     * @return whether it was forgotten: false if known under another cluster.
     */
    private boolean forget(final ServerId member, final ClusterInfo cluster, final String reason,
        final ServerId memberAfter)
    {
        final ClusterInfo known = clusters.get(member);
        if (null == known || known == cluster)
        {
            clusters.remove(member, cluster);
            // In one step with the member to name: a call finding the deletion without it would take the cluster,
            // which runs on, for deleted.
            deleted.recordDeletion(member, reason, memberAfter);
            deletionRecorded.accept(member);
            return true;
        }
        return false;
    }

    /**
     * @param server addressed here, which does not run here.
     * @return the error for its caller: how it was deleted, if this node saw it deleted, else that it does not run.
     */
    UnknownServerException notRunningHere(final ServerId server)
    {
        final String deletion = deletion(server);
        return new UnknownServerException(server, null != deletion ? deletion : "no server " + server + " runs on " +
            nodeId);
    }

    /**
     * @param server that does not run here.
     * @return a member of the last configuration of the server, which was removed from its cluster (or deleted alone)
     *     on this node and not registered again since: the cluster may run on, and a caller that knows only members
     *     gone since asks that one instead (and learns the members from it). Null if the server was deleted with its
     *     cluster, or this node does not know.
     */
    ServerId memberAfter(final ServerId server)
    {
        return clusters.containsKey(server) ? null : deleted.memberAfter(server);
    }

    /**
     * @param server that does not run here.
     * @return whether it applied its cluster's deletion on this node and was not registered again since: the deletion
     *     committed.
     */
    boolean appliedClusterDeletion(final ServerId server)
    {
        return !clusters.containsKey(server) && deleted.hasAppliedDeletion(server);
    }

    /**
     * @return the term a new server of this id starts in: the one a server of the id last ended in when it applied its
     *     cluster's deletion here (see {@link DeletedServers}); else 0.
     */
    long termAtDeletion(final ServerId server)
    {
        return deleted.termAtDeletion(server);
    }

    /**
     * @return how the server was deleted, if this node saw it deleted and has not seen it registered since; else null.
     */
    String deletion(final ServerId server)
    {
        return clusters.containsKey(server) ? null : deleted.reason(server);
    }

    /**
     * A message to a process from a member of a cluster unknown here (or from application code, with no member) is
     * read with the unrestricted generic codec, as {@code RaSystem.send} promises any type: its bytes may have this
     * node initialise or construct any enum or record class they name, for a live process of this node only.
     *
     * @return the message codec of the member's machine, or the generic codec if unknown.
     */
    Codec<Object> messageCodec(final ServerId member)
    {
        final ClusterInfo info = get(member);
        return null == info ? Codecs.generic() : info.machine.messageCodec();
    }

    /**
     * Without the machine, its declared types are unknown too: a reply naming an enum or record class is refused
     * before the class is loaded (the unrestricted codec would build whatever another node's bytes named).
     *
     * @return the reply codec of the member's machine, or the plain-values codec if unknown.
     */
    Codec<Object> replyCodec(final ServerId member)
    {
        final ClusterInfo info = get(member);
        return null == info ? RemoteOrigin.PLAIN_VALUES : info.machine.replyCodec();
    }
}
