package dev.ra;

import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.RaRuntime;
import dev.ra.runtime.RuntimeConfig;
import dev.ra.runtime.StoredServers;
import dev.ra.stats.CallStatistics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One node of a Ra deployment: it hosts any number of servers of any number of clusters, on a small pool of event
 * loops, and is how application code starts clusters, sends commands and runs queries.
 *
 * <p>Build one with {@link #builder()}; close it to stop its servers and threads. Thread-safe.
 *
 * <p><b>Typed or untyped.</b> {@link #startCluster(String, StateMachine, Class, List)} and
 * {@link #cluster(String, StateMachine, Class, List)} return a {@link RaCluster}, a handle whose commands, replies and
 * query functions the compiler checks against the machine. The methods below follow Ra's API: they address a member
 * by its {@link ServerId} and are not typed by the machine.
 *
 * <p><b>Calls.</b> Commands and queries have blocking forms (with the system's default timeout or an explicit one)
 * and {@code *Async} forms returning a {@link CompletableFuture}; {@link #addMemberAsync} and
 * {@link #removeMemberAsync} have both forms too; the other cluster and server calls block, with the default
 * timeout. A call addressed to a member that is not the leader is redirected to the leader inside the library; while
 * no leader is known it is retried until its timeout. If the
 * addressed member does not run, the call moves on to the other members this node knows of. Infrastructure failures
 * complete the future exceptionally with a {@link RaException} subtype: {@link RaTimeoutException},
 * {@link CommandOutcomeUnknownException}, {@link UnknownServerException}, {@link ServerStoppedException},
 * {@link MembershipChangeException}, {@link NotLeaderException}, {@link ClusterUnavailableException}. The blocking
 * forms throw those exceptions directly. Futures may be completed on Ra's event loop threads: dependent actions
 * attached with {@code thenApply} and friends run there too, so they must not block (use the {@code *Async}
 * variants of {@code CompletableFuture} with your own executor for anything slow).
 *
 * <p><b>Queries</b> take a function of the machine state; the function is code, so it is never shipped to another
 * node: queries address a member hosted by this node. {@link #consistentQuery} asks the leader (wherever it is) for
 * a read index confirmed by a quorum, waits until the local member has applied it, then runs the function locally.
 *
 * <p><b>A machine that throws</b> is handled as the node's {@link ApplyFailureMode} says: by default the exception is
 * the command's outcome on every member ({@link CommandFailedException}) and the server carries on.
 */
public final class RaSystem extends RaSystemQueries implements AutoCloseable
{
    private final ClusterFormation formation;
    private final boolean closeStorage;
    private final AtomicBoolean storageClosed = new AtomicBoolean();
    /** Held by a close: one made meanwhile (a shutdown hook's) returns only once the system and storage closed. */
    private final Object closing = new Object();
    /** Completed when a close is done; what {@link #whenClosed} gives. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** What the first close that failed threw (written under {@link #closing}), for {@link #closed}. */
    private volatile Throwable closeFailure;

    /**
     * Start the node; see {@link RaSystemBuilder#build()}.
     */
    RaSystem(final RuntimeConfig config, final boolean closeStorage, final boolean restartStoredServers)
    {
        super(new RaRuntime(config), config.defaultTimeout());
        this.formation = new ClusterFormation(runtime, defaultTimeout);
        this.closeStorage = closeStorage;
        try
        {
            runtime.start();
            if (restartStoredServers)
            {
                try
                {
                    StoredServers.restartAll(runtime, defaultTimeout);
                }
                catch (final RuntimeException ex)
                {
                    throw new RaException("node " + runtime.nodeId() + " could not restart the servers in its " +
                        "storage: " + ex.getMessage(), ex);
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            // No system reaches the caller to be closed: what started (threads, a listening transport, servers) and
            // the storage it owns are closed here, so that a retry on the same address and directory can succeed.
            try
            {
                close();
            }
            catch (final RuntimeException | Error closing)
            {
                ex.addSuppressed(closing);
            }
            throw ex;
        }
    }

    /**
     * @return a builder for a system.
     */
    public static RaSystemBuilder builder()
    {
        return new RaSystemBuilder();
    }

    /**
     * @return the id of this node.
     */
    public String nodeId()
    {
        return runtime.nodeId();
    }

    /**
     * @return the timeout of calls that are not given one.
     */
    public Duration defaultTimeout()
    {
        return defaultTimeout;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Clusters and servers

    /**
     * Start a new cluster and wait until it has a leader; see {@link #startClusterAsync(String, StateMachine, List)}.
     *
     * @param clusterName friendly name of the cluster.
     * @param machine     the machine; members on other nodes create theirs from its class name.
     * @param members     the servers of the cluster, on this node or others.
     * @return the leader.
     */
    public ServerId startCluster(final String clusterName, final StateMachine<?, ?> machine,
        final List<ServerId> members)
    {
        return Futures.await(startClusterAsync(clusterName, machine, members), formation.timeout(members));
    }

    /**
     * Start a new cluster, as {@link #startCluster(String, StateMachine, List)} does, and return a typed handle on it:
     * its commands, replies and query functions are checked by the compiler.
     *
     * @param clusterName friendly name of the cluster.
     * @param machine     the machine; members on other nodes create theirs from its class name.
     * @param replyType   the type of the machine's replies (a reply of another type fails the call clearly).
     * @param members     the servers of the cluster, on this node or others.
     * @param <C>         the command type.
     * @param <S>         the state type.
     * @param <R>         the reply type.
     * @return the handle, knowing the leader.
     */
    public <C, S, R> RaCluster<C, S, R> startCluster(final String clusterName, final StateMachine<C, S> machine,
        final Class<R> replyType, final List<ServerId> members)
    {
        Objects.requireNonNull(replyType, "replyType");
        final ServerId leader = startCluster(clusterName, machine, members);
        return new RaCluster<>(this, clusterName, machine, replyType, members, leader);
    }

    /**
     * A typed handle on a cluster started before (by this node, another node, or a previous run restarted from
     * storage); registers the cluster with this node if it does not know it yet (see {@link #registerCluster}).
     *
     * @param clusterName of the cluster.
     * @param machine     an instance of the cluster's machine (for its codecs; it runs here only in members of this
     *                    node).
     * @param replyType   the type of the machine's replies.
     * @param members     the members (or some of them).
     * @param <C>         the command type.
     * @param <S>         the state type.
     * @param <R>         the reply type.
     * @return the handle.
     * @throws IllegalArgumentException if this node knows one of the members in a cluster of another name.
     */
    public <C, S, R> RaCluster<C, S, R> cluster(final String clusterName, final StateMachine<C, S> machine,
        final Class<R> replyType, final List<ServerId> members)
    {
        Arguments.requireClusterName(clusterName);
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(replyType, "replyType");
        final List<ServerId> ids = Arguments.requireMembers(members);
        requireKnownUnder(clusterName, ids);
        if (!runtime.knowsAny(ids))
        {
            runtime.registerCluster(clusterName, machine.getClass().getName(), machine, ids);
        }
        return new RaCluster<>(this, clusterName, machine, replyType, ids, null);
    }

    /**
     * Start a new cluster: start every member (those on other nodes through their node, which creates the machine
     * from its class name, so the class needs a public no-arg constructor there), trigger an election on the first
     * member hosted here (else the first member), and wait until a leader is known, for up to the default timeout per
     * member. On failure the members that did start are stopped and deleted and the future fails with
     * {@link ClusterUnavailableException}.
     *
     * @param clusterName friendly name of the cluster.
     * @param machine     the machine.
     * @param members     the servers of the cluster.
     * @return completes with the leader.
     */
    public CompletableFuture<ServerId> startClusterAsync(final String clusterName, final StateMachine<?, ?> machine,
        final List<ServerId> members)
    {
        Objects.requireNonNull(machine, "machine");
        return startClusterAsync(clusterName, machine.getClass().getName(), machine, members);
    }

    /**
     * Start a new cluster whose machine is registered by name (on every node hosting a member) with
     * {@link RaSystemBuilder#registerMachine}, and wait until it has a leader.
     *
     * @param clusterName friendly name of the cluster.
     * @param machineName registered name of the machine (or a class name with a public no-arg constructor).
     * @param members     the servers of the cluster.
     * @return the leader.
     */
    public ServerId startCluster(final String clusterName, final String machineName, final List<ServerId> members)
    {
        return Futures.await(startClusterAsync(clusterName, machineName, members), formation.timeout(members));
    }

    /**
     * Start a new cluster whose machine is registered by name; see {@link #startCluster(String, String, List)}.
     *
     * @param clusterName friendly name of the cluster.
     * @param machineName registered name of the machine (or a class name with a public no-arg constructor).
     * @param members     the servers of the cluster.
     * @return completes with the leader.
     */
    public CompletableFuture<ServerId> startClusterAsync(final String clusterName, final String machineName,
        final List<ServerId> members)
    {
        Objects.requireNonNull(machineName, "machineName");
        return startClusterAsync(clusterName, machineName, runtime.resolveMachine(machineName), members);
    }

    private CompletableFuture<ServerId> startClusterAsync(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final List<ServerId> members)
    {
        Arguments.requireClusterName(clusterName);
        return formation.form(clusterName, machineName, machine, Arguments.requireMembers(members));
    }

    /**
     * Start one brand-new member of a cluster, on this node or another, under an id the cluster has never used. It
     * does not start an election by itself: it waits for {@link #triggerElection} or for a leader to contact it. To
     * grow a running cluster, call {@link #addMember}, then the form of this method that takes the change it returned.
     *
     * @param clusterName of the cluster.
     * @param machine     the machine (on another node it is created from its class name).
     * @param server      to start.
     * @param members     initial members of the cluster.
     */
    public void startServer(final String clusterName, final StateMachine<?, ?> machine, final ServerId server,
        final List<ServerId> members)
    {
        Objects.requireNonNull(machine, "machine");
        join(clusterName, machine.getClass().getName(), machine, server, members, JoinPoint.NONE);
    }

    /**
     * Start a member that {@link #addMember} added to a running cluster, on this node or another. It starts in the
     * term of the change that added it, votes only for candidates whose log holds that change and campaigns only once
     * its own log does: configurations name members by id only, and neither a member that missed the removal of a
     * former member of the same id nor the new server itself may count the new server as the old one. Any membership
     * change committed after that removal will do as well.
     *
     * @param clusterName of the cluster.
     * @param machine     the machine (on another node it is created from its class name).
     * @param server      to start.
     * @param members     members of the cluster.
     * @param joinedBy    the change that added it.
     */
    public void startServer(final String clusterName, final StateMachine<?, ?> machine, final ServerId server,
        final List<ServerId> members, final MemberChange joinedBy)
    {
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(joinedBy, "joinedBy");
        join(clusterName, machine.getClass().getName(), machine, server, members, joinedBy.joinPoint());
    }

    /**
     * {@link #startServer(String, StateMachine, ServerId, List)} with a machine registered by name (or a class name).
     *
     * @param clusterName of the cluster.
     * @param machineName registered name of the machine (or class name).
     * @param server      to start.
     * @param members     initial members of the cluster.
     */
    public void startServer(final String clusterName, final String machineName, final ServerId server,
        final List<ServerId> members)
    {
        Objects.requireNonNull(machineName, "machineName");
        join(clusterName, machineName, null, server, members, JoinPoint.NONE);
    }

    /**
     * {@link #startServer(String, StateMachine, ServerId, List, MemberChange)} with a machine registered by name.
     *
     * @param clusterName of the cluster.
     * @param machineName registered name of the machine (or class name).
     * @param server      to start.
     * @param members     members of the cluster.
     * @param joinedBy    the change that added it.
     */
    public void startServer(final String clusterName, final String machineName, final ServerId server,
        final List<ServerId> members, final MemberChange joinedBy)
    {
        Objects.requireNonNull(machineName, "machineName");
        Objects.requireNonNull(joinedBy, "joinedBy");
        join(clusterName, machineName, null, server, members, joinedBy.joinPoint());
    }

    private void join(final String clusterName, final String machineName, final StateMachine<?, ?> machine,
        final ServerId server, final List<ServerId> members, final JoinPoint joinedAt)
    {
        Arguments.requireClusterName(clusterName);
        Objects.requireNonNull(server, "server");
        final List<ServerId> ids = Arguments.requireMembers(members);
        final StateMachine<?, ?> resolved = null != machine ? machine : runtime.resolveMachine(machineName);
        Futures.await(formation.joinMember(clusterName, machineName, resolved, server, ids, joinedAt),
            defaultTimeout);
    }

    /**
     * Restart a server of this node from its storage (term, vote, log, snapshot and the configuration stored when it
     * was created). A restarted member elects by itself if it hears from no leader. A server that runs already (the
     * system restarts its stored servers when built, see {@link RaSystemBuilder#restartStoredServers}) is left as it
     * is.
     *
     * @param server on this node.
     */
    public void restartServer(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        Futures.await(runtime.restartLocalServer(server), defaultTimeout);
    }

    /**
     * Stop a server, on this node or another, keeping its data. Idempotent: stopping a server that does not run
     * succeeds.
     *
     * @param server to stop.
     */
    public void stopServer(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        // Checked here: a stop on this node goes to its servers directly, without a call (which would check it).
        runtime.requireOpen();
        if (server.node().equals(nodeId()))
        {
            Futures.await(runtime.stopLocalServer(server, false), defaultTimeout);
        }
        else
        {
            callAndWait(server, new ServerRequest.Stop());
        }
    }

    /**
     * Stop a server and delete its data, without any membership change (Ra's {@code force_delete_server}).
     *
     * @param server to delete.
     */
    public void forceDeleteServer(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        // Checked here, not where a failed start deletes the members it started (which it must do while closing too).
        runtime.requireOpen();
        Futures.await(formation.deleteMember(server), defaultTimeout);
    }

    /**
     * Delete a cluster: its leader commits a delete entry, and every member stops and deletes its data when it
     * applies it. Needs a quorum. Once it returns, calls from this node to the cluster's members fail at once with
     * {@link UnknownServerException} naming the deletion, as they do on the nodes that hosted them and, once every
     * member it knows answered so, on any other node. A member that was down when the deletion committed never
     * applies it: restarted, it campaigns, and stops and deletes its data once the nodes of enough members that
     * applied it have answered so (docs/RUNTIME.md, "Deletion"); if too many of those nodes restarted since, none can
     * tell it, and it campaigns until deleted with {@link #forceDeleteServer}.
     *
     * @param server any member of the cluster.
     */
    public void deleteCluster(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        Futures.await(runtime.deleteCluster(server, defaultTimeout), defaultTimeout);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Commands

    /**
     * Apply a command and wait for the reply, with the default timeout; see {@link #processCommandAsync}.
     *
     * @param server  a member of the cluster (redirected to the leader if needed).
     * @param command to apply.
     * @param <R>     the reply type.
     * @return the reply and the leader.
     */
    public <R> CommandResult<R> processCommand(final ServerId server, final Object command)
    {
        return processCommand(server, command, defaultTimeout);
    }

    /**
     * Apply a command and wait for the reply.
     *
     * @param server  a member of the cluster (redirected to the leader if needed).
     * @param command to apply.
     * @param timeout how long to wait.
     * @param <R>     the reply type.
     * @return the reply and the leader.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <R> CommandResult<R> processCommand(final ServerId server, final Object command, final Duration timeout)
    {
        // This thread waits for the answer anyway, so the transport may let it send the call and read the answer.
        final CompletableFuture<CommandResult<R>> reply =
            (CompletableFuture)runtime.callReceivingOnCaller(server, commandRequest(server, command, timeout), timeout);
        return Futures.await(reply, timeout);
    }

    /**
     * Apply a command with the default timeout; see {@link #processCommandAsync(ServerId, Object, Duration)}.
     *
     * @param server  a member of the cluster.
     * @param command to apply.
     * @param <R>     the reply type.
     * @return completes with the reply and the leader.
     */
    public <R> CompletableFuture<CommandResult<R>> processCommandAsync(final ServerId server, final Object command)
    {
        return processCommandAsync(server, command, defaultTimeout);
    }

    /**
     * Apply a command: the reply comes once the command is committed and applied on the leader (Ra's
     * {@code process_command}, {@code await_consensus}). The command is encoded with the machine's command codec on
     * the calling thread. A member that is not the leader redirects the call. If the leader loses its leadership
     * before the command commits, the future fails with {@link CommandOutcomeUnknownException}: the command may or may
     * not be applied, and it is not retried. If no leader took it before the timeout (every member asked answered that
     * it is not the leader, and a member that knows no leader passes it on to the next), it fails with
     * {@link ClusterUnavailableException}: it was not applied, and sending it again is safe. A timeout while it may
     * have reached a leader is a {@link RaTimeoutException}: the outcome is unknown.
     * If the machine's {@code apply} throws on it, the future fails with {@link CommandFailedException} (the command is
     * applied as a no-op on every member; see {@link ApplyFailureMode}). A command that is not of the machine's
     * {@link StateMachine#commandType()}, or larger than {@link RaSystemBuilder#maxCommandBytes}, throws
     * {@link InvalidCommandException} at once, before anything is sent. A leader that holds
     * {@link RaSystemBuilder#maxUncommittedBytes} of commands not yet applied (the cluster commits slower than commands
     * arrive), or whose mailbox holds that much not yet taken (callers faster than its event loop), refuses it with
     * {@link ServerOverloadedException}: it was not appended, and retrying later is safe.
     *
     * @param server  a member of the cluster, known to this node.
     * @param command to apply.
     * @param timeout of the call.
     * @param <R>     the reply type.
     * @return completes with the reply and the leader.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <R> CompletableFuture<CommandResult<R>> processCommandAsync(final ServerId server, final Object command,
        final Duration timeout)
    {
        return (CompletableFuture)runtime.call(server, commandRequest(server, command, timeout), timeout);
    }

    private ServerRequest.Command commandRequest(final ServerId server, final Object command, final Duration timeout)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(command, "command");
        Arguments.requireTimeout(timeout);
        return new ServerRequest.Command(runtime.encodeCommand(server, command));
    }

    /**
     * Submit a command without waiting and without any notification (Ra's {@code pipeline_command/2}). A member that
     * is not the leader forwards it to the leader it knows, or drops it if it knows none.
     *
     * @param server  a member of the cluster, known to this node.
     * @param command to apply.
     */
    public void pipelineCommand(final ServerId server, final Object command)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(command, "command");
        runtime.castCommand(server, runtime.encodeCommand(server, command), null, null, 0);
    }

    /**
     * Submit a command without waiting; once the leader has applied it, {@code notifyTo} receives a
     * {@link RaEvent.Applied} carrying the correlation and the reply (batched with other commands applied at the same
     * time). A member that is not the leader rejects it with {@link RaEvent.Rejected} carrying the leader hint. A
     * command whose {@code apply} throws, or that the leader refuses, is notified with a
     * {@link CommandFailedException}, an {@link InvalidCommandException} or, when the leader holds
     * {@link RaSystemBuilder#maxUncommittedBytes} already, a {@link ServerOverloadedException} as its reply; to a
     * process on another node only when that node's release takes such a notice (docs/UPGRADES.md, "Wire").
     *
     * @param server      a member of the cluster, known to this node.
     * @param command     to apply.
     * @param correlation identifies the command in the notifications (encodable by the generic codec; any such type,
     *                    so the node of {@code notifyTo} reads it with the unrestricted generic codec when it reaches
     *                    that process, see {@link #send}).
     * @param notifyTo    the process to notify.
     * @throws IllegalArgumentException if the generic codec cannot encode the correlation, or cannot build it again
     *                                  from its bytes: it could not travel to a leader on another node and back.
     */
    public void pipelineCommand(final ServerId server, final Object command, final Object correlation,
        final ProcessRef notifyTo)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(notifyTo, "notifyTo");
        Arguments.requireEncodableCorrelation(correlation);
        runtime.castCommand(server, runtime.encodeCommand(server, command), notifyTo, correlation, 0);
    }

    /**
     * Make a cluster known to this node without hosting any of its members, so that its clients can send commands
     * ({@code processCommand}, {@code pipelineCommand}), named queries and membership calls to it: the machine
     * instance only provides the codecs, it never runs here.
     *
     * @param clusterName of the cluster.
     * @param machine     an instance of the cluster's machine (for its codecs).
     * @param members     the members (or some of them; calls follow redirects to the leader).
     * @throws IllegalArgumentException if this node knows one of the members in a cluster of another name.
     */
    public void registerCluster(final String clusterName, final StateMachine<?, ?> machine,
        final List<ServerId> members)
    {
        Arguments.requireClusterName(clusterName);
        Objects.requireNonNull(machine, "machine");
        final List<ServerId> ids = Arguments.requireMembers(members);
        // The directory keeps a member it knows in another cluster where it is: refused rather than left out unsaid.
        requireKnownUnder(clusterName, ids);
        runtime.registerCluster(clusterName, machine.getClass().getName(), machine, ids);
    }

    private void requireKnownUnder(final String clusterName, final List<ServerId> ids)
    {
        for (final ServerId id : ids)
        {
            final String known = runtime.knownClusterName(id);
            if (null != known && !known.equals(clusterName))
            {
                throw new IllegalArgumentException("server " + id + " is known on node " + nodeId() +
                    " as a member of cluster '" + known + "', not of cluster '" + clusterName + "'");
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Membership and leadership

    /**
     * The members of a cluster, as its leader sees them.
     *
     * @param server any member, known to this node.
     * @return the members.
     */
    @SuppressWarnings("unchecked")
    public List<ServerId> members(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        return (List<ServerId>)callAndWait(server, new ServerRequest.Members());
    }

    /**
     * The leader of a cluster, asked of the cluster (following redirects), waiting up to the default timeout while
     * none is known.
     *
     * @param server any member, known to this node.
     * @return the leader.
     */
    public ServerId leader(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        return Futures.await(runtime.awaitLeader(server, defaultTimeout), defaultTimeout);
    }

    /**
     * Add a voting member; see {@link #addMemberAsync}.
     *
     * @param server    any member of the cluster.
     * @param newMember to add.
     * @return the configuration entry.
     */
    public MemberChange addMember(final ServerId server, final ServerId newMember)
    {
        return Futures.await(addMemberAsync(server, newMember, MemberKind.VOTER), defaultTimeout);
    }

    /**
     * Add a member through the leader: a single-server change, in force from the moment the leader appends it; the
     * call completes once it commits. Start the new server afterwards with
     * {@link #startServer(String, StateMachine, ServerId, List, MemberChange)} and the change this returns. While the
     * leader has not committed an entry of its term, another change is in progress, or a leadership transfer is under
     * way, the call is retried until the default timeout. Fails with {@link MembershipChangeException} when refused
     * (see its {@link MembershipChangeException#reason() reason}: {@code ALREADY_MEMBER}, ...), or when the leader
     * loses its leadership before the change commits ({@code LEADERSHIP_LOST}: the change may or may not take
     * effect). A {@link MemberKind#VOTER} is refused ({@code NOT_PERMITTED}) when the voters the leader reaches are no
     * majority of the new configuration without it, as when a single member adds a second: the change would need the
     * vote of a server started only once it commits; add a {@link MemberKind#PROMOTABLE} member then. While the
     * cluster's log needs a machine version above 0 (docs/UPGRADES.md), a {@link MemberKind#VOTER} joins as
     * promotable all the same, and becomes a voter once caught up on a build that supports that version.
     *
     * @param server    any member of the cluster.
     * @param newMember to add.
     * @param kind      of the new member: a {@link MemberKind#PROMOTABLE} member becomes a voter once caught up.
     * @return completes with the configuration entry.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<MemberChange> addMemberAsync(final ServerId server, final ServerId newMember,
        final MemberKind kind)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(newMember, "newMember");
        Objects.requireNonNull(kind, "kind");
        return (CompletableFuture)runtime.call(server, new ServerRequest.AddMember(newMember, kind.toMembership()),
            defaultTimeout);
    }

    /**
     * Remove a member; see {@link #removeMemberAsync}.
     *
     * @param server any member of the cluster.
     * @param member to remove.
     * @return the configuration entry.
     */
    public MemberChange removeMember(final ServerId server, final ServerId member)
    {
        return Futures.await(removeMemberAsync(server, member), defaultTimeout);
    }

    /**
     * Remove a member through the leader; the call completes once the change commits (as for
     * {@link #addMemberAsync}). A leader that removes itself steps down once the change commits. Once the removal
     * commits, the leader tells the removed member to stop and delete its data; a removed member whose node was
     * unreachable then keeps running until it campaigns, when its node is back, and the leader tells it again (or
     * until {@link #forceDeleteServer}). Refused ({@code NOT_PERMITTED}, saying why)
     * when the voters the leader reaches would be no majority of the configuration without the member (it could not
     * commit until an unreachable voter came back: remove that one first), and for the last voter.
     *
     * @param server any member of the cluster.
     * @param member to remove.
     * @return completes with the configuration entry.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<MemberChange> removeMemberAsync(final ServerId server, final ServerId member)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(member, "member");
        return (CompletableFuture)runtime.call(server, new ServerRequest.RemoveMember(member), defaultTimeout);
    }

    /**
     * Hand leadership to another voter that is up to date (Raft thesis §3.10). Completes once the leader has told the
     * target to campaign; the target usually wins shortly after.
     *
     * @param server any member of the cluster.
     * @param target to become leader.
     */
    public void transferLeadership(final ServerId server, final ServerId target)
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(target, "target");
        callAndWait(server, new ServerRequest.TransferLeadership(target));
    }

    /**
     * Make a member start an election now (a no-op on a leader or a campaigning member). Needed after starting
     * brand-new members with {@link #startServer}, which never elect by themselves.
     *
     * @param server the member; not redirected.
     * @throws RaException if the member will not campaign, naming it and why (not a voter, damaged storage, ...).
     */
    public void triggerElection(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        callAndWait(server, new ServerRequest.TriggerElection());
    }

    /**
     * @return the servers running on this node.
     */
    public List<ServerId> runningServers()
    {
        return runtime.runningServers();
    }

    /**
     * The servers stored on this node that do not run because their restart failed (when the node started, or by
     * {@link #restartServer}), with the reason: each is a member missing from its cluster, which runs without it (a
     * cluster of three on two). A server leaves the list once it runs again ({@link #restartServer}, once what failed
     * is repaired) or its data is deleted ({@link #forceDeleteServer}). For monitoring: no wait.
     *
     * @return those servers, oldest failure first; empty if every stored server runs or was never restarted.
     */
    public List<FailedRestart> failedRestarts()
    {
        return runtime.failedRestarts().entrySet().stream()
            .map(failed -> new FailedRestart(failed.getKey(), failed.getValue())).toList();
    }

    /**
     * @return the client calls made on this node, for monitoring: latency per kind, timeouts, redirects (live).
     */
    public CallStatistics callStatistics()
    {
        return runtime.callStatistics();
    }

    /**
     * A point-in-time view of a member hosted by this node.
     *
     * @param server on this node.
     * @return its overview.
     */
    public ServerOverview overview(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        return Futures.await(runtime.overview(server), defaultTimeout);
    }

    /**
     * @param server on this node.
     * @return its overview ({@link #overview}) once taken, or {@link UnknownServerException}: no wait, for monitoring.
     */
    public CompletableFuture<ServerOverview> overviewAsync(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        return runtime.overview(server);
    }

    /**
     * @param server a server id.
     * @return true if the server runs on this node.
     */
    public boolean isRunning(final ServerId server)
    {
        Objects.requireNonNull(server, "server");
        return runtime.isRunning(server);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Processes

    /**
     * Create a process whose messages are handled one at a time, in order, on Ra's process thread pool.
     *
     * @param handler of each message ({@link RaEvent}s, {@link Effect.SendMsg} messages); must not block for long.
     *                What it throws (an exception, a failed assertion, a stack overflow) is logged and the next
     *                message is handled; only the JVM's own errors (out of memory) end the process, with
     *                {@link DownReason#ERROR}.
     * @return the process.
     */
    public RaProcess spawn(final Consumer<Object> handler)
    {
        return runtime.spawn(handler, null);
    }

    /**
     * Create a process whose handler runs on the given executor (still one message at a time, in order).
     *
     * @param handler  of each message.
     * @param executor to run the handler on.
     * @return the process.
     */
    public RaProcess spawn(final Consumer<Object> handler, final Executor executor)
    {
        Objects.requireNonNull(executor, "executor");
        return runtime.spawn(handler, executor);
    }

    /**
     * Send a message to a process on this node or another (encoded with the generic codec when it crosses nodes);
     * dropped silently if it cannot be delivered. The message may be of any type the generic codec writes, so a
     * process's node reads such a message with the unrestricted generic codec: bytes from another node that name an
     * enum or record class on its class path have it initialised and constructed (never for a process that does not
     * run there). Give a process's ref only to nodes you trust with that (docs/TRANSPORT.md).
     *
     * @param to      the process.
     * @param message to send.
     */
    public void send(final ProcessRef to, final Object message)
    {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(message, "message");
        runtime.send(to, message);
    }

    /**
     * Stop every server hosted here (keeping their data), end its processes, and close what the system owns: its
     * threads, its transport, and its storage unless built with
     * {@link RaSystemBuilder#closeStorage closeStorage(false)}. An executor given with
     * {@link RaSystemBuilder#processExecutor} stays the caller's. Idempotent; a close called while another is under way
     * returns once that one is done.
     *
     * <p>Called on one of the node's event loops (from a machine's {@code apply} or an effect, or from a callback of a
     * call that the loop completed) or on a thread of its transport (a callback of a call whose answer the transport
     * delivered, as with {@link RaSystemBuilder#useTransportThreads useTransportThreads(false)}), the close cannot wait
     * there for the servers to stop: it goes on in a thread of its own, {@code ra-<node>-close}, and this returns at
     * once; {@link #whenClosed} tells when it is done.
     */
    @Override
    public void close()
    {
        if (runtime.onThreadTheCloseNeeds())
        {
            // Waiting here would hold up the very thread that has to stop the servers, or carry their hand-over's
            // messages: they would not hand over their leadership nor stop until the wait gave up. Not a daemon, so
            // that the JVM lets the close finish.
            final Thread closer = new Thread(this::closeAndWait, "ra-" + nodeId() + "-close");
            closer.start();
            return;
        }
        closeAndWait();
    }

    /**
     * @return a future completed once a {@link #close} is done: the servers stopped, the processes ended, and what the
     *         system owns closed (exceptionally with what the close threw). For a close that went on in a thread of
     *         its own (called on one of the node's event loops or transport threads), this is how to wait for it,
     *         from any other thread.
     */
    public CompletableFuture<Void> whenClosed()
    {
        return closed.copy();
    }

    private void closeAndWait()
    {
        // The future is completed once the lock is released: what waits on it runs in the completing thread, and may
        // make a close of its own on another thread and wait for it (System.exit, whose shutdown hook closes the
        // node), which would wait for this lock for ever. With the outcome of the first close, even when a close made
        // meanwhile gets there first.
        try
        {
            closeHoldingTheLock();
        }
        catch (final RuntimeException | Error ex)
        {
            closed.completeExceptionally(ex);
            throw ex;
        }
        final Throwable failure = closeFailure;
        if (null == failure)
        {
            closed.complete(null);
        }
        else
        {
            closed.completeExceptionally(failure);
        }
    }

    private void closeHoldingTheLock()
    {
        synchronized (closing)
        {
            try
            {
                try
                {
                    runtime.close();
                }
                finally
                {
                    // Whatever failed in there (a transport's close), the WAL is closed cleanly and its directory
                    // freed. Not a storage another running system took (this build was refused it): its own.
                    if (closeStorage && runtime.tookStorage() && storageClosed.compareAndSet(false, true))
                    {
                        runtime.config().storage().close();
                    }
                }
            }
            catch (final RuntimeException | Error ex)
            {
                closeFailure = null == closeFailure ? ex : closeFailure;
                throw ex;
            }
        }
    }

    /**
     * Send a request to a server and wait for its answer, both with the default timeout.
     */
    private Object callAndWait(final ServerId server, final ServerRequest request)
    {
        return Futures.await(runtime.call(server, request, defaultTimeout), defaultTimeout);
    }
}
