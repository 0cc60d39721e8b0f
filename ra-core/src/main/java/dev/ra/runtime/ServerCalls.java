package dev.ra.runtime;

import dev.ra.RaftRole;
import dev.ra.core.CallError;
import dev.ra.core.RaftEvent;
import dev.ra.core.ReplyMode;
import dev.ra.protocol.Member;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;

/**
 * The calls a {@link ServerProcess} takes: each {@link ServerRequest} becomes an event of the server's core (with the
 * call registered in the server's {@link ServerCallLedger}, answered when the core reports the outcome), or is answered
 * at once from what the server knows (members, a leader's applied index, a redirect). A
 * {@link ServerRequest.ConfirmedNamedQuery} is a read index followed by the named query ({@link ConfirmedQueryOrigin}).
 * Confined to the server's loop.
 */
final class ServerCalls
{
    private final ServerProcess server;

    /**
     * @param server whose calls these are.
     */
    ServerCalls(final ServerProcess server)
    {
        this.server = server;
    }

    /**
     * Take a call addressed to the server: most become an event of its core, with the call registered in its
     * ledger to be answered when the core is done.
     */
    void take(final ServerRequest request, final CallOrigin origin)
    {
        if (request instanceof ServerRequest.Command command)
        {
            final String refusal = refusal(command.command());
            if (null != refusal)
            {
                origin.failed(CallError.INVALID_COMMAND, null, refusal);
                return;
            }
            final long callId = server.ledger.register(origin, ServerCallLedger.Kind.COMMAND);
            server.handle(new RaftEvent.ClientCommand(command.command(), new ReplyMode.AwaitConsensus(callId)));
        }
        else if (request instanceof ServerRequest.AddMember add)
        {
            // Checked on every member that takes the call, not only the caller's node: the leader's node may know
            // the new member's cluster when the caller's does not.
            final String foreign = MemberOfAnotherCluster.refusal(server.environment.clusters(),
                server.cluster.clusterName, add);
            if (null != foreign)
            {
                origin.failed(CallError.NOT_PERMITTED, server.core.leaderId(), foreign);
                return;
            }
            final long callId = server.ledger.register(origin, ServerCallLedger.Kind.MEMBER_CHANGE);
            server.handle(new RaftEvent.AddMember(callId, new Member(add.member(), add.membership(), 0)));
        }
        else if (request instanceof ServerRequest.RemoveMember remove)
        {
            // The removed member is retired when the removal commits (RaftAction.RetireMember), by whichever leader
            // commits it.
            final long callId = server.ledger.register(origin, ServerCallLedger.Kind.MEMBER_CHANGE);
            server.handle(new RaftEvent.RemoveMember(callId, remove.member()));
        }
        else if (request instanceof ServerRequest.TransferLeadership transfer)
        {
            final long callId = server.ledger.register(origin, ServerCallLedger.Kind.TRANSFER);
            server.handle(new RaftEvent.TransferLeadership(callId, transfer.target()));
        }
        else if (request instanceof ServerRequest.DeleteCluster)
        {
            final long callId = server.ledger.register(origin, ServerCallLedger.Kind.DELETE);
            server.handle(new RaftEvent.DeleteCluster(callId));
        }
        else if (request instanceof ServerRequest.TriggerElection)
        {
            // A member that will not campaign says why, so that the caller can ask another one (ClusterFormation)
            // rather than wait for a leader that no member is going to elect.
            final String refusal = server.core.electionRefusal();
            if (null != refusal)
            {
                origin.failed(CallError.NOT_PERMITTED, server.core.leaderId(), refusal);
                return;
            }
            server.handle(new RaftEvent.TriggerElection());
            origin.ok(null, server.core.leaderId());
        }
        else if (request instanceof ServerRequest.Members)
        {
            if (server.core.role() == RaftRole.LEADER)
            {
                server.refreshMembers();
                origin.ok(server.cluster.members, server.id);
            }
            else
            {
                origin.redirect(server.id.equals(server.core.leaderId()) ? null : server.core.leaderId());
            }
        }
        else if (request instanceof ServerRequest.ReadIndex readIndex)
        {
            if (readIndex.confirmLeadership())
            {
                final long callId = server.ledger.register(origin, ServerCallLedger.Kind.READ_INDEX);
                server.handle(new RaftEvent.ConsistentQuery(callId));
            }
            else if (server.core.role() == RaftRole.LEADER)
            {
                origin.ok(server.core.lastApplied(), server.id);
            }
            else
            {
                origin.redirect(server.id.equals(server.core.leaderId()) ? null : server.core.leaderId());
            }
        }
        else if (request instanceof ServerRequest.ConfirmedNamedQuery confirmed)
        {
            // Confirmed exactly as a ReadIndex(true) is; the query then runs here once the read index is applied.
            final long callId = server.ledger.register(new ConfirmedQueryOrigin(server, confirmed, origin),
                ServerCallLedger.Kind.READ_INDEX);
            server.handle(new RaftEvent.ConsistentQuery(callId));
        }
        else if (request instanceof ServerRequest.NamedQuery named)
        {
            server.queries.namedQuery(server.core, server.core.effectiveMachine(), named, origin);
        }
        else if (request instanceof ServerRequest.Stop)
        {
            server.stop(false, null);
            origin.ok(null, null);
        }
        else if (request instanceof ServerRequest.ForceDelete delete)
        {
            if (delete.removedAt() > 0 && server.core.namedAfter(delete.removedAt()))
            {
                // A late retirement: this server of the id was added back after the removal it is about.
                origin.failed(CallError.NOT_PERMITTED, null, "server " + server.id + " joined its cluster after the " +
                    "configuration at index " + delete.removedAt() + " that removed a former member of the same id: " +
                    "not the member to retire, not deleted");
                return;
            }
            if (EarlierClusterNotices.aboutEarlierCluster(server, "the retirement at index " + delete.removedAt(),
                delete.removedInTerm()))
            {
                origin.failed(CallError.NOT_PERMITTED, null, "server " + server.id + " belongs to a cluster created " +
                    "again under the same ids after the configuration at index " + delete.removedAt() + " (term " +
                    delete.removedInTerm() + ") that removed a former member of the same id: not the member to " +
                    "retire, not deleted");
                return;
            }
            server.stop(true, null);
            origin.ok(null, null);
        }
        else
        {
            throw new IllegalStateException("unhandled request " + request);
        }
    }

    /**
     * A leader checks a command before appending it ({@link CommandCheck#leaderRefusal}); other members leave the
     * checks to the leader they redirect to. It checks with the version the command is applied with, which is not the
     * one in force while a switch is appended and not yet applied: the command sits after the switch.
     *
     * @return null if the command may be appended, else why not.
     */
    String refusal(final UserCommand command)
    {
        return server.core.role() != RaftRole.LEADER ? null :
            CommandCheck.leaderRefusal(server.cluster, server.core.machineForCommands(),
                server.core.machineVersionForCommands(), command, server.environment.maxCommandBytes(), server.id);
    }
}
