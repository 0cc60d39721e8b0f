package dev.ra.runtime;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.core.RaftEvent;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;

/**
 * The mailbox of a server running on this node, as the {@link MessageRouter} sees it: everything it can hand a local
 * server. Each method only queues the work (any thread, never blocks); the server runs it on its event loop in mailbox
 * order. A server that has stopped answers calls and queries at once (the call learns it is gone) and drops the rest.
 */
interface ServerMailbox
{
    /**
     * @return the server's id.
     */
    ServerId serverId();

    /**
     * @param event a Raft event (a message from a peer, a peer's reachability).
     */
    void deliver(RaftEvent event);

    /**
     * @param request what a caller asks.
     * @param origin  where the answer goes.
     */
    void deliverCall(ServerRequest request, CallOrigin origin);

    /**
     * A fire-and-forget command.
     *
     * @param command     encoded command.
     * @param notifyTo    process to notify, or null.
     * @param correlation of the command, or null.
     * @param hops        times forwarded so far.
     */
    void deliverCast(UserCommand command, ProcessRef notifyTo, Object correlation, int hops);

    /**
     * @param process a process the server monitors.
     * @param reason  why it ended.
     */
    void deliverProcessDown(ProcessRef process, DownReason reason);

    /**
     * @param node   another node.
     * @param silent whether it went silent (true) or was heard from again (false).
     */
    void deliverNodeSilence(String node, boolean silent);

    /**
     * @param node another node.
     * @param up   whether it became reachable (true) or unreachable (false).
     */
    void deliverNodeStatus(String node, boolean up);

    /**
     * @param peer               a peer whose node says no server of its id runs there (it stopped, or never ran).
     * @param deletedWithCluster the peer applied the cluster's deletion there (so the deletion committed).
     * @param deletedInTerm      the term the peer ended in then, 0 if not known (see {@link EarlierClusterNotices}).
     */
    void deliverPeerNotRunning(ServerId peer, boolean deletedWithCluster, long deletedInTerm);
}
