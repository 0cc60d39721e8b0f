package dev.ra.transport.netty;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.codec.CodecException;
import dev.ra.core.CallError;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.FailedCommand;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Membership;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes every {@link NodeMessage} for the wire and decodes it back, with no Netty type in sight so that it can be
 * tested (and fuzzed) on plain byte arrays. No Java serialization: each message is a {@link MessageType} code followed
 * by its fields; numbers are variable-length, strings and byte strings length-prefixed, optional fields preceded by a
 * presence byte. The few {@code Object} fields (correlations) use the generic codec ({@link WireCorrelations}).
 *
 * <p>Decoding checks every length, count and enum ordinal against the input, rejects trailing bytes, and turns every
 * failure (including a record refusing its components) into a {@link CodecException}: garbage in never yields
 * anything but that exception. Stateless and thread-safe.
 */
public final class WireCodec
{
    /** The single instance. */
    public static final WireCodec INSTANCE = new WireCodec();

    private static final int CMD = 1;
    private static final int ADD_MEMBER = 2;
    private static final int REMOVE_MEMBER = 3;
    private static final int TRANSFER_LEADERSHIP = 4;
    private static final int TRIGGER_ELECTION = 5;
    private static final int DELETE_CLUSTER = 6;
    private static final int MEMBERS = 7;
    private static final int READ_INDEX = 8;
    private static final int STOP = 9;
    private static final int FORCE_DELETE = 10;
    private static final int NAMED_QUERY = 11;
    private static final int CONFIRMED_NAMED_QUERY = 12;
    private static final int RETIRE = 13;

    private static final DownReason[] DOWN_REASONS = DownReason.values();
    private static final CallError[] CALL_ERRORS = CallError.values();
    private static final Membership[] MEMBERSHIPS = Membership.values();
    private static final NodeMessage.CallStatus[] CALL_STATUSES = NodeMessage.CallStatus.values();
    private static final FailedCommand.Kind[] FAILED_KINDS = FailedCommand.Kind.values();


    private WireCodec()
    {
    }

    /**
     * Append a message's encoding.
     *
     * @param message to encode.
     * @param out     to write to.
     * @throws IllegalStateException if the message holds a user command that was never encoded (a runtime bug).
     */
    public void encode(final NodeMessage message, final BufferWriter out)
    {
        encode(message, out, ProtocolVersions.NEWEST);
    }

