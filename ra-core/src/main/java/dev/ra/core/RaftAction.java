package dev.ra.core;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import java.util.List;
import java.util.Objects;

/**
 * What the core asks its runtime to do. The runtime executes a step's actions IN ORDER, each completed before the
 * next starts (in particular {@link PersistTermAndVote} is durable BEFORE any later {@link Send} leaves).
 */
public sealed interface RaftAction
{
    /**
     * Make term and vote durable (synchronously) before anything else happens.
     *
     * @param term     current term.
     * @param votedFor vote in that term, or null.
     */
    record PersistTermAndVote(long term, ServerId votedFor) implements RaftAction
    {
    }

    /**
     * The member has recovered from the storage damage it started with ({@link RecoveredState#damaged()}): its log
     * holds again everything it had acknowledged, and it knows its term. The runtime clears the damage record
     * durably ({@code MetaStore.clearDamage}); from now on the member votes and campaigns again.
     */
    record StorageRecovered() implements RaftAction
    {
    }

    /**
     * Append to the log (overwriting from the first entry's index if it is not past the end). The entries must be
     * readable when the next event is handled; their durability comes back as {@link RaftEvent.LogWritten}.
     *
     * @param entries to append, consecutive.
     */
    record AppendToLog(List<LogEntry> entries) implements RaftAction
    {
    }

