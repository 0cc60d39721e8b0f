package dev.ra.runtime;

import dev.ra.ProcessRef;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.codec.CodecException;
import dev.ra.core.SilentLeader;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LoopHost;
import dev.ra.spi.RateLimitedWarnings;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.stats.CallStatistics;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime of one node, and the implementation behind {@link dev.ra.RaSystem}; internal API, not for applications.
 * Thread-safe.
 *
 * <p>The composition root of the shell: it builds the node's parts, wires them, starts and closes them, and offers the
 * facade {@code RaSystem} calls. The parts, each depending only on those below it (see docs/RUNTIME.md):
 * {@link ServerRegistry} (starting and stopping servers), {@link ServerProcess} (one server's shell, on an
 * {@link EventLoop}), {@link MessageRouter} (delivery, local or through the transport), {@link CallsTable} and
 * {@link ClientCall} (client calls in flight), {@link ClusterDirectory} (what the node knows of clusters).
 */
public final class RaRuntime implements TransportListener, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RaRuntime.class);

    // Messages from other nodes that do not decode or cannot be handled: a bad or hostile peer must not flood the log.
    private final RateLimitedWarnings badMessages = new RateLimitedWarnings(LOG);

    /**
     * The transports and storages of the runtimes started and not closed in this JVM, each with its node: each serves
     * one node, and a build given one that another system runs on must fail without starting, or closing, it.
     */
    private static final Map<Object, String> IN_USE = new IdentityHashMap<>();

    private final RuntimeConfig config;
    private final EventLoop[] loops;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor background;
    private final ThreadPoolExecutor defaultProcessExecutor;
    private final CallsTable calls;
    private final ClusterDirectory clusters;
    private final MessageRouter router;
    private final ServerRegistry registry;
    private final ClientQueries queries;
    private final int maxCommandBytes;
    private volatile boolean closed;
    /** Whether this runtime took its transport (see {@link #IN_USE}), and so closes it and releases it. */
    private boolean transportTaken;
    /** Whether this runtime took its storage (see {@link #IN_USE}): only then may its owner close it. */
    private boolean storageTaken;
    private final Object closeLock = new Object();

    /**
     * @param config validated settings.
     */
    public RaRuntime(final RuntimeConfig config)
    {
        this.config = config;
        final String prefix = "ra-" + config.nodeId();
        this.loops = new EventLoop[config.eventLoops()];
        for (int i = 0; i < loops.length; i++)
        {
            loops[i] = new EventLoop(prefix + "-loop-" + i, config.tickInterval().toMillis(), config.clock());
        }
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemon(prefix + "-timeouts"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.background = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            daemon(prefix + "-background"));
        this.background.allowCoreThreadTimeOut(true);
        final int processThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.defaultProcessExecutor = new ThreadPoolExecutor(processThreads, processThreads, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), daemon(prefix + "-process"));
        this.defaultProcessExecutor.allowCoreThreadTimeOut(true);
        final Executor processExecutor = null == config.processExecutor() ? defaultProcessExecutor :
            config.processExecutor();
        // Half the transport's limit leaves room for the envelope of an AppendEntries message: its commands are
        // bounded by this many bytes (one entry is always sent, and no entry is larger).
        this.maxCommandBytes = Math.max(1, Math.min(config.maxCommandBytes(),
            config.transport().maxMessageBytes() / 2));
        this.calls = new CallsTable(config.clock(), new CallTimeouts(prefix + "-call-timeouts", config.clock()),
            scheduler);
        this.clusters = new ClusterDirectory(config.nodeId(), config.storage());
        final LocalServers<ServerProcess> servers = new LocalServers<>();
        this.router = new MessageRouter(config.nodeId(), config.transport(), servers, clusters, calls,
            processExecutor, SilentLeader.suspectAfterMs(config.electionTimeoutMin().toMillis()));
        this.registry = new ServerRegistry(config, loops, servers, clusters, router, background, maxCommandBytes);
        // A member that follows the leader applies its read index within a round or two; one that waits an election
        // timeout may have been removed.
        this.queries = new ClientQueries(router, clusters, registry, this::call, config.electionTimeoutMax());
    }

    private static ThreadFactory daemon(final String prefix)
    {
        final AtomicInteger n = new AtomicInteger();
        return r ->
        {
            final Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Start the event loops and the transport.
     */
    public void start()
    {
        try
        {
            takeTransportAndStorage();
            clusters.restoreDeletions();
            startLoopsAndTransport();
        }
        catch (final RuntimeException ex)
        {
            // Nothing runs without the transport, and the caller gets no runtime to close: stop every thread started
            // so far (the constructor's too) before telling it.
            close();
            throw ex instanceof RaException ? ex : new RaException("node " + nodeId() +
                " could not start its transport: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param part a transport or a storage.
     * @return whether a runtime started and not closed in this JVM runs on it: nothing but that runtime may close it.
     */
    public static boolean inUse(final Object part)
    {
        synchronized (IN_USE)
        {
            return IN_USE.containsKey(part);
        }
    }

    /**
     * @return whether this runtime took its storage when it started (no other running system had it): only then is
     *     it its own to close. A runtime refused for its transport alone took its storage, which nothing else runs on.
     */
    public boolean tookStorage()
    {
        synchronized (closeLock)
        {
            return storageTaken;
        }
    }

    private void takeTransportAndStorage()
    {
        final String transportUser;
        final String storageUser;
        synchronized (IN_USE)
        {
            transportUser = IN_USE.get(config.transport());
            storageUser = IN_USE.get(config.storage());
            // Each part no other system runs on is taken even when the other is refused: it is this build's to close
            // (a storage built inline would otherwise keep its directory locked), and no build may take it meanwhile.
            if (null == transportUser)
            {
                IN_USE.put(config.transport(), nodeId());
            }
            if (null == storageUser)
            {
                IN_USE.put(config.storage(), nodeId());
            }
        }
        synchronized (closeLock)
        {
            transportTaken = null == transportUser;
            storageTaken = null == storageUser;
        }
        if (null != transportUser || null != storageUser)
        {
            throw new RaException("node " + nodeId() + " was given the " + (null != transportUser ?
                "transport of node " + transportUser : "storage of node " + storageUser) + ", which runs on it: " +
                "a transport and a storage serve one node; give each system its own");
        }
    }

    private void startLoopsAndTransport()
    {
        final List<LoopHost> hosts = config.useTransportThreads() ?
            config.transport().loopHosts(config.nodeId(), loops.length) : List.of();
        for (int i = 0; i < loops.length; i++)
        {
            if (hosts.isEmpty())
            {
                loops[i].start();
            }
            else
            {
                loops[i].startOn(hosts.get(i % hosts.size()));
            }
        }
        config.transport().reportSilenceAfter(Duration.ofMillis(
            SilentLeader.suspectAfterMs(config.electionTimeoutMin().toMillis())));
        config.transport().start(config.nodeId(), this);
    }

    /**
     * @return the id of this node.
     */
    public String nodeId()
    {
        return config.nodeId();
    }

    /**
     * @return the settings.
     */
    public RuntimeConfig config()
    {
        return config;
    }

    Storage storage()
    {
        return config.storage();
    }

    /**
     * @return whether the server is hosted by this node.
     */
    boolean isLocal(final ServerId server)
    {
        return router.isLocal(server);
    }

    /**
     * A clock other than the system's moved on (a test's manual clock): the call timeouts look at their deadlines
     * again now rather than when they planned to.
     */
    void clockMoved()
    {
        calls.timeouts().recheck();
    }

    /**
     * @return whether the calling thread runs one of this node's event loops: a server's {@code apply} or effects, or
     *     a callback of a call that the loop completed.
     */
    public boolean onOwnLoop()
    {
        for (final EventLoop loop : loops)
        {
            if (loop.inLoop())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether the calling thread is one the node needs to stop its servers in order: one of its event loops, or
     *     a thread of its transport (a callback of a call whose answer the transport delivered runs there), which
     *     carries the messages of a leader's hand-over. A close must not wait on it.
     */
    public boolean onThreadTheCloseNeeds()
    {
        return onOwnLoop() || config.transport().onTransportThread();
    }

    /**
     * @throws IllegalStateException naming the node, once {@link #close} began: what every call of the API throws then.
     */
    public void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("RaSystem " + nodeId() + " is closed");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Servers

    /**
     * Start a server hosted by this node.
     *
     * @param clusterName of its cluster.
     * @param machineName how the machine is found again on restart (registered name or class name).
     * @param machine     the machine instance, or null to resolve {@code machineName}.
     * @param id          of the server; must be on this node.
     * @param members     initial members.
     * @param isNew       true to create a new server (fails if it has storage), false to restart one.
     * @param joinedAt    for a new server added to a running cluster, where it joins; {@link JoinPoint#NONE}
     *                    otherwise.
     * @return completes once the server runs.
     */
    public CompletableFuture<Void> startLocalServer(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final ServerId id, final List<ServerId> members, final boolean isNew,
        final JoinPoint joinedAt)
    {
        requireOpen();
        return registry.startLocalServer(clusterName, machineName, machine, id, members, isNew, joinedAt);
    }

    /**
     * Run a task on a server of this node, in its mailbox order; for tests that must act on its loop between two
     * events (a server that does not run here leaves the task unrun).
     */
    void runOnServer(final ServerId server, final ServerTask task)
    {
        final ServerProcess process = registry.get(server);
        if (null != process)
        {
            process.enqueue(task);
        }
    }

    /**
     * @return how many of this node's servers its loops offer ticks now (those with something a tick could do); for
     *     tests. Asked on each loop's thread.
     */
    int serversOfferedTicks()
    {
        int offered = 0;
        for (final EventLoop loop : loops)
        {
            final CompletableFuture<Integer> count = new CompletableFuture<>();
            loop.execute(() -> count.complete(loop.serversOfferedTicks()));
            offered += count.join();
        }
        return offered;
    }

    /**
     * Restart a server from its storage on this node.
     *
     * @param id of the server.
     * @return completes once the server runs.
     */
    public CompletableFuture<Void> restartLocalServer(final ServerId id)
    {
        requireOpen();
        return registry.restartLocalServer(id);
    }

    /**
     * @return the servers stored on this node that do not run because their last restart failed (when the node
     *     started, or by {@link #restartLocalServer}), with the reason, oldest failure first.
     */
    public Map<ServerId, String> failedRestarts()
    {
        return registry.failedRestarts();
    }

    /**
     * @param members of a cluster.
     * @return true if this node knows any of them (hosts it or has registered its cluster).
     */
    public boolean knowsAny(final List<ServerId> members)
    {
        return clusters.knowsAny(members);
    }

    /**
     * @param member a server.
     * @return the name of the cluster this node knows it in, or null if it does not know it.
     */
    public String knownClusterName(final ServerId member)
    {
        final ClusterInfo cluster = clusters.get(member);
        return null == cluster ? null : cluster.clusterName;
    }

    /**
     * Forget a cluster whose start failed, so that calls to its members fail at once with the reason.
     *
     * @param members of the cluster.
     * @param reason  of the failure.
     */
    public void forgetFailedStart(final List<ServerId> members, final String reason)
    {
        clusters.forgetFailedStart(members, reason, registry::hosts);
    }

    /**
     * Remember the cluster a set of servers belongs to, so clients on this node can encode its commands.
     *
     * @param clusterName of the cluster.
     * @param machineName of its machine.
     * @param machine     instance used for codecs.
     * @param members     of the cluster.
     * @return puts back what this node knew of the members before, for a start that is refused.
     */
    @SuppressWarnings("unchecked")
    public Runnable registerCluster(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final List<ServerId> members)
    {
        requireOpen();
        final Runnable restore = clusters.restorer(members);
        clusters.register(clusterName, machineName, (StateMachine<Object, Object>)machine, members);
        return restore;
    }

    /**
     * Remember a brand-new member being started, for clients on this node, keeping what this node knows of the others
     * (see {@link ClusterDirectory#registerJoining}).
     *
     * @param clusterName of the cluster.
     * @param machineName of its machine.
     * @param machine     instance used for codecs.
     * @param members     the member list the start was given.
     * @param server      being started.
     * @return undoes it, for a start that is refused.
     */
    @SuppressWarnings("unchecked")
    public Runnable registerJoining(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final List<ServerId> members, final ServerId server)
    {
        requireOpen();
        return clusters.registerJoining(clusterName, machineName, (StateMachine<Object, Object>)machine, members,
            server);
    }

    /**
     * Find a machine by registered name, else by class name (public no-arg constructor).
     *
     * @param name registered name or class name.
     * @return a machine instance.
     */
    public StateMachine<?, ?> resolveMachine(final String name)
    {
        return registry.resolveMachine(name);
    }

    /**
     * Stop a server of this node; completes once it stopped. Idempotent.
     *
     * @param id         of the server.
     * @param deleteData whether to delete its storage too.
     * @return completes once stopped.
     */
    public CompletableFuture<Void> stopLocalServer(final ServerId id, final boolean deleteData)
    {
        return registry.stopLocalServer(id, deleteData);
    }

    /**
     * @param id of a server.
     * @return true if it runs on this node.
     */
    public boolean isRunning(final ServerId id)
    {
        return registry.isRunning(id);
    }

    /**
     * @return the servers running on this node.
     */
    public List<ServerId> runningServers()
    {
        return registry.runningServers();
    }

    /**
     * @return latencies, timeouts and redirects of the client calls made on this node.
     */
    public CallStatistics callStatistics()
    {
        return calls.statistics();
    }

    /**
     * Start a server on another node.
     *
     * @param clusterName of its cluster.
     * @param machineName registered name or class name on that node.
     * @param server      to start.
     * @param members     initial members.
     * @param joinedAt    for a server added to a running cluster, where it joins; {@link JoinPoint#NONE} otherwise.
     * @param timeout     of the call.
     * @return completes once the remote server runs.
     */
    public CompletableFuture<Void> startRemoteServer(final String clusterName, final String machineName,
        final ServerId server, final List<ServerId> members, final JoinPoint joinedAt, final Duration timeout)
    {
        requireOpen();
        return registry.startRemoteServer(clusterName, machineName, server, members, joinedAt, timeout);
    }

    /**
     * A point-in-time view of a server of this node.
     *
     * @param server on this node.
     * @return the overview.
     */
    public CompletableFuture<ServerOverview> overview(final ServerId server)
    {
        requireOpen();
        final ServerProcess process = registry.get(server);
        if (null == process)
        {
            return CompletableFuture.failedFuture(clusters.notRunningHere(server));
        }
        final CompletableFuture<ServerOverview> result = new CompletableFuture<>();
        process.enqueue(new ServerTask()
        {
            @Override
            public void run(final ServerProcess server)
            {
                result.complete(server.overview());
            }

            @Override
            public void rejected(final ServerId stopped)
            {
                // It stopped since it was looked up (it may still be registered while its storage closes).
                result.completeExceptionally(clusters.notRunningHere(stopped));
            }
        });
        return result;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Client calls

    /**
     * Make a call to a server, following redirects.
     *
     * @param server     addressed.
     * @param request    what to ask.
     * @param timeout    of the call.
     * @param completion what a successful answer turns into, or null for the default.
     * @return the call's future.
     */
    CompletableFuture<Object> call(final ServerId server, final ServerRequest request, final Duration timeout,
        final ClientCall.Completion completion)
    {
        return startCall(server, request, timeout, completion, ClientCall::start);
    }

    /**
     * Make a call to a server, following redirects.
     *
     * @param server  addressed.
     * @param request what to ask.
     * @param timeout of the call.
     * @return the call's future; see {@link ClientCall} for the result types.
     */
    public CompletableFuture<Object> call(final ServerId server, final ServerRequest request, final Duration timeout)
    {
        return call(server, request, timeout, null);
    }

    /**
     * Make a call to a server, following redirects, for a caller that waits for it at once: the transport may have
     * the calling thread send it and receive the answer (see {@link Transport#sendAndReceiveOnCaller}), so the
     * returned future is usually complete already.
     *
     * @param server  addressed.
     * @param request what to ask.
     * @param timeout of the call.
     * @return the call's future; see {@link ClientCall} for the result types.
     */
    public CompletableFuture<Object> callReceivingOnCaller(final ServerId server, final ServerRequest request,
        final Duration timeout)
    {
        return startCall(server, request, timeout, null, ClientCall::startReceivingOnCaller);
    }

    private CompletableFuture<Object> startCall(final ServerId server, final ServerRequest request,
        final Duration timeout, final ClientCall.Completion completion, final UnaryOperator<ClientCall> start)
    {
        requireOpen();
        final RaException refused = MemberOfAnotherCluster.refusedBeforeSending(clusters, server, request);
        if (null != refused)
        {
            return CompletableFuture.failedFuture(refused);
        }
        final ClientCall call = new ClientCall(router, server, request, clusters.getChecked(server),
            Durations.nanos(timeout), completion);
        final String deletion = clusters.deletion(server);
        if (null != deletion)
        {
            // Known deleted here: no node needs asking (its node may be gone too). The call may go on from here to
            // the member the removal names, or the others, so its timeout is armed first.
            call.armTimeout().deleted(server, deletion, clusters.memberAfter(server));
            return call.future;
        }
        return start.apply(call).future;
    }

    /**
     * Delete the cluster of a server: its leader commits the deletion, and every member stops and deletes its data
     * as it applies it. Once committed, this node forgets the cluster, so that calls to its members fail at once
     * naming the deletion.
     *
     * @param server  any member.
     * @param timeout of the call.
     * @return completes once the deletion committed.
     */
    public CompletableFuture<Object> deleteCluster(final ServerId server, final Duration timeout)
    {
        final ClusterInfo known = clusters.getOrAfterRemoval(server);
        return call(server, new ServerRequest.DeleteCluster(), timeout).thenApply(done ->
        {
            if (null != known)
            {
                clusters.clusterDeleted(known);
            }
            return done;
        });
    }

    /**
     * Wait until the cluster of a server has a leader, asking the leader for the members.
     *
     * @param server  any member.
     * @param timeout of the wait.
     * @return the leader.
     */
    public CompletableFuture<ServerId> awaitLeader(final ServerId server, final Duration timeout)
    {
        final CompletableFuture<ServerId> leader = new CompletableFuture<>();
        call(server, new ServerRequest.Members(), timeout, (call, value, leaderId) ->
        {
            call.future.complete(value);
            leader.complete(leaderId);
        }).whenComplete((v, e) ->
        {
            if (null != e)
            {
                leader.completeExceptionally(e);
            }
        });
        return leader;
    }

    /**
     * Encode a command for a server, with its cluster's command codec, on the caller's thread.
     *
     * @param server  addressed.
     * @param command to encode.
     * @return the command with both forms.
     */
    public UserCommand encodeCommand(final ServerId server, final Object command)
    {
        return CommandCheck.encode(clusters.require(server, "its machine (and so its command codec) is unknown " +
            "here; start it, or a cluster containing it, through this node first"), command, maxCommandBytes);
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
    public void castCommand(final ServerId to, final UserCommand command, final ProcessRef notifyTo,
        final Object correlation, final int hops)
    {
        requireOpen();
        router.castCommand(to, command, notifyTo, correlation, hops);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Queries

    /**
     * Run a query on a server of this node, once it has applied an index.
     *
     * @param server   on this node.
     * @param query    to run.
     * @param minIndex to wait for (0 for none).
     * @param minTerm  the entry at minIndex must have (0 for any).
     * @param timeout  of the call.
     * @return the result.
     */
    public CompletableFuture<Object> localQuery(final ServerId server, final Function<Object, Object> query,
        final long minIndex, final long minTerm, final Duration timeout)
    {
        requireOpen();
        return queries.localQuery(server, query, minIndex, minTerm, timeout);
    }

    /**
     * A query that reads the leader's applied index (after confirming leadership with a quorum when
     * {@code consistent}), then runs on the addressed server of this node once it has applied that index.
     *
     * @param server     on this node.
     * @param query      to run.
     * @param consistent whether to confirm leadership first (linearizable) or not ({@code leaderQuery}).
     * @param timeout    of the call.
     * @return the result.
     */
    public CompletableFuture<Object> readThroughLeader(final ServerId server, final Function<Object, Object> query,
        final boolean consistent, final Duration timeout)
    {
        requireOpen();
        return queries.readThroughLeader(server, query, consistent, timeout);
    }

    /**
     * A query the machine declares by name, against a cluster this node knows (hosting a member or not); see
     * {@link ClientQueries#namedQuery}.
     *
     * @param server     any member of the cluster.
     * @param name       of the query.
     * @param argument   encoded with the machine's query codec.
     * @param consistent whether the answer must be linearizable.
     * @param timeout    of the whole query.
     * @return completes with a {@link dev.ra.QueryResult}.
     */
    public CompletableFuture<Object> namedQuery(final ServerId server, final String name, final Object argument,
        final boolean consistent, final Duration timeout)
    {
        requireOpen();
        return queries.namedQuery(server, name, argument, consistent, timeout);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Processes

    /**
     * Spawn a process on this node.
     *
     * @param handler  of its messages.
     * @param executor to run the handler on, or null for the default.
     * @return the process.
     */
    public RaProcess spawn(final Consumer<Object> handler, final Executor executor)
    {
        requireOpen();
        return router.processes().spawn(handler, executor);
    }

    /**
     * Send a message to any process, local or remote, encoded with the generic codec when it crosses nodes.
     *
     * @param to      the process.
     * @param message to send.
     */
    public void send(final ProcessRef to, final Object message)
    {
        requireOpen();
        router.send(to, message);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Transport listener

    @Override
    public void onMessage(final String fromNode, final NodeMessage message)
    {
        try
        {
            receive(fromNode, message);
        }
        catch (final CodecException ex)
        {
            // The peer sent bytes that do not decode (a bad or hostile sender): what and from whom is all that
            // helps; a stack trace would only point at the decoder.
            badMessages.warn("{}: dropping a message from {} that could not be decoded: {} ({})", nodeId(), fromNode,
                ex.getMessage(), message);
        }
        catch (final RuntimeException ex)
        {
            badMessages.warn("{}: dropping a message from {} that could not be handled: {}", nodeId(), fromNode,
                message, ex);
        }
    }

    void receive(final String fromNode, final NodeMessage message)
    {
        if (message instanceof NodeMessage.StartServer start)
        {
            onStartServer(fromNode, start);
        }
        else
        {
            router.receive(fromNode, message);
        }
    }

    private void onStartServer(final String fromNode, final NodeMessage.StartServer start)
    {
        CompletableFuture<Void> started;
        try
        {
            started = startLocalServer(start.clusterName(), start.machine(), null, start.server(), start.members(),
                true, start.joinedAt());
        }
        catch (final RuntimeException ex)
        {
            started = CompletableFuture.failedFuture(ex);
        }
        started.whenComplete((v, e) -> config.transport().send(fromNode, new NodeMessage.CallReply(start.callId(),
            null == e ? NodeMessage.CallStatus.OK : NodeMessage.CallStatus.FAILED, Bytes.EMPTY, null, null,
            null == e ? "" : "starting " + start.server() + " failed: " + e)));
    }

    @Override
    public void onNodeUp(final String node)
    {
        router.nodeStatus(node, true);
    }

    @Override
    public void onNodeDown(final String node)
    {
        router.nodeStatus(node, false);
    }

    @Override
    public void onNodeLeft(final String node)
    {
        router.nodeLeft(node);
    }

    @Override
    public void onNodeSilent(final String node)
    {
        router.nodeSilence(node, true);
    }

    @Override
    public void onNodeHeard(final String node)
    {
        router.nodeSilence(node, false);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Shutdown

    /**
     * Stop every server, the transport, the event loops and the helper threads. Idempotent; a close called while
     * another is under way returns once that one is done.
     */
    @Override
    public void close()
    {
        // Held for the whole close: a second close that saw the flag and returned at once would let its caller (a
        // shutdown hook, say) go on, and close the storage, while the servers are still stopping.
        synchronized (closeLock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            registry.stopAll();
            router.processes().closeAll();
            try
            {
                if (transportTaken)
                {
                    config.transport().close();
                }
            }
            finally
            {
                // The storage is released too, though its owner closes it after this: a build on it meanwhile
                // was given a storage that is closing, as it would be a moment later.
                synchronized (IN_USE)
                {
                    if (transportTaken)
                    {
                        IN_USE.remove(config.transport());
                    }
                    if (storageTaken)
                    {
                        IN_USE.remove(config.storage());
                    }
                }
                // The caller may be a thread of a pool stopped below (a process handler, a callback of a call retried
                // or failed on the scheduler): stopping the pool interrupts it, and what it does next (close the
                // storage, which waits for its WAL writer) would not wait. Only an interrupt it had before that is
                // kept: one from before the close or during it (given back by the waits above), which is the
                // caller's own.
                final boolean interruptedBefore = Thread.currentThread().isInterrupted();
                // A transport whose close failed must not leave the node's threads running.
                for (final EventLoop loop : loops)
                {
                    loop.shutdown();
                }
                scheduler.shutdownNow();
                calls.close();
                background.shutdownNow();
                defaultProcessExecutor.shutdownNow();
                if (!interruptedBefore)
                {
                    Thread.interrupted();
                }
            }
        }
    }
}