    /**
     * Append a message's encoding in the form a node of the given protocol version reads.
     *
     * @param message  to encode.
     * @param out      to write to.
     * @param protocol the version agreed with the receiving node ({@link ProtocolVersions}); 0 when not known, which
     *                 is taken as the oldest.
     * @throws IllegalStateException if the message holds a user command that was never encoded, or a request that
     *     the version does not have ({@link ProtocolVersions#supports}): both runtime bugs, as the runtime asks the
     *     transport before it sends such a request.
     */
    void encode(final NodeMessage message, final BufferWriter out, final int protocol)
    {
        if (message instanceof NodeMessage.RaftMessage raft)
        {
            encodeRaft(raft, out, protocol);
        }
        else if (message instanceof NodeMessage.ServerCall call)
        {
            type(MessageType.SERVER_CALL, out).writeLong(call.callId());
            serverId(call.to(), out);
            encodeRequest(call.request(), out, protocol);
        }
        else if (message instanceof NodeMessage.CallReply reply)
        {
            type(MessageType.CALL_REPLY, out).writeLong(reply.callId()).writeByte(reply.status().ordinal())
                .writeBytes(reply.value());
            optionalServerId(reply.leader(), out);
            final CallError error = CallError.OVERLOADED == reply.error() && protocol < ProtocolVersions.OVERLOADED ?
                CallError.NOT_PERMITTED : reply.error();
            out.writeByte(null == error ? 0 : error.ordinal() + 1).writeText(reply.message());
        }
        else if (message instanceof NodeMessage.CommandCast cast)
        {
            type(MessageType.COMMAND_CAST, out);
            serverId(cast.to(), out);
            command(cast.command(), out);
            optionalProcess(cast.notifyTo(), out);
            WireCorrelations.encode(cast.correlation(), out);
            out.writeVarLong(cast.hops());
        }
        else if (message instanceof NodeMessage.ProcessMessage pm)
        {
            process(pm.to(), type(MessageType.PROCESS_MESSAGE, out));
            // No sending server when application code (not a machine's SendMsg effect) sends to a remote process.
            optionalServerId(pm.from(), out);
            out.writeBytes(pm.message());
        }
        else if (message instanceof NodeMessage.AppliedNotice notice)
        {
            process(notice.to(), type(MessageType.APPLIED_NOTICE, out));
            serverId(notice.leader(), out);
            out.writeVarLong(notice.replies().size());
            for (int i = 0; i < notice.replies().size(); i++)
            {
                WireCorrelations.encode(notice.correlations().get(i), out);
                out.writeBytes(notice.replies().get(i));
            }
        }
        else if (message instanceof NodeMessage.FailedNotice notice)
        {
            encodeFailedNotice(notice, out, protocol);
        }
        else if (message instanceof NodeMessage.RejectedNotice notice)
        {
            process(notice.to(), type(MessageType.REJECTED_NOTICE, out));
            serverId(notice.from(), out);
            optionalServerId(notice.leaderHint(), out);
            WireCorrelations.encode(notice.correlation(), out);
        }
        else if (message instanceof NodeMessage.MonitorProcess monitor)
        {
            process(monitor.process(), type(MessageType.MONITOR_PROCESS, out));
            serverId(monitor.watcher(), out);
        }
        else if (message instanceof NodeMessage.DemonitorProcess demonitor)
        {
            process(demonitor.process(), type(MessageType.DEMONITOR_PROCESS, out));
            serverId(demonitor.watcher(), out);
        }
        else if (message instanceof NodeMessage.ProcessDown down)
        {
            process(down.process(), type(MessageType.PROCESS_DOWN, out));
            out.writeByte(down.reason().ordinal());
            serverId(down.watcher(), out);
        }
        else if (message instanceof NodeMessage.ServerDown down)
        {
            // An older node would close the connection on a type it does not know: it is told the server is down.
            final boolean deleted = down.clusterDeleted() && protocol >= ProtocolVersions.RETIREMENT_INDEX;
            serverId(down.server(), type(deleted ? MessageType.SERVER_DELETED : MessageType.SERVER_DOWN, out));
            serverId(down.peer(), out);
            if (deleted && down.deletedInTerm() > 0 && protocol >= ProtocolVersions.DELETION_TERM)
            {
                // Omitted otherwise: a node of version 9 or older rejects trailing bytes; no term reads as 0.
                out.writeVarLong(down.deletedInTerm());
            }
        }
        else if (message instanceof NodeMessage.StartServer start)
        {
            type(MessageType.START_SERVER, out).writeLong(start.callId()).writeString(start.clusterName())
                .writeString(start.machine());
            serverId(start.server(), out);
            out.writeVarLong(start.members().size());
            for (final ServerId member : start.members())
            {
                serverId(member, out);
            }
            if (!JoinPoint.NONE.equals(start.joinedAt()) && protocol >= ProtocolVersions.JOIN_POINT)
            {
                // Optional and last, as the machine version of a reply: a node of an older version reads the rest.
                out.writeVarLong(start.joinedAt().index()).writeVarLong(start.joinedAt().term());
            }
        }
        else
        {
            throw new IllegalStateException("unhandled node message " + message);
        }
    }

