package dev.ra.transport.netty;

import dev.ra.protocol.NodeMessage;

/**
 * Checks that a message could really have come from the node whose connection carried it: a Raft RPC from one of its
 * servers, a down notice about one of its processes or servers, a monitor set by one of its servers. A node must not
 * speak for another (a compromised or misconfigured peer could otherwise cast votes in another node's name).
 */
final class SenderCheck
{
    private SenderCheck()
    {
    }

    /**
     * @param message received.
     * @param sender  node id of the connection it came on.
     * @param hostsMembers whether the sender is a configured peer; a client node (allowed to dial in, no address)
     *                     hosts no member and so never sends Raft RPCs.
     * @return null if plausible, else what is wrong.
     */
    static String mismatch(final NodeMessage message, final String sender, final boolean hostsMembers)
    {
        final String claimed;
        if (message instanceof NodeMessage.RaftMessage raft)
        {
            if (!hostsMembers)
            {
                return "client node " + sender + " sent a Raft RPC";
            }
            claimed = raft.from().node();
        }
        else if (message instanceof NodeMessage.ServerDown down)
        {
            claimed = down.server().node();
        }
        else if (message instanceof NodeMessage.ProcessDown down)
        {
            claimed = down.process().node();
        }
        else if (message instanceof NodeMessage.MonitorProcess monitor)
        {
            claimed = monitor.watcher().node();
        }
        else if (message instanceof NodeMessage.DemonitorProcess demonitor)
        {
            claimed = demonitor.watcher().node();
        }
        else if (message instanceof NodeMessage.AppliedNotice notice)
        {
            claimed = notice.leader().node();
        }
        else if (message instanceof NodeMessage.FailedNotice notice)
        {
            claimed = notice.leader().node();
        }
        else if (message instanceof NodeMessage.RejectedNotice notice)
        {
            // As forged as an applied notice: the client would resend a command another node's member may have taken.
            claimed = notice.from().node();
        }
        else if (message instanceof NodeMessage.ProcessMessage pm)
        {
            if (null == pm.from())
            {
                // Sent by the peer node's application code, on its own behalf: nothing claimed to check.
                return null;
            }
            claimed = pm.from().node();
        }
        else
        {
            return null;
        }
        return claimed.equals(sender) ? null :
            "node " + sender + " sent a " + message.getClass().getSimpleName() + " on behalf of node " + claimed;
    }
}