    /**
     * Send a message to another server (may be lost).
     *
     * @param to  the receiver.
     * @param rpc the message.
     */
    record Send(ServerId to, RaftRpc rpc) implements RaftAction
    {
        /**
         * Checks that {@code to} and {@code rpc} are not null.
         */
        public Send
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(rpc, "rpc");
        }
    }

    /**
     * (Re)start the election timer; it fires {@link RaftEvent.ElectionTimeout} unless reset or cancelled.
     *
     * @param delayMs until it fires.
     */
    record SetElectionTimer(long delayMs) implements RaftAction
    {
    }

    /**
     * Cancel the election timer.
     */
    record CancelElectionTimer() implements RaftAction
    {
    }

    /**
     * (Re)start the leader's commit notice timer, replacing any pending one; it fires
     * {@link RaftEvent.CommitNoticeDue}. Firing late or spuriously is harmless: the leader re-checks which followers
     * still lag.
     *
     * @param delayMs until it fires.
     */
    record SetCommitNoticeTimer(long delayMs) implements RaftAction
    {
    }

    /**
     * The member changed role. Entering any role but LEADER from LEADER drops the machine's monitors and timers.
     *
     * @param from   the previous role.
     * @param to     the new role.
     * @param term   current term.
     * @param leader the known leader, or null.
     */
    record RoleChanged(RaftRole from, RaftRole to, long term, ServerId leader) implements RaftAction
    {
    }

    /**
     * Run machine effects. Already filtered: followers only get the effects any member runs.
     *
     * @param effects        to run in order.
     * @param machineVersion the machine version whose logic returned them: a message crosses nodes encoded with that
     *                       version's message codec, which the builds of that version read.
     */
    record MachineEffects(List<Effect> effects, int machineVersion) implements RaftAction
    {
    }

    /**
     * A machine callback threw and the member carried on: for the runtime to log. The command's caller, if any, is
     * answered separately ({@link ReplyToCaller} or {@link NotifyApplied} with the failure as the reply).
     *
     * @param failure what threw.
     */
    record MachineFailed(MachineFailure failure) implements RaftAction
    {
    }

    /**
     * The member stopped applying: its log or a snapshot needs a machine version its build does not support. To be
     * logged as an error; the member keeps its log, replicates and votes (docs/UPGRADES.md, "Machine versions").
     *
     * @param message naming the cluster, the server, the index and the versions.
     */
    record MachineVersionUnsupported(String message) implements RaftAction
    {
    }

    /**
     * Reply to a caller waiting for consensus: its command is committed and applied on this leader.
     *
     * @param callId         from {@link ReplyMode.AwaitConsensus}.
     * @param index          of the command's entry.
     * @param reply          from the machine, or a {@link MachineFailure} when its {@code apply} threw.
     * @param machineVersion the machine version that applied it: the reply crosses nodes encoded with that version's
     *                       reply codec, which the builds of that version read.
     */
    record ReplyToCaller(long callId, long index, Object reply, int machineVersion) implements RaftAction
    {
    }

    /**
     * Notify a process that a pipelined command was applied; the runtime batches these per process.
     *
     * @param to             the process.
     * @param correlation    from the caller.
     * @param reply          from the machine, or a {@link MachineFailure} when its {@code apply} threw.
     * @param machineVersion the machine version that applied it (see {@link ReplyToCaller}).
     */
    record NotifyApplied(ProcessRef to, Object correlation, Object reply, int machineVersion) implements RaftAction
    {
    }

    /**
     * The leader refused a pipelined command (nothing was appended): the runtime notifies the process of the failure
     * in place of a reply, as it does of a command whose apply threw.
     *
     * @param to          the process.
     * @param correlation from the caller.
     * @param error       why.
     * @param detail      naming the server, the limit and the setting.
     */
    record NotifyRefused(ProcessRef to, Object correlation, CallError error, String detail) implements RaftAction
    {
    }

    /**
     * This member cannot take the command (it is not the leader): the runtime redirects a waiting caller, rejects a
     * notify-mode command with the hint, or forwards a fire-and-forget command to the leader.
     *
     * @param command    that was not taken.
     * @param replyMode  of the command.
     * @param leaderHint the leader if known, else null.
     */
    record CommandNotTaken(UserCommand command, ReplyMode replyMode, ServerId leaderHint) implements RaftAction
    {
    }

    /**
     * A consistent query may run now: leadership was confirmed after it arrived and the state includes everything
     * committed before it arrived. The runtime runs it against {@link ServerCore#machineState()} immediately.
     *
     * @param queryId from {@link RaftEvent.ConsistentQuery}.
     */
    record QueryReady(long queryId) implements RaftAction
    {
    }

    /**
     * A call (membership change, transfer, query, deletion) completed.
     *
     * @param callId of the call.
     * @param index  of the entry that carried it, or 0.
     * @param term   of that entry, or 0.
     */
    record CallCompleted(long callId, long index, long term) implements RaftAction
    {
    }

    /**
     * A call (membership change, transfer, query, deletion) failed.
     *
     * @param callId     of the call.
     * @param error      why.
     * @param leaderHint the leader if known, else null.
     * @param detail     what exactly was wrong, for the caller, or null when the error says it all.
     */
    record CallFailed(long callId, CallError error, ServerId leaderHint, String detail) implements RaftAction
    {
        /**
         * A failure the error says all about.
         *
         * @param callId     of the call.
         * @param error      why.
         * @param leaderHint the leader if known, else null.
         */
        public CallFailed(final long callId, final CallError error, final ServerId leaderHint)
        {
            this(callId, error, leaderHint, null);
        }

        @Override
        public String toString()
        {
            return "CallFailed[callId=" + callId + ", error=" + error + ", leaderHint=" + leaderHint +
                (null == detail ? "" : ", detail=" + detail) + "]";
        }
    }

    /**
     * Write a snapshot of the machine state (encode, write durably); report {@link RaftEvent.SnapshotWritten} or
     * {@link RaftEvent.SnapshotFailed}. May happen in the background. The log is NOT truncated here: the core asks
     * for that with {@link TruncateLogUpTo} once it has taken the snapshot into account.
     *
     * @param meta         of the snapshot.
     * @param machineState to encode; immutable.
     */
    record WriteSnapshot(SnapshotMeta meta, Object machineState) implements RaftAction
    {
    }

    /**
     * Drop log entries at and below {@code index}: a durable snapshot covers them and the core no longer reads them.
     *
     * @param index of the snapshot.
     */
    record TruncateLogUpTo(long index) implements RaftAction
    {
    }

    /**
     * Install a snapshot received from the leader: decode the state, store it durably, reset the log to it, then
     * report {@link RaftEvent.SnapshotInstalled} as the VERY NEXT event the core handles (the core's view of the log
     * is stale until then).
     *
     * @param meta of the snapshot.
     * @param data the encoded machine state.
     */
    record InstallSnapshot(SnapshotMeta meta, Bytes data) implements RaftAction
    {
    }

    /**
     * The leader committed a configuration without {@code member}, which the one before it had: the runtime stops
     * that member and deletes its data, wherever it runs (it hears nothing more from the leader and would otherwise
     * run on as a member of the old configuration). Asked for whichever leader appended the change: the one that did
     * may have lost its leadership before it committed.
     *
     * @param member    removed.
     * @param removedAt index of a committed configuration without the member: the request may arrive late, after the
     *                  member was deleted and added back under the same id, and a member that joined after this index
     *                  is not the one removed.
     */
    record RetireMember(ServerId member, long removedAt) implements RaftAction
    {
    }

    /**
     * This member is done: it was removed from the cluster, or the cluster was deleted. The runtime stops the server
     * (and for a deletion, deletes its data).
     *
     * @param deleteData whether to delete the server's data.
     */
    record Terminate(boolean deleteData) implements RaftAction
    {
    }
}
