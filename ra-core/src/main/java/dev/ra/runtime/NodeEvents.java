package dev.ra.runtime;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.core.RaftEvent;
import dev.ra.protocol.Member;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link ServerProcess} hears of other processes and nodes: a monitored process went down, a member's node
 * went silent or was heard from again, a node's reachability changed. Each becomes an event of the server's core.
 * Confined to the server's loop (the calls come through its mailbox).
 */
final class NodeEvents
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeEvents.class);
    /**
     * How many times the node of every other voter must have said that it does not run there, while this member knows
     * no leader, before it warns: a cold start of the whole cluster, its members started one node after the other,
     * answers so a few times.
     */
    static final int NOT_RUNNING_ANSWERS_BEFORE_WARNING = 10;

    private final ServerProcess server;
    /** The peers whose node said they applied the cluster's deletion, since this member last knew a leader. */
    private final Set<ServerId> peersDeletedWithCluster = new HashSet<>();
    /** How many times each peer's node said it does not run there, since this member last knew a leader. */
    private final Map<ServerId, Integer> notRunningAnswers = new HashMap<>();
    /**
     * The term {@link #notRunningAnswers} were counted in: a leader elected since (a later term) ended the spell
     * without a leader they were counted in, though no answer came while it was known to clear them.
     */
    private long notRunningAnswersTerm = -1;
    /** When the first of {@link #notRunningAnswers} came, on the node's clock ({@link AloneWarnings#now}). */
    private long notRunningSinceNanos;
    /** This member's warnings that no other voter runs, since it last knew a leader (or in its current term). */
    private AloneWarnings.Spell aloneSpell = new AloneWarnings.Spell();

    /**
     * @param server whose events these are.
     */
    NodeEvents(final ServerProcess server)
    {
        this.server = server;
    }

    /**
     * A monitored process ended (loop thread, via a task).
     */
    void processDown(final ProcessRef process, final DownReason reason)
    {
        if (server.effects.forgetMonitor(process))
        {
            server.handle(new RaftEvent.BuiltinTriggered(new BuiltinCommand.Down(process, reason)));
        }
    }

    /**
     * A connected node went silent, or was heard from again (loop thread, via a task). Only the Raft members there
     * hear of it: monitors and node monitors wait for the node to be reported down.
     */
    void nodeSilence(final String node, final boolean silent)
    {
        for (final Member member : server.core.members())
        {
            if (member.id().node().equals(node) && !member.id().equals(server.id))
            {
                server.handle(silent ? new RaftEvent.PeerSilent(member.id()) :
                    new RaftEvent.PeerReachable(member.id()));
            }
        }
    }

    /**
     * A peer's node says no server of the peer's id runs there (loop thread, via a task), and whether it applied the
     * cluster's deletion there ({@link #peerDeletedWithCluster}).
     */
    void peerNotRunning(final ServerId peer, final boolean deletedWithCluster)
    {
        if (deletedWithCluster)
        {
            peerDeletedWithCluster(peer);
        }
        if (!server.isStopped())
        {
            warnIfAlone(peer);
        }
    }

    /**
     * A member that knows no leader while the node of every other voter keeps saying that it does not run there
     * campaigns for ever, and nothing else says so: its overview shows a member in pre-vote, as during any election.
     * That is what a member that missed its cluster's deletion comes to once the nodes that applied it no longer
     * remember it (their storage keeps no record, or lost or dropped it), and a member of a cluster whose other members
     * are not started again: warn (and again every hour while it lasts), so that an operator can tell which and
     * delete it ({@code forceDeleteServer}) or start the others. Only once that lasted many election timeouts, and one
     * such warning in full per node a while ({@link AloneWarnings}, the others named in full at their later turns): a
     * node started cold whose peers start their servers late has thousands of such members.
     */
    private void warnIfAlone(final ServerId peer)
    {
        // Counted only while this member knows no leader, in one term: no answer comes while it knows one (nothing
        // is sent to a server that does not run then), so short spells without a leader, each ended by an election
        // (a later term), would otherwise add up to the warning over the member's life.
        if (null != server.core.leaderId() || server.core.currentTerm() != notRunningAnswersTerm)
        {
            notRunningAnswers.clear();
            aloneSpell = new AloneWarnings.Spell();
            notRunningAnswersTerm = server.core.currentTerm();
            notRunningSinceNanos = server.environment.aloneWarnings().now();
            if (null != server.core.leaderId())
            {
                return;
            }
        }
        notRunningAnswers.merge(peer, 1, Integer::sum);
        final List<ServerId> others = server.core.members().stream().filter(Member::isVoter).map(Member::id)
            .filter(id -> !id.equals(server.id)).toList();
        if (others.isEmpty() || others.stream().anyMatch(id -> notRunningAnswers.getOrDefault(id, 0) <
            NOT_RUNNING_ANSWERS_BEFORE_WARNING))
        {
            return;
        }
        // And for many election timeouts: the servers of the other nodes may just be starting, thousands on each.
        final AloneWarnings warnings = server.environment.aloneWarnings();
        if (!warnings.lastedLongEnough(notRunningSinceNanos))
        {
            return;
        }
        final long unlogged = warnings.admit(aloneSpell);
        if (AloneWarnings.SILENT == unlogged)
        {
            return;
        }
        final String message = "{}: knows no leader, and the nodes of every other voter of cluster {} ({}) keep " +
            "saying that they do not run there: no leader can be elected until they are started again. If its " +
            "cluster was deleted while this member's node was down (and the nodes that applied the deletion no " +
            "longer remember it), delete this member with forceDeleteServer{}";
        if (AloneWarnings.DEBUG_ONLY == unlogged)
        {
            // A node hosting thousands of such members would log thousands of these: one in full per while, the
            // others named in full at their later turns.
            LOG.debug(message, server.id, server.cluster.clusterName, others, "");
            return;
        }
        LOG.warn(message, server.id, server.cluster.clusterName, others, (aloneSpell.reminder() ? " (still so, " +
            "an hour or more after it was last said)" : "") + (0 == unlogged ? "" : " (" + unlogged + " other " +
            "members of this node came to the same since the last such warning, logged at DEBUG only until their " +
            "turn)"));
    }

    /**
     * A peer's node says the peer applied the cluster's deletion (loop thread, via a task): the deletion committed,
     * and this member may have missed it (its node was down then) and would campaign for ever, as no member is left to
     * replicate it. The answer names ids only, so it may also be about a cluster that ran under the same ids before
     * this one was created again, whose member on the peer's node is not started yet: one peer's word is not enough.
     * The member ends (stopped, its data deleted, as if it had applied the deletion) only once more voters of its
     * configuration in force than a majority leaves out (all the others of three, three of five) have been said
     * deleted with its cluster, while it knows no leader and holds entries: its entries of a cluster created again
     * came from a leader that a majority of started voters elected, and a started member's node answers as a member;
     * a member that knows a leader belongs to a cluster that lives; one whose log is empty holds nothing that deleting
     * it would tidy.
     */
    private void peerDeletedWithCluster(final ServerId peer)
    {
        if (server.isStopped() || peer.equals(server.id) ||
            server.core.members().stream().noneMatch(m -> m.id().equals(peer)))
        {
            return;
        }
        if (null != server.core.leaderId() || 0 == server.core.lastIndex())
        {
            peersDeletedWithCluster.clear();
            LOG.info("{}: {}'s node says it was deleted with cluster {}; not taken as this member's deletion: it {}",
                server.id, peer, server.cluster.clusterName, null != server.core.leaderId() ? "knows a leader, " +
                server.core.leaderId() : "holds no entry (a cluster created again under the same ids)");
            return;
        }
        peersDeletedWithCluster.add(peer);
        int voters = 0;
        int votersDeleted = 0;
        for (final Member member : server.core.members())
        {
            if (member.isVoter())
            {
                voters++;
                if (!member.id().equals(server.id) && peersDeletedWithCluster.contains(member.id()))
                {
                    votersDeleted++;
                }
            }
        }
        // A member that holds entries of a cluster created again had them from a leader that a majority of voters
        // elected, all started (so none of their nodes remembers the deletion before): at most the others, voters
        // minus a majority, can say "deleted". One more is a deletion this member missed, maybe with other members
        // (two of five down at the deletion each hear from the three that applied it, never from one another).
        final int needed = voters - (voters / 2 + 1) + 1;
        if (votersDeleted < needed)
        {
            LOG.info("{}: {}'s node says it was deleted with cluster {}; {} of the {} other voters needed have said so",
                server.id, peer, server.cluster.clusterName, votersDeleted, needed);
            return;
        }
        LOG.warn("{}: {} other voters of cluster {} applied its deletion (their nodes say so), more than a cluster " +
            "created again could have not started: this member missed it and is deleted too", server.id,
            votersDeleted, server.cluster.clusterName);
        server.deleteOnTerminate = true;
        server.stop(true, null);
    }

    /**
     * A node's reachability changed (loop thread, via a task).
     */
    void nodeStatus(final String node, final boolean up)
    {
        for (final Member member : server.core.members())
        {
            if (member.id().node().equals(node) && !member.id().equals(server.id))
            {
                server.handle(up ? new RaftEvent.PeerReachable(member.id()) :
                    new RaftEvent.PeerUnreachable(member.id()));
            }
        }
        if (!up)
        {
            server.queries.callerNodeDown(node);
            for (final ProcessRef process : server.effects.monitoredOn(node))
            {
                processDown(process, DownReason.NOCONNECTION);
            }
        }
        if (server.effects.monitorsNode(node))
        {
            server.handle(new RaftEvent.BuiltinTriggered(up ? new BuiltinCommand.NodeUp(node) :
                new BuiltinCommand.NodeDown(node)));
        }
    }
}
