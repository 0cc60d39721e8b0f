package dev.ra.runtime;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.core.RaftEvent;
import dev.ra.protocol.Member;

/**
 * What a {@link ServerProcess} hears of other processes and nodes: a monitored process went down, a member's node
 * went silent or was heard from again, a node's reachability changed. Each becomes an event of the server's core.
 * Confined to the server's loop (the calls come through its mailbox).
 */
final class NodeEvents
{
    private final ServerProcess server;

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
