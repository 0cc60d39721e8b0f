package dev.ra.protocol;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.core.CallError;
import java.util.List;
import java.util.Objects;

/**
 * Everything one node sends another through a {@link dev.ra.spi.Transport}. Raft RPCs are one kind; the runtime's
 * client calls, replies, process messages and monitors are the others.
 */
public sealed interface NodeMessage
{
    /**
     * A Raft RPC from one server to another.
     *
     * @param from sending server.
     * @param to   receiving server.
     * @param rpc  the message.
     */
    record RaftMessage(ServerId from, ServerId to, RaftRpc rpc) implements NodeMessage
    {
        /** Checks that {@code from}, {@code to} and {@code rpc} are not null. */
        public RaftMessage
        {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(rpc, "rpc");
        }
    }

    /**
     * A call from a client on the sending node to a server on the receiving node; answered with a {@link CallReply}
     * carrying the same call id.
     *
     * @param callId  chosen by the calling node, unique there.
     * @param to      the addressed server.
     * @param request what is asked.
     */
    record ServerCall(long callId, ServerId to, ServerRequest request) implements NodeMessage
    {
        /** Checks that {@code to} and {@code request} are not null. */
        public ServerCall
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * The answer to a {@link ServerCall} or {@link StartServer}.
     *
     * @param callId  of the call answered.
     * @param status  of the call.
     * @param value   the encoded result when {@code status} is {@link CallStatus#OK}, else {@link Bytes#EMPTY}.
     * @param leader  the leader that answered ({@code OK}), or the leader hint ({@code REDIRECT}, {@code FAILED}), or
     *                null.
     * @param error   why the call failed when {@code status} is {@link CallStatus#FAILED}, else null.
     * @param message a description of a failure, or the empty string.
     */
    record CallReply(long callId, CallStatus status, Bytes value, ServerId leader, CallError error, String message)
        implements NodeMessage
    {
        /** Checks that {@code status}, {@code value} and {@code message} are not null. */
        public CallReply
        {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * How a {@link ServerCall} ended.
     */
    enum CallStatus
    {
        /** Done; the value holds the result. */
        OK,
        /** The server is not the leader; try the leader hint (or again later when there is none). */
        REDIRECT,
        /** Refused for the given error. */
        FAILED,
        /** No such server runs on the node: the call never reached one, so it may go elsewhere. */
        NO_SERVER,
        /**
         * The server stopped while it held the call: a command may have been appended and may still commit, so it
         * must not be sent elsewhere.
         */
        STOPPED
    }

    /**
     * A fire-and-forget command ({@code pipelineCommand}), optionally with a process to notify once applied.
     *
     * @param to          the addressed server.
     * @param command     the encoded command.
     * @param notifyTo    the process to notify, or null for no notification.
     * @param correlation chosen by the caller (generic codec), or null without a process.
     * @param hops        how many times the command was already forwarded to a leader; bounded to stop loops.
     */
    record CommandCast(ServerId to, UserCommand command, ProcessRef notifyTo, Object correlation, int hops)
        implements NodeMessage
    {
        /** Checks that {@code to} and {@code command} are not null. */
        public CommandCast
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * A message for a process, sent by a machine's {@link dev.ra.Effect.SendMsg}.
     *
     * @param to      the process.
     * @param from    the server whose machine sent it, whose message codec decodes {@code message}; null when
     *                application code sent it, encoded with the generic codec.
     * @param message the encoded message.
     */
    record ProcessMessage(ProcessRef to, ServerId from, Bytes message) implements NodeMessage
    {
        /** Checks that {@code to} and {@code message} are not null. */
        public ProcessMessage
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * A batch of "applied" notifications for a process (Ra's {@code {applied, [{Corr, Reply}]}}).
     *
     * @param to           the process.
     * @param leader       that applied the commands; its reply codec decodes the replies.
     * @param correlations of the commands, in log order (generic codec).
     * @param replies      encoded with the machine's reply codec, one per correlation.
     */
    record AppliedNotice(ProcessRef to, ServerId leader, List<Object> correlations, List<Bytes> replies)
        implements NodeMessage
    {
        /**
         * Checks that {@code to} and {@code leader} are not null and that there is one reply per correlation; takes
         * unmodifiable copies of both lists (a correlation may be null, a reply may not).
         */
        public AppliedNotice
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(leader, "leader");
            correlations = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(correlations));
            replies = List.copyOf(replies);
            if (correlations.size() != replies.size())
            {
                throw new IllegalArgumentException("one reply per correlation needed");
            }
        }
    }

    /**
     * Pipelined commands that failed, for a process (what {@link AppliedNotice} cannot carry: the reply codec encodes
     * replies, not exceptions). Sent only to a node that takes it
     * ({@link dev.ra.spi.PeerFeature#FAILED_COMMAND_NOTICE}).
     *
     * @param to       the process.
     * @param leader   that applied or refused the commands.
     * @param failures in log order, at least one.
     */
    record FailedNotice(ProcessRef to, ServerId leader, List<FailedCommand> failures) implements NodeMessage
    {
        /** Checks that {@code to} and {@code leader} are not null and takes a copy of {@code failures}, not empty. */
        public FailedNotice
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(leader, "leader");
            failures = List.copyOf(failures);
            if (failures.isEmpty())
            {
                throw new IllegalArgumentException("a failed notice needs at least one failure");
            }
        }
    }

    /**
     * A pipelined command with a correlation was refused by a member that is not the leader.
     *
     * @param to          the process to tell.
     * @param from        the member that refused.
     * @param leaderHint  the leader it knows, or null.
     * @param correlation of the command (generic codec).
     */
    record RejectedNotice(ProcessRef to, ServerId from, ServerId leaderHint, Object correlation)
        implements NodeMessage
    {
        /** Checks that {@code to} and {@code from} are not null. */
        public RejectedNotice
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(from, "from");
        }
    }

    /**
     * A leader on the sending node watches a process on the receiving node.
     *
     * @param process to watch.
     * @param watcher the server that watches it.
     */
    record MonitorProcess(ProcessRef process, ServerId watcher) implements NodeMessage
    {
        /** Checks that {@code process} and {@code watcher} are not null. */
        public MonitorProcess
        {
            Objects.requireNonNull(process, "process");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * A server stops watching a process.
     *
     * @param process watched.
     * @param watcher the server that watched it.
     */
    record DemonitorProcess(ProcessRef process, ServerId watcher) implements NodeMessage
    {
        /** Checks that {@code process} and {@code watcher} are not null. */
        public DemonitorProcess
        {
            Objects.requireNonNull(process, "process");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * A watched process ended (or did not exist when the monitor arrived).
     *
     * @param process that ended.
     * @param reason  why.
     * @param watcher the server that watched it.
     */
    record ProcessDown(ProcessRef process, DownReason reason, ServerId watcher) implements NodeMessage
    {
        /** Checks that {@code process}, {@code reason} and {@code watcher} are not null. */
        public ProcessDown
        {
            Objects.requireNonNull(process, "process");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(watcher, "watcher");
        }
    }

    /**
     * A server stopped (or a message reached a node where it does not run): its peer should treat it as unreachable
     * at once, as an Erlang monitor would, instead of waiting for an election timeout.
     *
     * @param server         that is down.
     * @param peer           the member told.
     * @param clusterDeleted the server applied its cluster's deletion on that node and none of its id runs there
     *                       since: the deletion committed, and a peer that missed it (its node was down) is done too.
     * @param deletedInTerm  with {@code clusterDeleted}, the term the server ended in when it applied the deletion: a
     *                       peer whose log begins in a later term is a member of a cluster created again under the
     *                       same ids, which the notice is not about; 0 when not known (a node of an older protocol
     *                       version) or not deleted.
     */
    record ServerDown(ServerId server, ServerId peer, boolean clusterDeleted, long deletedInTerm) implements NodeMessage
    {
        /** Checks that {@code server} and {@code peer} are not null, and a term only with a deletion. */
        public ServerDown
        {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(peer, "peer");
            if (deletedInTerm < 0 || deletedInTerm > 0 && !clusterDeleted)
            {
                throw new IllegalArgumentException("deletedInTerm must be 0, or a term with clusterDeleted, got " +
                    deletedInTerm);
            }
        }

        /**
         * A server down, or deleted with its cluster in a term not known.
         *
         * @param server         that is down.
         * @param peer           the member told.
         * @param clusterDeleted the server applied its cluster's deletion on that node.
         */
        public ServerDown(final ServerId server, final ServerId peer, final boolean clusterDeleted)
        {
            this(server, peer, clusterDeleted, 0);
        }

        /**
         * A server that stopped, or does not run on the sending node.
         *
         * @param server that is down.
         * @param peer   the member told.
         */
        public ServerDown(final ServerId server, final ServerId peer)
        {
            this(server, peer, false, 0);
        }
    }

    /**
     * Start a brand-new server on the receiving node; answered with a {@link CallReply}.
     *
     * @param callId      chosen by the calling node.
     * @param clusterName of the cluster.
     * @param machine     the machine: a name registered on the receiving system, or a class name with a public no-arg
     *                    constructor.
     * @param server      to start; must be on the receiving node.
     * @param members     initial members of the cluster.
     * @param joinedAt    for a server added to a running cluster, where it joins; {@link JoinPoint#NONE} otherwise.
     */
    record StartServer(long callId, String clusterName, String machine, ServerId server, List<ServerId> members,
        JoinPoint joinedAt) implements NodeMessage
    {
        /**
         * Checks that {@code clusterName}, {@code machine}, {@code server} and {@code joinedAt} are not null and takes
         * an unmodifiable copy of {@code members}, whose elements must not be null.
         */
        public StartServer
        {
            Objects.requireNonNull(clusterName, "clusterName");
            Objects.requireNonNull(machine, "machine");
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(joinedAt, "joinedAt");
            members = List.copyOf(members);
        }
    }
}
