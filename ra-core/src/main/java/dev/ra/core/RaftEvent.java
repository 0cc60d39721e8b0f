package dev.ra.core;

import dev.ra.BuiltinCommand;
import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import java.util.Objects;

/**
 * Everything that can happen to a server, fed to {@link ServerCore#handle(RaftEvent, long)} together with the time.
 */
public sealed interface RaftEvent
{
    /**
     * The periodic tick: the leader re-sends to lagging peers and runs the machine's {@code tick}.
     */
    record Tick() implements RaftEvent
    {
    }

    /**
     * The election timer set by {@link RaftAction.SetElectionTimer} expired.
     */
    record ElectionTimeout() implements RaftEvent
    {
    }

    /**
     * The timer set by {@link RaftAction.SetCommitNoticeTimer} expired: a leader tells followers whose known commit
     * index has lagged for the configured delay what it is now.
     */
    record CommitNoticeDue() implements RaftEvent
    {
    }

    /**
     * A message from another server.
     *
     * @param from the sender.
     * @param rpc  the message.
     */
    record RpcReceived(ServerId from, RaftRpc rpc) implements RaftEvent
    {
        /**
         * Checks that {@code from} and {@code rpc} are not null.
         */
        public RpcReceived
        {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(rpc, "rpc");
        }
    }

    /**
     * The log reports everything up to {@code index} durable, the entry at {@code index} having {@code term}.
     *
     * @param index of the last durable entry.
     * @param term  of that entry.
     */
    record LogWritten(long index, long term) implements RaftEvent
    {
    }

    /**
     * A snapshot requested with {@link RaftAction.WriteSnapshot} is durable and the log below it was dropped.
     *
     * @param meta of the snapshot.
     */
    record SnapshotWritten(SnapshotMeta meta) implements RaftEvent
    {
    }

    /**
     * A snapshot received from the leader ({@link RaftAction.InstallSnapshot}) is durable, the log was reset to it, and
     * its state decoded.
     *
     * @param meta         of the snapshot.
     * @param machineState decoded from it.
     */
    record SnapshotInstalled(SnapshotMeta meta, Object machineState) implements RaftEvent
    {
    }

    /**
     * A client command.
     *
     * @param command   to append.
     * @param replyMode how the caller wants the outcome.
     */
    record ClientCommand(UserCommand command, ReplyMode replyMode) implements RaftEvent
    {
        /**
         * Checks that {@code command} and {@code replyMode} are not null.
         */
        public ClientCommand
        {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(replyMode, "replyMode");
        }
    }

    /**
     * A monitor or timer fired on the leader: append a {@link BuiltinCommand}. Dropped by non-leaders.
     *
     * @param command to append.
     */
    record BuiltinTriggered(BuiltinCommand command) implements RaftEvent
    {
        /**
         * Checks that {@code command} is not null.
         */
        public BuiltinTriggered
        {
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * A linearizable read: the core confirms leadership with a heartbeat round (ReadIndex) and then emits
     * {@link RaftAction.QueryReady}.
     *
     * @param queryId the runtime's handle on the query.
     */
    record ConsistentQuery(long queryId) implements RaftEvent
    {
    }

    /**
     * Add a member (single-server change, used on append).
     *
     * @param callId the runtime's handle on the caller.
     * @param member to add; a {@link dev.ra.protocol.Membership#PROMOTABLE} member is promoted once caught up.
     */
    record AddMember(long callId, Member member) implements RaftEvent
    {
        /**
         * Checks that {@code member} is not null.
         */
        public AddMember
        {
            Objects.requireNonNull(member, "member");
        }
    }

    /**
     * Remove a member.
     *
     * @param callId the runtime's handle on the caller.
     * @param server to remove.
     */
    record RemoveMember(long callId, ServerId server) implements RaftEvent
    {
        /**
         * Checks that {@code server} is not null.
         */
        public RemoveMember
        {
            Objects.requireNonNull(server, "server");
        }
    }

    /**
     * Hand leadership to another voter (thesis §3.10).
     *
     * @param callId the runtime's handle on the caller.
     * @param target to become leader.
     */
    record TransferLeadership(long callId, ServerId target) implements RaftEvent
    {
        /**
         * Checks that {@code target} is not null.
         */
        public TransferLeadership
        {
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * Start an election now (a no-op on a leader or a member already campaigning).
     */
    record TriggerElection() implements RaftEvent
    {
    }

    /**
     * Delete the cluster: the leader appends a delete entry; each member stops when it applies it.
     *
     * @param callId the runtime's handle on the caller.
     */
    record DeleteCluster(long callId) implements RaftEvent
    {
    }

    /**
     * Nothing at all has been heard from the peer's node for {@link SilentLeader#suspectAfterMs} (no message, no
     * transport heartbeat), though its connection is still open: it may be paused or cut off without the connection
     * noticing. A follower whose leader it is sets its election timer for what remains of an election timeout (and
     * grants pre-votes); a leader only stops resending to it. {@link PeerReachable} ends it.
     *
     * @param peer that went silent.
     */
    record PeerSilent(ServerId peer) implements RaftEvent
    {
        /**
         * Checks that {@code peer} is not null.
         */
        public PeerSilent
        {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * The failure detector says a peer (its process or its node) is down; a follower whose leader it is starts an
     * election timer, a leader that cannot reach a majority steps down.
     *
     * @param peer that is unreachable.
     */
    record PeerUnreachable(ServerId peer) implements RaftEvent
    {
        /**
         * Checks that {@code peer} is not null.
         */
        public PeerUnreachable
        {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * The failure detector says a peer is reachable again.
     *
     * @param peer that is reachable.
     */
    record PeerReachable(ServerId peer) implements RaftEvent
    {
        /**
         * Checks that {@code peer} is not null.
         */
        public PeerReachable
        {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * Encoded machine state for {@link RaftAction.WriteSnapshot} could not be produced or written; the core forgets
     * the pending snapshot and may try again at a later release cursor. Or, reported in place of
     * {@link SnapshotInstalled}, the state of a snapshot to install ({@link RaftAction.InstallSnapshot}) does not
     * decode, and nothing was stored: the member stops applying, as for a machine version its build lacks.
     *
     * @param meta  of the snapshot that failed.
     * @param cause a description of the failure.
     */
    record SnapshotFailed(SnapshotMeta meta, String cause) implements RaftEvent
    {
    }
}
