package dev.ra.runtime;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.core.RaftEvent;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.PeerFeature;
import dev.ra.spi.RateLimitedWarnings;
import dev.ra.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Location transparency for the shell, as the Erlang VM gives it to Ra: a server, a client call or an effect sends to a
 * {@link ServerId} or a {@link ProcessRef}, and the router delivers it, into a local server's mailbox or a local
 * process when the destination is on this node, or encoded as a {@link NodeMessage} through the {@link Transport}
 * otherwise. It is the only place that asks whether a server, a process or a node is this one.
 *
 * <p>Incoming node messages come back through {@link #receive}, which delivers them the same way, and the transport's
 * news of other nodes (up, down, silent, heard) through {@link #nodeStatus} and {@link #nodeSilence}. Thread-safe.
 */
final class MessageRouter
{
    /**
     * How often a pipelined command is passed on (to the leader a member knows, to the member a removed one names)
     * before it is dropped.
     */
    static final int MAX_CAST_HOPS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);

    /** Replies from a node other than the one their call was sent to: a peer may send them at any rate. */
    private final RateLimitedWarnings misdirectedReplies = new RateLimitedWarnings(LOG);
    private final String nodeId;
    private final Transport transport;
    private final LocalServers<? extends ServerMailbox> servers;
    private final ClusterDirectory clusters;
    private final CallsTable calls;
    private final ProcessRegistry processes;
    /** Nodes the transport reported silent and not heard from since. */
    private final Set<String> silentNodes = ConcurrentHashMap.newKeySet();
    /** See the constructor. */
    private final long silenceMs;
    /** Nodes that left in order ({@link #nodeLeft}) and have not come up since. */
    private final Set<String> leftNodes = ConcurrentHashMap.newKeySet();

    /**
     * @param silenceMs how long a node goes unheard before the transport reports it silent: calls awaiting it wait as
     *                  long again before they give up on it ({@link #nodeSilence}).
     */
    MessageRouter(final String nodeId, final Transport transport, final LocalServers<? extends ServerMailbox> servers,
        final ClusterDirectory clusters, final CallsTable calls, final Executor processExecutor, final long silenceMs)
    {
        this.nodeId = nodeId;
        this.silenceMs = silenceMs;
        this.transport = transport;
        this.servers = servers;
        this.clusters = clusters;
        this.calls = calls;
        this.processes = new ProcessRegistry(nodeId, processExecutor, this::processDown);
    }

    String nodeId()
    {
        return nodeId;
    }

    CallsTable calls()
    {
        return calls;
    }

    ClusterDirectory clusters()
    {
        return clusters;
    }

    ProcessRegistry processes()
    {
        return processes;
    }

    Transport transport()
    {
        return transport;
    }

    /**
     * @return whether the server is hosted by this node.
     */
    boolean isLocal(final ServerId server)
    {
        return server.node().equals(nodeId);
    }

    /**
     * @return whether this node can reach the node (itself always).
     */
    boolean isNodeUp(final String node)
    {
        return node.equals(nodeId) || transport.isReachable(node);
    }

    /**
     * @param node id of a node.
     * @return whether the transport reported it silent (connected, but nothing heard for a while) and it has not been
     *         heard from since: calls do not follow a leader hint there.
     */
    boolean isSilent(final String node)
    {
        return !silentNodes.isEmpty() && silentNodes.contains(node);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Servers

    void sendRaft(final ServerId from, final ServerId to, final RaftRpc rpc)
    {
        if (isLocal(to))
        {
            final ServerMailbox server = servers.get(to);
            if (null != server)
            {
                server.deliver(new RaftEvent.RpcReceived(from, rpc));
            }
        }
        else
        {
            transport.send(to.node(), new NodeMessage.RaftMessage(from, to, rpc));
        }
    }

    /**
     * Send a client call to a server: into its mailbox, or to its node, where the call waits for the reply in the
     * {@link CallsTable}.
     */
    void dispatch(final ClientCall call, final ServerId to)
    {
        if (isLocal(to))
        {
            final ServerMailbox server = servers.get(to);
            if (null == server)
            {
                notHere(call, to);
            }
            else
            {
                server.deliverCall(call.request, call);
            }
            return;
        }
        if (!transport.isReachable(to.node()))
        {
            call.notReached(to, "node " + to.node() + " of " + to + " is not reachable");
            return;
        }
        final long id = calls.nextCallId();
        call.sentRemotely(id);
        calls.await(id, to.node(), call);
        if (!leftNodes.isEmpty() && leftNodes.contains(to.node()))
        {
            // The node left between the reachability check and the registration, so nodeLeft may have missed the
            // call; whichever of the two takes it sends it on, and only once.
            if (calls.take(id, call))
            {
                call.nodeLeft(to);
            }
            return;
        }
        if (!transport.isReachable(to.node()))
        {
            // Reported down between the check above and the registration, so nodeDown may have missed the call, and
            // its message would be lost with the link: nothing was sent, so it moves on (whoever takes it, once).
            if (calls.take(id, call))
            {
                call.notReached(to, "node " + to.node() + " of " + to + " is not reachable");
            }
            return;
        }
        final NodeMessage.ServerCall message = new NodeMessage.ServerCall(id, to, call.request);
        if (call.claimReceiveOnCaller())
        {
            switch (transport.sendAndReceiveOnCaller(to.node(), message, call.deadlineNanos()))
            {
                case ANSWERED, DEADLINE_PASSED:
                    return;
                case CONNECTION_LOST:
                    if (calls.take(id, call))
                    {
                        call.nodeLost(to);
                    }
                    return;
                case NODE_LEFT:
                    // Also seen by the peer link's goodbye, which may have taken the call already.
                    if (calls.take(id, call))
                    {
                        call.nodeLeft(to);
                    }
                    return;
                case NOT_SENT:
                default:
                    break;
            }
        }
        transport.send(to.node(), message);
    }

    /**
     * Send a fire-and-forget command.
     *
     * @param to          server addressed.
     * @param command     encoded command.
     * @param notifyTo    process to notify, or null.
     * @param correlation of the command, or null.
     * @param hops        times forwarded so far.
     */
    void castCommand(final ServerId to, final UserCommand command, final ProcessRef notifyTo,
        final Object correlation, final int hops)
    {
        if (isLocal(to))
        {
            castToLocal(to, command, notifyTo, correlation, hops);
        }
        else
        {
            transport.send(to.node(), new NodeMessage.CommandCast(to, command, notifyTo, correlation, hops));
        }
    }

    private void castToLocal(final ServerId to, final UserCommand command, final ProcessRef notifyTo,
        final Object correlation, final int hops)
    {
        final ServerMailbox server = servers.get(to);
        if (null != server)
        {
            server.deliverCast(command, notifyTo, correlation, hops);
            return;
        }
        castToNotRunning(to, command, notifyTo, correlation, hops);
    }

    /**
     * A command cast to a server of this node that does not run (also one that stopped with the command still in its
     * mailbox): answered as a cast to it from now on is.
     */
    void castToNotRunning(final ServerId to, final UserCommand command, final ProcessRef notifyTo,
        final Object correlation, final int hops)
    {
        // A server removed from a cluster that runs on names a member of its last configuration, as a follower
        // names its leader: the process sends the command there again, or it goes there itself.
        final ServerId memberAfter = clusters.memberAfter(to);
        if (null != notifyTo)
        {
            sendEvent(notifyTo, new RaEvent.Rejected(to, memberAfter, correlation));
        }
        else if (null != memberAfter && hops < MAX_CAST_HOPS)
        {
            castCommand(memberAfter, command, null, null, hops + 1);
        }
    }

    /**
     * A call for a server of this node that does not run here: a deleted one says so, so that its caller stops asking
     * it (and, if it was removed from a cluster that runs on, which member to ask instead).
     */
    private void notHere(final CallOrigin origin, final ServerId to)
    {
        final String deletion = clusters.deletion(to);
        if (null != deletion)
        {
            origin.deleted(to, deletion, clusters.memberAfter(to));
        }
        else
        {
            origin.noServer(to);
        }
    }

    /**
     * A server stopped: its peers hear of it at once (like an Erlang monitor firing) rather than from their timeouts.
     */
    void serverDown(final ServerId stopped, final List<ServerId> peers)
    {
        for (final ServerId peer : peers)
        {
            if (isLocal(peer))
            {
                final ServerMailbox local = servers.get(peer);
                if (null != local)
                {
                    local.deliver(new RaftEvent.PeerUnreachable(stopped));
                }
            }
            else
            {
                transport.send(peer.node(), new NodeMessage.ServerDown(stopped, peer));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Processes and monitors

    /**
     * A machine's message to a process, encoded with the machine's message codec when it crosses nodes.
     *
     * @param machine the machine of the version whose logic sent it: its codec writes what that version's builds read.
     *
     * @throws IllegalArgumentException naming the process if the message cannot be encoded (nothing was sent): the
     *     effect failed, which its server counts and logs.
     */
    void sendToProcess(final ProcessRef to, final Object message, final ServerId from,
        final StateMachine<Object, Object> machine)
    {
        if (to.node().equals(nodeId))
        {
            processes.deliver(to, message);
            return;
        }
        final byte[] encoded;
        try
        {
            encoded = machine.messageCodec().toBytes(message);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("a message to " + to + " cannot be encoded with the message codec of " +
                machine.getClass().getName() + ": " + ex, ex);
        }
        if (null == encoded)
        {
            throw new IllegalArgumentException("the message codec of " + machine.getClass().getName() +
                " encoded a message to " + to + " as null");
        }
        transport.send(to.node(), new NodeMessage.ProcessMessage(to, from, Bytes.wrap(encoded)));
    }

    /**
     * Send a message to any process, local or remote, encoded with the generic codec when it crosses nodes.
     */
    void send(final ProcessRef to, final Object message)
    {
        if (to.node().equals(nodeId))
        {
            processes.deliver(to, message);
        }
        else
        {
            transport.send(to.node(), new NodeMessage.ProcessMessage(to, null,
                Bytes.wrap(Codecs.generic().toBytes(message))));
        }
    }

    void sendEvent(final ProcessRef to, final RaEvent.Rejected event)
    {
        if (to.node().equals(nodeId))
        {
            clusters.namedBy(event.from(), event.leaderHint());
            processes.deliver(to, event);
        }
        else
        {
            transport.send(to.node(), new NodeMessage.RejectedNotice(to, event.from(), event.leaderHint(),
                event.correlation()));
        }
    }

    /**
     * @param machine the machine of the version that applied the commands, whose reply codec encodes their replies.
     */
    void notifyApplied(final ProcessRef to, final ServerId leader, final StateMachine<Object, Object> machine,
        final List<RaEvent.Correlated> applied)
    {
        if (to.node().equals(nodeId))
        {
            processes.deliver(to, new RaEvent.Applied(leader, applied));
            return;
        }
        for (final NodeMessage notice : AppliedNotices.of(to, leader, machine.replyCodec(), applied,
            transport.maxMessageBytes(), transport.supports(to.node(), PeerFeature.FAILED_COMMAND_NOTICE)))
        {
            transport.send(to.node(), notice);
        }
    }

    void monitorProcess(final ProcessRef process, final ServerId watcher)
    {
        if (process.node().equals(nodeId))
        {
            processes.monitor(process, watcher);
        }
        else if (!isNodeUp(process.node()))
        {
            processDown(process, DownReason.NOCONNECTION, watcher);
        }
        else
        {
            transport.send(process.node(), new NodeMessage.MonitorProcess(process, watcher));
        }
    }

    void demonitorProcess(final ProcessRef process, final ServerId watcher)
    {
        if (process.node().equals(nodeId))
        {
            processes.demonitor(process, watcher);
        }
        else
        {
            transport.send(process.node(), new NodeMessage.DemonitorProcess(process, watcher));
        }
    }

    void processDown(final ProcessRef process, final DownReason reason, final ServerId watcher)
    {
        if (isLocal(watcher))
        {
            final ServerMailbox server = servers.get(watcher);
            if (null != server)
            {
                server.deliverProcessDown(process, reason);
            }
        }
        else
        {
            transport.send(watcher.node(), new NodeMessage.ProcessDown(process, reason, watcher));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Incoming

    /**
     * Deliver a message from another node. {@link NodeMessage.StartServer} is not routing and is left to the caller.
     *
     * @param fromNode the sender.
     * @param message  received.
     */
    void receive(final String fromNode, final NodeMessage message)
    {
        if (message instanceof NodeMessage.RaftMessage raft)
        {
            final ServerMailbox server = servers.get(raft.to());
            if (null != server)
            {
                server.deliver(new RaftEvent.RpcReceived(raft.from(), raft.rpc()));
            }
            else
            {
                // Like an Erlang monitor on a dead process: tell the sender at once, and whether the server ended
                // with its cluster's deletion, which a member that missed it (its node was down) cannot learn else.
                // The term it ended in lets a member of a cluster created again under the same ids tell that the
                // answer is about the cluster before (see EarlierClusterNotices).
                final boolean deleted = clusters.appliedClusterDeletion(raft.to());
                transport.send(fromNode, new NodeMessage.ServerDown(raft.to(), raft.from(), deleted,
                    deleted ? clusters.termAtDeletion(raft.to()) : 0));
            }
        }
        else if (message instanceof NodeMessage.ServerCall call)
        {
            final ServerMailbox server = servers.get(call.to());
            // A command's reply is encoded with the reply codec of the version that applied it, known only then.
            final RemoteOrigin origin = new RemoteOrigin(transport, nodeId, fromNode, call.callId());
            if (null == server)
            {
                notHere(origin, call.to());
            }
            else
            {
                server.deliverCall(call.request(), origin);
            }
        }
        else if (message instanceof NodeMessage.CallReply reply)
        {
            if (!calls.onReply(fromNode, reply))
            {
                misdirectedReplies.warn("{}: dropping a reply from node {} to call {}, which was sent to another node",
                    nodeId, fromNode, reply.callId());
            }
        }
        else if (message instanceof NodeMessage.CommandCast cast)
        {
            castToLocal(cast.to(), cast.command(), cast.notifyTo(), cast.correlation(), cast.hops());
        }
        else if (message instanceof NodeMessage.ProcessMessage pm)
        {
            // Decoded only for a process of this node: bytes from another node for none are never built (a message
            // no machine sent is in the unrestricted generic codec).
            if (processes.isAlive(pm.to()))
            {
                processes.deliver(pm.to(), clusters.messageCodec(pm.from()).fromBytes(pm.message().unsafeArray()));
            }
        }
        else if (message instanceof NodeMessage.AppliedNotice notice)
        {
            // Read only for a process of this node; the correlations are built for it as it gets them.
            if (!processes.isAlive(notice.to()))
            {
                return;
            }
            final Codec<Object> codec = clusters.replyCodec(notice.leader());
            final List<RaEvent.Correlated> applied = new ArrayList<>(notice.replies().size());
            for (int i = 0; i < notice.replies().size(); i++)
            {
                try
                {
                    applied.add(new RaEvent.Correlated(notice.correlations().get(i),
                        codec.fromBytes(notice.replies().get(i).unsafeArray())));
                }
                catch (final RuntimeException ex)
                {
                    // Only this reply is lost (this node's reply codec differs from the leader's), not the others of
                    // the notice; the process is told, rather than left waiting for it.
                    LOG.warn("{}: the reply of the command correlated {} from {} cannot be decoded: {}", nodeId,
                        notice.correlations().get(i), notice.leader(), ex.toString());
                    applied.add(CommandFailures.replyNotDecoded(notice.leader(), notice.correlations().get(i),
                        ex.toString()));
                }
            }
            if (!applied.isEmpty())
            {
                processes.deliver(notice.to(), new RaEvent.Applied(notice.leader(), applied));
            }
        }
        else if (message instanceof NodeMessage.FailedNotice notice)
        {
            final List<RaEvent.Correlated> failed = new ArrayList<>(notice.failures().size());
            for (final FailedCommand failure : notice.failures())
            {
                failed.add(CommandFailures.notificationOf(notice.leader(), failure));
            }
            processes.deliver(notice.to(), new RaEvent.Applied(notice.leader(), failed));
        }
        else if (message instanceof NodeMessage.RejectedNotice notice)
        {
            clusters.namedBy(notice.from(), notice.leaderHint());
            processes.deliver(notice.to(), new RaEvent.Rejected(notice.from(), notice.leaderHint(),
                notice.correlation()));
        }
        else if (message instanceof NodeMessage.MonitorProcess monitor)
        {
            processes.monitor(monitor.process(), monitor.watcher());
        }
        else if (message instanceof NodeMessage.DemonitorProcess demonitor)
        {
            processes.demonitor(demonitor.process(), demonitor.watcher());
        }
        else if (message instanceof NodeMessage.ProcessDown down)
        {
            processDown(down.process(), down.reason(), down.watcher());
        }
        else if (message instanceof NodeMessage.ServerDown down)
        {
            final ServerMailbox server = servers.get(down.peer());
            if (null != server)
            {
                server.deliver(new RaftEvent.PeerUnreachable(down.server()));
                server.deliverPeerNotRunning(down.server(), down.clusterDeleted(), down.deletedInTerm());
            }
        }
        else
        {
            throw new IllegalStateException("unhandled node message " + message);
        }
    }

    /**
     * The transport reports a node up or down: every local server hears of it, and calls awaiting an answer from a
     * node that went down learn that it will not come.
     */
    void nodeStatus(final String node, final boolean up)
    {
        silentNodes.remove(node);
        if (up)
        {
            leftNodes.remove(node);
        }
        if (!up)
        {
            processes.forgetWatchersOn(node);
        }
        for (final ServerMailbox server : servers.all())
        {
            server.deliverNodeStatus(node, up);
        }
        if (!up)
        {
            calls.nodeDown(node);
        }
    }

    /**
     * The transport reports that a node left in order: it is down, as with {@link #nodeStatus}, but the calls
     * awaiting its answer were not taken there and move on to other members.
     */
    void nodeLeft(final String node)
    {
        leftNodes.add(node);
        silentNodes.remove(node);
        processes.forgetWatchersOn(node);
        for (final ServerMailbox server : servers.all())
        {
            server.deliverNodeStatus(node, false);
        }
        calls.nodeLeft(node);
    }

    /**
     * The transport reports a node silent, or heard from again. Calls awaiting an answer from a node still silent
     * after as long again stop waiting for it (see {@link ClientCall#nodeSilent()}).
     */
    void nodeSilence(final String node, final boolean silent)
    {
        if (silent)
        {
            silentNodes.add(node);
        }
        else
        {
            silentNodes.remove(node);
        }
        for (final ServerMailbox server : servers.all())
        {
            server.deliverNodeSilence(node, silent);
        }
        if (silent)
        {
            // Followers campaign only once a whole minimum election timeout has passed without hearing their leader
            // (twice the silence): a call gives up on the node then too, not on a stall its leader will outlive.
            calls.retryAfter(() ->
            {
                if (isSilent(node))
                {
                    calls.nodeSilent(node);
                }
            }, silenceMs);
        }
    }
}