    /**
     * Decode one message that must take exactly the reader's remaining bytes.
     *
     * @param in positioned at the message type.
     * @return the message.
     * @throws CodecException if the bytes are not exactly one valid message.
     */
    public NodeMessage decode(final BufferReader in)
    {
        final NodeMessage message;
        try
        {
            message = decodeMessage(in);
        }
        catch (final CodecException ex)
        {
            throw ex;
        }
        catch (final UndecodableCorrelationException ex)
        {
            throw new CodecException("a correlation does not decode on this node: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            // Records validate their components: a forged negative offset or a missing id lands here.
            throw new CodecException("invalid message: " + ex, ex);
        }
        if (in.remaining() != 0)
        {
            throw new CodecException(in.remaining() + " trailing bytes after " + message.getClass().getSimpleName());
        }
        return message;
    }

    private NodeMessage decodeMessage(final BufferReader in)
    {
        final MessageType type = MessageType.of(in.readUnsignedByte());
        switch (type)
        {
            case APPEND_ENTRIES_RPC:
            case APPEND_ENTRIES_REPLY:
            case PRE_VOTE_RPC:
            case PRE_VOTE_REPLY:
            case REQUEST_VOTE_RPC:
            case REQUEST_VOTE_REPLY:
            case HEARTBEAT_RPC:
            case HEARTBEAT_REPLY:
            case INSTALL_SNAPSHOT_RPC:
            case INSTALL_SNAPSHOT_REPLY:
            case TIMEOUT_NOW_RPC:
            {
                final ServerId from = readServerId(in);
                final ServerId to = readServerId(in);
                return new NodeMessage.RaftMessage(from, to, decodeRpc(type, in));
            }
            case SERVER_CALL:
            {
                final long callId = in.readLong();
                final ServerId to = readServerId(in);
                return new NodeMessage.ServerCall(callId, to, decodeRequest(in));
            }
            case CALL_REPLY:
            {
                final long callId = in.readLong();
                final NodeMessage.CallStatus status = ordinal(CALL_STATUSES, in.readUnsignedByte(), "call status");
                final Bytes value = in.readBytes();
                final ServerId leader = readOptionalServerId(in);
                final int error = in.readUnsignedByte();
                final CallError callError = 0 == error ? null : ordinal(CALL_ERRORS, error - 1, "call error");
                return new NodeMessage.CallReply(callId, status, value, leader, callError, in.readString());
            }
            case COMMAND_CAST:
            {
                final ServerId to = readServerId(in);
                final UserCommand command = UserCommand.ofData(in.readBytes());
                final ProcessRef notifyTo = readOptionalProcess(in);
                final Object correlation = WireCorrelations.decode(in);
                return new NodeMessage.CommandCast(to, command, notifyTo, correlation, toInt(in.readVarLong()));
            }
            case PROCESS_MESSAGE:
                return new NodeMessage.ProcessMessage(readProcess(in), readOptionalServerId(in), in.readBytes());
            case APPLIED_NOTICE:
            {
                final ProcessRef to = readProcess(in);
                final ServerId leader = readServerId(in);
                final int count = in.readCount(2);
                final List<Object> correlations = new ArrayList<>(count);
                final List<Bytes> replies = new ArrayList<>(count);
                for (int i = 0; i < count; i++)
                {
                    correlations.add(WireCorrelations.decode(in));
                    replies.add(in.readBytes());
                }
                return new NodeMessage.AppliedNotice(to, leader, correlations, replies);
            }
            case FAILED_NOTICE:
                return decodeFailedNotice(in);
            case REJECTED_NOTICE:
                return new NodeMessage.RejectedNotice(readProcess(in), readServerId(in), readOptionalServerId(in),
                    WireCorrelations.decode(in));
            case MONITOR_PROCESS:
                return new NodeMessage.MonitorProcess(readProcess(in), readServerId(in));
            case DEMONITOR_PROCESS:
                return new NodeMessage.DemonitorProcess(readProcess(in), readServerId(in));
            case PROCESS_DOWN:
                return new NodeMessage.ProcessDown(readProcess(in),
                    ordinal(DOWN_REASONS, in.readUnsignedByte(), "down reason"), readServerId(in));
            case SERVER_DOWN:
                return new NodeMessage.ServerDown(readServerId(in), readServerId(in));
            case SERVER_DELETED:
            {
                final ServerId server = readServerId(in);
                final ServerId peer = readServerId(in);
                return new NodeMessage.ServerDown(server, peer, true,
                    in.remaining() == 0 ? 0 : readNoticeTerm(in, "deleted with its cluster"));
            }
            case START_SERVER:
            {
                final long callId = in.readLong();
                final String clusterName = in.readString();
                final String machine = in.readString();
                final ServerId server = readServerId(in);
                final int count = in.readCount(2);
                final List<ServerId> members = new ArrayList<>(count);
                for (int i = 0; i < count; i++)
                {
                    members.add(readServerId(in));
                }
                final JoinPoint joinedAt = in.remaining() == 0 ? JoinPoint.NONE : readJoinPoint(in);
                return new NodeMessage.StartServer(callId, clusterName, machine, server, members, joinedAt);
            }
            default:
                throw new CodecException("unhandled message type " + type);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Failed commands

    private void encodeFailedNotice(final NodeMessage.FailedNotice notice, final BufferWriter out, final int protocol)
    {
        if (protocol < ProtocolVersions.FAILED_NOTICE)
        {
            // A node of an older version would close the connection on a message type it does not know.
            throw new IllegalStateException("a FailedNotice needs protocol version " + ProtocolVersions.FAILED_NOTICE +
                "; the receiving node speaks version " + protocol);
        }
        process(notice.to(), type(MessageType.FAILED_NOTICE, out));
        serverId(notice.leader(), out);
        out.writeVarLong(notice.failures().size());
        for (final FailedCommand failure : notice.failures())
        {
            WireCorrelations.encode(failure.correlation(), out);
            // What a node of an older version knows of an overload: the leader refused the command (same message).
            out.writeByte(FailedCommand.Kind.OVERLOADED == failure.kind() && protocol < ProtocolVersions.OVERLOADED ?
                FailedCommand.Kind.REFUSED.ordinal() : failure.kind().ordinal());
            // The machine's class name and message may quote anything: as text, so a broken surrogate cannot fail it.
            if (FailedCommand.Kind.APPLY_THREW == failure.kind())
            {
                out.writeText(failure.exceptionClass()).writeVarLong(failure.index());
            }
            optionalText(failure.message(), out);
        }
    }

    private NodeMessage.FailedNotice decodeFailedNotice(final BufferReader in)
    {
        final ProcessRef to = readProcess(in);
        final ServerId leader = readServerId(in);
        // Each failure takes at least a correlation, a kind and a presence byte.
        final int count = in.readCount(3);
        if (0 == count)
        {
            throw new CodecException("a failed notice without failures");
        }
        final List<FailedCommand> failures = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final Object correlation = WireCorrelations.decode(in);
            final FailedCommand.Kind kind = ordinal(FAILED_KINDS, in.readUnsignedByte(), "failed command kind");
            String exceptionClass = null;
            long index = 0;
            if (FailedCommand.Kind.APPLY_THREW == kind)
            {
                exceptionClass = in.readString();
                index = in.readVarLong();
            }
            failures.add(new FailedCommand(correlation, kind, exceptionClass, readOptionalText(in), index));
        }
        return new NodeMessage.FailedNotice(to, leader, failures);
    }

    private static void optionalText(final String text, final BufferWriter out)
    {
        if (null == text)
        {
            out.writeBoolean(false);
        }
        else
        {
            out.writeBoolean(true).writeText(text);
        }
    }

    private static String readOptionalText(final BufferReader in)
    {
        return in.readBoolean() ? in.readString() : null;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Raft RPCs

    private void encodeRaft(final NodeMessage.RaftMessage raft, final BufferWriter out, final int protocol)
    {
        final RaftRpc rpc = raft.rpc();
        final MessageType type = rpcType(rpc);
        type(type, out);
        serverId(raft.from(), out);
        serverId(raft.to(), out);
        out.writeVarLong(rpc.term());
        if (rpc instanceof RaftRpc.AppendEntriesRpc append)
        {
            serverId(append.leaderId(), out);
            out.writeVarLong(append.prevLogIndex()).writeVarLong(append.prevLogTerm())
                .writeVarLong(append.leaderCommit()).writeVarLong(append.entries().size());
            for (final LogEntry entry : append.entries())
            {
                EntryCodec.INSTANCE.encode(entry, out);
            }
        }
        else if (rpc instanceof RaftRpc.AppendEntriesReply reply)
        {
            out.writeBoolean(reply.success()).writeVarLong(reply.nextIndex()).writeVarLong(reply.lastIndex())
                .writeVarLong(reply.lastTerm()).writeVarLong(reply.commitIndex());
            if (reply.machineVersion() != 0 && protocol >= ProtocolVersions.MACHINE_VERSION_IN_REPLIES)
            {
                // Optional and last: a reply of an unversioned machine, or to a node of protocol 1, keeps the frame a
                // previous release reads.
                out.writeVarLong(reply.machineVersion());
            }
        }
        else if (rpc instanceof RaftRpc.PreVoteRpc preVote)
        {
            out.writeVarLong(preVote.token());
            serverId(preVote.candidateId(), out);
            out.writeVarLong(preVote.lastLogIndex()).writeVarLong(preVote.lastLogTerm())
                .writeInt(preVote.machineVersion());
        }
        else if (rpc instanceof RaftRpc.PreVoteReply reply)
        {
            out.writeVarLong(reply.token()).writeBoolean(reply.granted());
        }
        else if (rpc instanceof RaftRpc.RequestVoteRpc vote)
        {
            serverId(vote.candidateId(), out);
            out.writeVarLong(vote.lastLogIndex()).writeVarLong(vote.lastLogTerm());
        }
        else if (rpc instanceof RaftRpc.RequestVoteReply reply)
        {
            out.writeBoolean(reply.granted());
        }
        else if (rpc instanceof RaftRpc.HeartbeatRpc heartbeat)
        {
            serverId(heartbeat.leaderId(), out);
            out.writeVarLong(heartbeat.queryIndex());
        }
        else if (rpc instanceof RaftRpc.HeartbeatReply reply)
        {
            out.writeVarLong(reply.queryIndex());
        }
        else if (rpc instanceof RaftRpc.InstallSnapshotRpc install)
        {
            serverId(install.leaderId(), out);
            EntryCodec.writeSnapshotMeta(install.meta(), out);
            out.writeVarLong(install.offset()).writeBytes(install.chunk()).writeBoolean(install.last());
            if (!install.meta().removed().isEmpty() && protocol >= ProtocolVersions.SNAPSHOT_REMOVED)
            {
                // In every chunk, as the rest of the metadata: the receiver compares each chunk's with the first's.
                // Omitted otherwise: a node of version 10 or older rejects trailing bytes; none reads as none.
                EntryCodec.writeRemovedServers(install.meta().removed(), out);
            }
        }
        else if (rpc instanceof RaftRpc.InstallSnapshotReply reply)
        {
            out.writeVarLong(reply.snapshotIndex()).writeVarLong(reply.nextOffset()).writeBoolean(reply.done());
        }
        else if (rpc instanceof RaftRpc.TimeoutNowRpc timeoutNow)
        {
            serverId(timeoutNow.leaderId(), out);
        }
        else
        {
            throw new IllegalStateException("unhandled rpc " + rpc);
        }
    }

    private static MessageType rpcType(final RaftRpc rpc)
    {
        if (rpc instanceof RaftRpc.AppendEntriesRpc)
        {
            return MessageType.APPEND_ENTRIES_RPC;
        }
        if (rpc instanceof RaftRpc.AppendEntriesReply)
        {
            return MessageType.APPEND_ENTRIES_REPLY;
        }
        if (rpc instanceof RaftRpc.PreVoteRpc)
        {
            return MessageType.PRE_VOTE_RPC;
        }
        if (rpc instanceof RaftRpc.PreVoteReply)
        {
            return MessageType.PRE_VOTE_REPLY;
        }
        if (rpc instanceof RaftRpc.RequestVoteRpc)
        {
            return MessageType.REQUEST_VOTE_RPC;
        }
        if (rpc instanceof RaftRpc.RequestVoteReply)
        {
            return MessageType.REQUEST_VOTE_REPLY;
        }
        if (rpc instanceof RaftRpc.HeartbeatRpc)
        {
            return MessageType.HEARTBEAT_RPC;
        }
        if (rpc instanceof RaftRpc.HeartbeatReply)
        {
            return MessageType.HEARTBEAT_REPLY;
        }
        if (rpc instanceof RaftRpc.InstallSnapshotRpc)
        {
            return MessageType.INSTALL_SNAPSHOT_RPC;
        }
        if (rpc instanceof RaftRpc.InstallSnapshotReply)
        {
            return MessageType.INSTALL_SNAPSHOT_REPLY;
        }
        if (rpc instanceof RaftRpc.TimeoutNowRpc)
        {
            return MessageType.TIMEOUT_NOW_RPC;
        }
        throw new IllegalStateException("unhandled rpc " + rpc);
    }

    private static RaftRpc decodeRpc(final MessageType type, final BufferReader in)
    {
        final long term = in.readVarLong();
        switch (type)
        {
            case APPEND_ENTRIES_RPC:
            {
                final ServerId leader = readServerId(in);
                final long prevLogIndex = in.readVarLong();
                final long prevLogTerm = in.readVarLong();
                final long leaderCommit = in.readVarLong();
                final int count = in.readCount(11);
                final List<LogEntry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++)
                {
                    entries.add(EntryCodec.INSTANCE.decode(in));
                }
                return new RaftRpc.AppendEntriesRpc(term, leader, prevLogIndex, prevLogTerm, leaderCommit, entries);
            }
            case APPEND_ENTRIES_REPLY:
            {
                final boolean success = in.readBoolean();
                final long nextIndex = in.readVarLong();
                final long lastIndex = in.readVarLong();
                final long lastTerm = in.readVarLong();
                final long commitIndex = in.readVarLong();
                // The machine version is absent from a previous release's replies and from an unversioned machine's.
                final long machineVersion = in.remaining() > 0 ? in.readVarLong() : 0;
                if (machineVersion < 0 || machineVersion > Integer.MAX_VALUE)
                {
                    throw new CodecException("machine version " + machineVersion + " out of range");
                }
                return new RaftRpc.AppendEntriesReply(term, success, nextIndex, lastIndex, lastTerm, commitIndex,
                    (int)machineVersion);
            }
            case PRE_VOTE_RPC:
                return new RaftRpc.PreVoteRpc(term, in.readVarLong(), readServerId(in), in.readVarLong(),
                    in.readVarLong(), in.readInt());
            case PRE_VOTE_REPLY:
                return new RaftRpc.PreVoteReply(term, in.readVarLong(), in.readBoolean());
            case REQUEST_VOTE_RPC:
                return new RaftRpc.RequestVoteRpc(term, readServerId(in), in.readVarLong(), in.readVarLong());
            case REQUEST_VOTE_REPLY:
                return new RaftRpc.RequestVoteReply(term, in.readBoolean());
            case HEARTBEAT_RPC:
                return new RaftRpc.HeartbeatRpc(term, readServerId(in), in.readVarLong());
            case HEARTBEAT_REPLY:
                return new RaftRpc.HeartbeatReply(term, in.readVarLong());
            case INSTALL_SNAPSHOT_RPC:
            {
                final ServerId leader = readServerId(in);
                final SnapshotMeta meta = EntryCodec.readSnapshotMeta(in);
                final long offset = in.readVarLong();
                final Bytes chunk = in.readBytes();
                final boolean last = in.readBoolean();
                return new RaftRpc.InstallSnapshotRpc(term, leader, meta.withRemoved(EntryCodec.readRemovedServers(in)),
                    offset, chunk, last);
            }
            case INSTALL_SNAPSHOT_REPLY:
                return new RaftRpc.InstallSnapshotReply(term, in.readVarLong(), in.readVarLong(), in.readBoolean());
            case TIMEOUT_NOW_RPC:
                return new RaftRpc.TimeoutNowRpc(term, readServerId(in));
            default:
                throw new CodecException("not a raft rpc: " + type);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Server requests

    private static void encodeRequest(final ServerRequest request, final BufferWriter out, final int protocol)
    {
        if (request instanceof ServerRequest.Command command)
        {
            command(command.command(), out.writeByte(CMD));
        }
        else if (request instanceof ServerRequest.AddMember add)
        {
            serverId(add.member(), out.writeByte(ADD_MEMBER));
            out.writeByte(add.membership().ordinal());
        }
        else if (request instanceof ServerRequest.RemoveMember remove)
        {
            serverId(remove.member(), out.writeByte(REMOVE_MEMBER));
        }
        else if (request instanceof ServerRequest.TransferLeadership transfer)
        {
            serverId(transfer.target(), out.writeByte(TRANSFER_LEADERSHIP));
        }
        else if (request instanceof ServerRequest.TriggerElection)
        {
            out.writeByte(TRIGGER_ELECTION);
        }
        else if (request instanceof ServerRequest.DeleteCluster)
        {
            out.writeByte(DELETE_CLUSTER);
        }
        else if (request instanceof ServerRequest.Members)
        {
            out.writeByte(MEMBERS);
        }
        else if (request instanceof ServerRequest.ReadIndex readIndex)
        {
            out.writeByte(READ_INDEX).writeBoolean(readIndex.confirmLeadership());
        }
        else if (request instanceof ServerRequest.Stop)
        {
            out.writeByte(STOP);
        }
        else if (request instanceof ServerRequest.ForceDelete delete)
        {
            if (delete.removedAt() > 0 && protocol >= ProtocolVersions.RETIREMENT_INDEX)
            {
                out.writeByte(RETIRE).writeVarLong(delete.removedAt());
                if (delete.removedInTerm() > 0 && protocol >= ProtocolVersions.DELETION_TERM)
                {
                    // Omitted otherwise: a node of version 9 or older rejects trailing bytes; no term reads as 0.
                    out.writeVarLong(delete.removedInTerm());
                }
            }
            else
            {
                // An older node deletes whatever runs under the id, as its release always did.
                out.writeByte(FORCE_DELETE);
            }
        }
        else if (request instanceof ServerRequest.NamedQuery query)
        {
            out.writeByte(NAMED_QUERY).writeString(query.name()).writeBytes(query.argument())
                .writeVarLong(query.minIndex());
        }
        else if (request instanceof ServerRequest.ConfirmedNamedQuery query)
        {
            if (protocol < ProtocolVersions.CONFIRMED_NAMED_QUERY)
            {
                // A node of an older version would close the connection on a request kind it does not know.
                throw new IllegalStateException("a ConfirmedNamedQuery needs protocol version " +
                    ProtocolVersions.CONFIRMED_NAMED_QUERY + "; the receiving node speaks version " + protocol);
            }
            out.writeByte(CONFIRMED_NAMED_QUERY).writeString(query.name()).writeBytes(query.argument());
        }
        else
        {
            throw new IllegalStateException("unhandled request " + request);
        }
    }

    private static ServerRequest decodeRequest(final BufferReader in)
    {
        final int kind = in.readUnsignedByte();
        switch (kind)
        {
            case CMD:
                return new ServerRequest.Command(UserCommand.ofData(in.readBytes()));
            case ADD_MEMBER:
                return new ServerRequest.AddMember(readServerId(in),
                    ordinal(MEMBERSHIPS, in.readUnsignedByte(), "membership"));
            case REMOVE_MEMBER:
                return new ServerRequest.RemoveMember(readServerId(in));
            case TRANSFER_LEADERSHIP:
                return new ServerRequest.TransferLeadership(readServerId(in));
            case TRIGGER_ELECTION:
                return new ServerRequest.TriggerElection();
            case DELETE_CLUSTER:
                return new ServerRequest.DeleteCluster();
            case MEMBERS:
                return new ServerRequest.Members();
            case READ_INDEX:
                return new ServerRequest.ReadIndex(in.readBoolean());
            case STOP:
                return new ServerRequest.Stop();
            case FORCE_DELETE:
                return new ServerRequest.ForceDelete();
            case RETIRE:
            {
                final long removedAt = readRemovalIndex(in);
                return new ServerRequest.ForceDelete(removedAt,
                    in.remaining() == 0 ? 0 : readNoticeTerm(in, "retirement"));
            }
            case NAMED_QUERY:
                return new ServerRequest.NamedQuery(in.readString(), in.readBytes(), in.readVarLong());
            case CONFIRMED_NAMED_QUERY:
                return new ServerRequest.ConfirmedNamedQuery(in.readString(), in.readBytes());
            default:
                throw new CodecException("unknown server request kind " + kind);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Small values

    private static BufferWriter type(final MessageType type, final BufferWriter out)
    {
        return out.writeByte(type.code);
    }

    private static void command(final UserCommand command, final BufferWriter out)
    {
        final Bytes data = command.dataIfEncoded();
        if (null == data)
        {
            throw new IllegalStateException("a user command must be encoded before it leaves the node: " + command);
        }
        out.writeBytes(data);
    }

    private static BufferWriter serverId(final ServerId id, final BufferWriter out)
    {
        EntryCodec.writeServerId(id, out);
        return out;
    }

    private static long readRemovalIndex(final BufferReader in)
    {
        final long index = in.readVarLong();
        if (index <= 0)
        {
            throw new CodecException("retirement names configuration index " + index + ", not a positive index");
        }
        return index;
    }

    private static long readNoticeTerm(final BufferReader in, final String notice)
    {
        final long term = in.readVarLong();
        if (term <= 0)
        {
            throw new CodecException(notice + " names term " + term + ", not a positive term");
        }
        return term;
    }

    private static JoinPoint readJoinPoint(final BufferReader in)
    {
        final long index = in.readVarLong();
        final long term = in.readVarLong();
        if (index <= 0 || term <= 0)
        {
            throw new CodecException("join point " + index + "/" + term + " is not a positive index and term");
        }
        return new JoinPoint(index, term);
    }

    private static ServerId readServerId(final BufferReader in)
    {
        return EntryCodec.readServerId(in);
    }

    private static void optionalServerId(final ServerId id, final BufferWriter out)
    {
        if (null == id)
        {
            out.writeBoolean(false);
        }
        else
        {
            serverId(id, out.writeBoolean(true));
        }
    }

    private static ServerId readOptionalServerId(final BufferReader in)
    {
        return in.readBoolean() ? readServerId(in) : null;
    }

    private static BufferWriter process(final ProcessRef ref, final BufferWriter out)
    {
        return out.writeString(ref.node()).writeVarLong(ref.id());
    }

    private static ProcessRef readProcess(final BufferReader in)
    {
        final String node = in.readString();
        final long id = in.readVarLong();
        try
        {
            return new ProcessRef(node, id);
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new CodecException("invalid process ref: " + ex.getMessage(), ex);
        }
    }

    private static void optionalProcess(final ProcessRef ref, final BufferWriter out)
    {
        if (null == ref)
        {
            out.writeBoolean(false);
        }
        else
        {
            process(ref, out.writeBoolean(true));
        }
    }

    private static ProcessRef readOptionalProcess(final BufferReader in)
    {
        return in.readBoolean() ? readProcess(in) : null;
    }

    private static <E> E ordinal(final E[] values, final int ordinal, final String what)
    {
        if (ordinal < 0 || ordinal >= values.length)
        {
            throw new CodecException("unknown " + what + " " + ordinal);
        }
        return values[ordinal];
    }

    private static int toInt(final long value)
    {
        if (value < 0 || value > Integer.MAX_VALUE)
        {
            throw new CodecException("value " + value + " out of int range");
        }
        return (int)value;
    }
}
