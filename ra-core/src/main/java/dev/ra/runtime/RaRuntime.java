package dev.ra.runtime;

import dev.ra.ApplyFailureMode;
import dev.ra.DownReason;
import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.QueryResult;
import dev.ra.RaEvent;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.UnknownServerException;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.core.CallError;
import dev.ra.core.CoreConfig;
import dev.ra.core.RaftEvent;
import dev.ra.core.RecoveredState;
import dev.ra.core.ServerCore;
import dev.ra.core.SilentLeader;
import dev.ra.protocol.Member;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LoopHost;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime of one node: event loops, the servers it hosts, client calls, processes and the transport listener.
 * The implementation behind {@link dev.ra.RaSystem}; internal API, not for applications. Thread-safe.
 */
public final class RaRuntime implements TransportListener, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RaRuntime.class);
    private static final int CONFIG_VERSION = 1;

    private final RuntimeConfig config;
    private final EventLoop[] loops;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final Map<ServerId, ServerProcess> servers = new ConcurrentHashMap<>();
    private final Map<ServerId, ClusterInfo> clusters = new ConcurrentHashMap<>();
    private final Map<Long, ClientCall> remoteCalls = new ConcurrentHashMap<>();
    /** Nodes the transport reported silent and not heard from since. */
    private final Set<String> silentNodes = ConcurrentHashMap.newKeySet();
    private final Map<Long, CompletableFuture<Void>> remoteStarts = new ConcurrentHashMap<>();
    private final AtomicLong callIds = new AtomicLong();
    private final ScheduledThreadPoolExecutor scheduler;
    private final CallTimeouts timeouts;
    private final ExecutorService background;
    private final ThreadPoolExecutor defaultProcessExecutor;
    private final ProcessRegistry processes;
    private final NodeReachability reachability;
    private final FailedStarts failedStarts = new FailedStarts();
    private final int maxCommandBytes;
    private volatile boolean closed;

    /**
     * @param config validated settings.
     */
    public RaRuntime(final RuntimeConfig config)
    {
        this.config = config;
        this.loops = new EventLoop[config.eventLoops()];
        for (int i = 0; i < loops.length; i++)
        {
            loops[i] = new EventLoop("ra-" + config.nodeId() + "-loop-" + i, config.tickInterval().toMillis());
        }
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("ra-" + config.nodeId() + "-timeouts"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.timeouts = new CallTimeouts("ra-" + config.nodeId() + "-call-timeouts");
        this.background = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            daemon("ra-" + config.nodeId() + "-background"));
        ((ThreadPoolExecutor)this.background).allowCoreThreadTimeOut(true);
        final int processThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.defaultProcessExecutor = new ThreadPoolExecutor(processThreads, processThreads, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), daemon("ra-" + config.nodeId() + "-process"));
        this.defaultProcessExecutor.allowCoreThreadTimeOut(true);
        final Executor processExecutor = null == config.processExecutor() ? defaultProcessExecutor :
            config.processExecutor();
        this.processes = new ProcessRegistry(this, config.nodeId(), processExecutor);
        this.reachability = new NodeReachability(config.nodeId(), config.transport(), scheduler);
        // Half the transport's limit leaves room for the envelope of an AppendEntries message: its commands are
        // bounded by this many bytes (one entry is always sent, and no entry is larger).
        this.maxCommandBytes = Math.max(1, Math.min(config.maxCommandBytes(),
            config.transport().maxMessageBytes() / 2));
    }

    /**
     * @return what this node's members do when their machine throws.
     */
    ApplyFailureMode applyFailureMode()
    {
        return config.applyFailureMode();
    }

    /**
     * @return the largest encoded command this node sends or appends.
     */
    int maxCommandBytes()
    {
        return maxCommandBytes;
    }

    private static java.util.concurrent.ThreadFactory daemon(final String prefix)
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
        try
        {
            config.transport().start(config.nodeId(), this);
        }
        catch (final RuntimeException ex)
        {
            // Nothing runs without the transport: stop every thread started so far before telling the caller.
            close();
            throw ex instanceof RaException ? ex : new RaException("node " + nodeId() +
                " could not start its transport: " + ex.getMessage(), ex);
        }
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

    Transport transport()
    {
        return config.transport();
    }

    Storage storage()
    {
        return config.storage();
    }

    ScheduledThreadPoolExecutor scheduler()
    {
        return scheduler;
    }

    CallTimeouts timeouts()
    {
        return timeouts;
    }

    Executor backgroundExecutor()
    {
        return background;
    }

    long nextCallId()
    {
        return callIds.incrementAndGet();
    }

    private void requireOpen()
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
     * @return completes once the server runs.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Void> startLocalServer(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final ServerId id, final List<ServerId> members, final boolean isNew)
    {
        requireOpen();
        if (!id.node().equals(nodeId()))
        {
            throw new IllegalArgumentException("server " + id + " is not on this node (" + nodeId() + ")");
        }
        if (servers.containsKey(id))
        {
            return CompletableFuture.failedFuture(new IllegalStateException("server " + id + " is already running"));
        }
        if (isNew && config.storage().exists(id))
        {
            return CompletableFuture.failedFuture(new IllegalStateException("server " + id +
                " already has stored state; use restartServer, or delete it first"));
        }
        final StateMachine<Object, Object> resolved = (StateMachine<Object, Object>)(null != machine ? machine :
            resolveMachine(machineName));
        final ClusterInfo cluster = clusterInfo(clusterName, machineName, resolved, members);
        return openAndStart(id, cluster, isNew);
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
        if (!id.node().equals(nodeId()))
        {
            throw new IllegalArgumentException("server " + id + " is not on this node (" + nodeId() + ")");
        }
        if (servers.containsKey(id))
        {
            // Restarted already, for example with the other stored servers when the system was built.
            return CompletableFuture.completedFuture(null);
        }
        if (!config.storage().exists(id))
        {
            return CompletableFuture.failedFuture(new UnknownServerException(id, "server " + id +
                " has no stored state on " + nodeId()));
        }
        return openAndStart(id, null, false);
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<Void> openAndStart(final ServerId id, final ClusterInfo knownCluster,
        final boolean isNew)
    {
        final ForwardingListener listener = new ForwardingListener();
        final ServerStorage storage;
        try
        {
            storage = config.storage().open(id, listener);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
        try
        {
            final ClusterInfo cluster;
            if (isNew)
            {
                cluster = knownCluster;
                storage.meta().storeServerConfig(encodeServerConfig(cluster));
            }
            else
            {
                final byte[] stored = storage.meta().serverConfig();
                if (null == stored)
                {
                    throw new IllegalStateException("server " + id + " has no stored configuration");
                }
                cluster = decodeServerConfig(stored, knownCluster);
            }
            final List<Member> initialMembers = new ArrayList<>();
            for (final ServerId member : cluster.members)
            {
                initialMembers.add(Member.voter(member));
            }
            final CoreConfig coreConfig = CoreConfig.defaults(id, cluster.clusterName, initialMembers)
                .withElectionTimeout(config.electionTimeoutMin().toMillis(), config.electionTimeoutMax().toMillis())
                .withMinSnapshotInterval(config.minSnapshotInterval())
                .withCommitNoticeDelay(config.commitNoticeDelay().toMillis())
                .withApplyFailure(config.applyFailureMode())
                .withSizeLimits(maxCommandBytes, maxCommandBytes);
            final RecoveredState recovered = recover(storage, cluster.machine);
            final ServerCore core = new ServerCore(coreConfig, cluster.machine, storage.log(), storage.snapshots(),
                recovered, new SplittableRandom());
            final EventLoop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
            final ServerProcess process = new ServerProcess(this, loop, id, cluster, storage);
            listener.target = process;
            if (null != servers.putIfAbsent(id, process))
            {
                storage.close();
                return CompletableFuture.failedFuture(new IllegalStateException("server " + id +
                    " is already running"));
            }
            final CompletableFuture<Void> started = new CompletableFuture<>();
            process.start(core, started);
            return started;
        }
        catch (final RuntimeException ex)
        {
            storage.close();
            if (isNew)
            {
                config.storage().delete(id);
            }
            return CompletableFuture.failedFuture(ex);
        }
    }

    private static RecoveredState recover(final ServerStorage storage, final StateMachine<Object, Object> machine)
    {
        final SnapshotMeta snapshot = storage.snapshots().latest();
        final Object snapshotState = null == snapshot ? null :
            machine.stateCodec().fromBytes(storage.snapshots().read(snapshot).unsafeArray());
        return new RecoveredState(storage.meta().currentTerm(), storage.meta().votedFor(),
            storage.meta().lastApplied(), snapshot, snapshotState, storage.meta().damagedAcknowledgedIndex(),
            storage.meta().termAndVoteLost());
    }

    private ClusterInfo clusterInfo(final String clusterName, final String machineName,
        final StateMachine<Object, Object> machine, final List<ServerId> members)
    {
        final ClusterInfo info = new ClusterInfo(clusterName, machineName, machine, members);
        for (final ServerId member : members)
        {
            clusters.put(member, info);
        }
        failedStarts.clear(members);
        return info;
    }

    /**
     * @param members of a cluster.
     * @return true if this node knows any of them (hosts it or has registered its cluster).
     */
    public boolean knowsAny(final List<ServerId> members)
    {
        return members.stream().anyMatch(clusters::containsKey);
    }

    /**
     * Forget a cluster whose start failed, so that calls to its members fail at once with the reason.
     *
     * @param members of the cluster.
     * @param reason  of the failure.
     */
    public void forgetFailedStart(final List<ServerId> members, final String reason)
    {
        for (final ServerId member : members)
        {
            if (!servers.containsKey(member))
            {
                clusters.remove(member);
            }
        }
        failedStarts.record(members, reason);
    }

    /**
     * Remember the cluster a set of servers belongs to, so clients on this node can encode its commands.
     *
     * @param clusterName of the cluster.
     * @param machineName of its machine.
     * @param machine     instance used for codecs.
     * @param members     of the cluster.
     */
    @SuppressWarnings("unchecked")
    public void registerCluster(final String clusterName, final String machineName, final StateMachine<?, ?> machine,
        final List<ServerId> members)
    {
        clusterInfo(clusterName, machineName, (StateMachine<Object, Object>)machine, members);
    }

    private byte[] encodeServerConfig(final ClusterInfo cluster)
    {
        return Codecs.generic().toBytes(List.of(CONFIG_VERSION, cluster.clusterName, cluster.machineName,
            cluster.members));
    }

    @SuppressWarnings("unchecked")
    private ClusterInfo decodeServerConfig(final byte[] stored, final ClusterInfo known)
    {
        final List<Object> fields = (List<Object>)Codecs.generic().fromBytes(stored);
        if (!Integer.valueOf(CONFIG_VERSION).equals(fields.get(0)))
        {
            throw new IllegalStateException("unsupported server config version " + fields.get(0));
        }
        final String clusterName = (String)fields.get(1);
        final String machineName = (String)fields.get(2);
        final List<ServerId> members = (List<ServerId>)fields.get(3);
        final StateMachine<Object, Object> machine = null != known ? known.machine :
            (StateMachine<Object, Object>)resolveMachine(machineName);
        return clusterInfo(clusterName, machineName, machine, members);
    }

    /**
     * Find a machine by registered name, else by class name (public no-arg constructor).
     *
     * @param name registered name or class name.
     * @return a machine instance.
     */
    public StateMachine<?, ?> resolveMachine(final String name)
    {
        final var supplier = config.machines().get(name);
        if (null != supplier)
        {
            return supplier.get();
        }
        try
        {
            final Class<?> type = Class.forName(name, true, Thread.currentThread().getContextClassLoader() != null ?
                Thread.currentThread().getContextClassLoader() : RaRuntime.class.getClassLoader());
            if (!StateMachine.class.isAssignableFrom(type))
            {
                throw new IllegalArgumentException("class " + name + " does not implement StateMachine");
            }
            final Constructor<?> constructor = type.getConstructor();
            return (StateMachine<?, ?>)constructor.newInstance();
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalArgumentException("no machine registered as '" + name + "' on node " + nodeId() +
                " and no such class", ex);
        }
        catch (final NoSuchMethodException ex)
        {
            throw new IllegalArgumentException("machine class " + name + " has no public no-arg constructor; " +
                "register it by name with RaSystemBuilder.registerMachine", ex);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("cannot instantiate machine class " + name, ex);
        }
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
        final ServerProcess process = servers.get(id);
        if (null == process)
        {
            if (deleteData && config.storage().exists(id))
            {
                config.storage().delete(id);
            }
            return CompletableFuture.completedFuture(null);
        }
        process.enqueue((ServerTask)s -> s.stop(deleteData, null));
        return process.stoppedFuture();
    }

    /**
     * A member's removal from its cluster committed: stop it and delete its data, wherever it runs (a member that is
     * not running, or whose node cannot be reached, is left as it is).
     *
     * @param member removed.
     */
    void retireRemovedMember(final ServerId member)
    {
        if (member.node().equals(nodeId()))
        {
            stopLocalServer(member, true);
        }
        else
        {
            call(member, new ServerRequest.ForceDelete(), config.defaultTimeout());
        }
    }

    void serverStopped(final ServerProcess process, final List<ServerId> peers)
    {
        servers.remove(process.id, process);
        for (final ServerId peer : peers)
        {
            if (peer.node().equals(nodeId()))
            {
                final ServerProcess local = servers.get(peer);
                if (null != local)
                {
                    local.enqueue(new RaftEvent.PeerUnreachable(process.id));
                }
            }
            else
            {
                config.transport().send(peer.node(), new NodeMessage.ServerDown(process.id, peer));
            }
        }
    }

    void runRejected(final ServerTask task, final ServerProcess server)
    {
        if (task instanceof CallTask call)
        {
            call.origin().noServer(server.id);
        }
        else if (task instanceof QueryTask query)
        {
            query.call().future.completeExceptionally(new dev.ra.ServerStoppedException("server " + server.id +
                " is stopped"));
        }
    }

    /**
     * @param id of a server.
     * @return true if it runs on this node.
     */
    public boolean isRunning(final ServerId id)
    {
        final ServerProcess process = servers.get(id);
        return null != process && !process.isStopped();
    }

    /**
     * @return the servers running on this node.
     */
    public List<ServerId> runningServers()
    {
        return new ArrayList<>(servers.keySet());
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
        return newCall(server, request, timeout, completion).start().future;
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
        return newCall(server, request, timeout, null).startReceivingOnCaller().future;
    }

    private ClientCall newCall(final ServerId server, final ServerRequest request, final Duration timeout,
        final ClientCall.Completion completion)
    {
        requireOpen();
        final ClusterInfo cluster = clusters.get(server);
        if (null == cluster)
        {
            failedStarts.check(server);
        }
        return new ClientCall(this, server, request, cluster, timeout.toNanos(), completion);
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
        final ClusterInfo cluster = clusters.get(server);
        if (null == cluster)
        {
            failedStarts.check(server);
            throw new UnknownServerException(server, "server " + server + " is unknown to node " + nodeId() +
                ": its machine (and so its command codec) is unknown here; start it, or a cluster containing it, " +
                "through this node first");
        }
        final String wrongType = CommandCheck.wrongType(cluster, command);
        if (null != wrongType)
        {
            throw new InvalidCommandException(wrongType);
        }
        final Codec<Object> codec = cluster.machine.commandCodec();
        final UserCommand encoded = UserCommand.of(command, Bytes.wrap(codec.toBytes(command)));
        final String tooLarge = CommandCheck.tooLarge(cluster, encoded.dataIfEncoded().length(), maxCommandBytes);
        if (null != tooLarge)
        {
            throw new InvalidCommandException(tooLarge);
        }
        return encoded;
    }

    void dispatch(final ClientCall call, final ServerId to)
    {
        if (to.node().equals(nodeId()))
        {
            final ServerProcess process = servers.get(to);
            if (null == process)
            {
                call.noServer(to);
            }
            else
            {
                process.enqueue(new CallTask(call.request, call));
            }
            return;
        }
        if (!config.transport().isReachable(to.node()))
        {
            call.noServer(to);
            return;
        }
        final long id = call.remoteCallId();
        remoteCalls.put(id, call);
        final NodeMessage.ServerCall message = new NodeMessage.ServerCall(id, to, call.request);
        if (call.claimReceiveOnCaller())
        {
            switch (config.transport().sendAndReceiveOnCaller(to.node(), message, call.deadlineNanos()))
            {
                case ANSWERED, DEADLINE_PASSED:
                    return;
                case CONNECTION_LOST:
                    call.nodeLost(to);
                    return;
                case NOT_SENT:
                default:
                    break;
            }
        }
        config.transport().send(to.node(), message);
    }

    void forgetRemoteCall(final ClientCall call)
    {
        remoteCalls.remove(call.remoteCallId(), call);
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
        if (to.node().equals(nodeId()))
        {
            final ServerProcess process = servers.get(to);
            if (null != process)
            {
                process.enqueue((ServerTask)s -> s.cast(command, notifyTo, correlation, hops));
            }
            else if (null != notifyTo)
            {
                sendEvent(notifyTo, new RaEvent.Rejected(to, null, correlation), to);
            }
        }
        else
        {
            config.transport().send(to.node(), new NodeMessage.CommandCast(to, command, notifyTo, correlation,
                hops));
        }
    }

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
        final ServerProcess process = requireLocalRunning(server);
        final ClientCall call = new ClientCall(this, server, null, process.cluster, timeout.toNanos(), null)
            .armTimeout();
        process.enqueue(new QueryTask(query, minIndex, minTerm, call));
        return call.future;
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
        requireLocalRunning(server);
        return call(server, new ServerRequest.ReadIndex(consistent), timeout, (call, value, leader) ->
        {
            final ServerProcess local = servers.get(server);
            if (null == local)
            {
                call.future.completeExceptionally(new dev.ra.ServerStoppedException("server " + server +
                    " stopped"));
                return;
            }
            local.enqueue(new QueryTask(query, (Long)value, 0, call));
        });
    }

    /**
     * A query the machine declares by name, against a cluster this node knows (hosting a member or not): with
     * {@code consistent}, the leader first confirms its leadership and returns its applied index (ReadIndex, thesis
     * §6.4), and the query runs on the leader once it has applied that index; without, it runs on the addressed member
     * at once, however stale.
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
        final ClusterInfo cluster = clusters.get(server);
        if (null == cluster)
        {
            failedStarts.check(server);
            throw new UnknownServerException(server, "server " + server + " is unknown to node " + nodeId() +
                ": register its cluster with RaSystem.registerCluster first");
        }
        final Codec<Object> codec = cluster.machine.queryCodec();
        final Bytes encoded = Bytes.wrap(codec.toBytes(argument));
        final long deadlineNanos = System.nanoTime() + timeout.toNanos();
        if (!consistent)
        {
            // The member answers with the leader it knows, which is what the result reports (not the member).
            return call(server, new ServerRequest.NamedQuery(name, encoded, 0), timeout,
                (call, value, leader) -> completeNamedQuery(call, value, codec, leader));
        }
        return call(server, new ServerRequest.ReadIndex(true), timeout, (call, value, leader) ->
        {
            final long remaining = Math.max(1, deadlineNanos - System.nanoTime());
            call(null != leader ? leader : server, new ServerRequest.NamedQuery(name, encoded, (Long)value),
                Duration.ofNanos(remaining), (second, answer, answeredBy) -> completeNamedQuery(second, answer, codec,
                    null != leader ? leader : answeredBy))
                .whenComplete((result, error) ->
                {
                    if (null != error)
                    {
                        call.future.completeExceptionally(error);
                    }
                    else
                    {
                        call.future.complete(result);
                    }
                });
        });
    }

    @SuppressWarnings("unchecked")
    private static void completeNamedQuery(final ClientCall call, final Object value, final Codec<Object> codec,
        final ServerId leader)
    {
        final List<Object> answer = (List<Object>)value;
        if (!Boolean.TRUE.equals(answer.get(0)))
        {
            call.future.completeExceptionally(new IllegalArgumentException("query refused: " + answer.get(3)));
            return;
        }
        try
        {
            final Object result = codec.fromBytes((byte[])answer.get(3));
            call.future.complete(new dev.ra.QueryResult<>(result, (Long)answer.get(1), (Long)answer.get(2),
                leader));
        }
        catch (final RuntimeException ex)
        {
            call.future.completeExceptionally(ex);
        }
    }

    private ServerProcess requireLocalRunning(final ServerId server)
    {
        if (!server.node().equals(nodeId()))
        {
            throw new IllegalArgumentException("queries run on a member hosted by this node, and " + server +
                " is on node " + server.node() + ": query functions are code and are never shipped between " +
                "nodes; address the member of the cluster on this node instead");
        }
        final ServerProcess process = servers.get(server);
        if (null == process)
        {
            throw new UnknownServerException(server, "no server " + server + " runs on " + nodeId());
        }
        return process;
    }

    /**
     * A point-in-time view of a server of this node.
     *
     * @param server on this node.
     * @return the overview.
     */
    public CompletableFuture<ServerOverview> overview(final ServerId server)
    {
        final ServerProcess process = servers.get(server);
        if (null == process)
        {
            return CompletableFuture.failedFuture(new UnknownServerException(server, "no server " + server +
                " runs on " + nodeId()));
        }
        final CompletableFuture<ServerOverview> result = new CompletableFuture<>();
        process.enqueue((ServerTask)s -> result.complete(s.overview()));
        return result;
    }

    /**
     * Start a server on another node.
     *
     * @param clusterName of its cluster.
     * @param machineName registered name or class name on that node.
     * @param server      to start.
     * @param members     initial members.
     * @param timeout     of the call.
     * @return completes once the remote server runs.
     */
    public CompletableFuture<Void> startRemoteServer(final String clusterName, final String machineName,
        final ServerId server, final List<ServerId> members, final Duration timeout)
    {
        requireOpen();
        final long callId = nextCallId();
        final CompletableFuture<Void> result = new CompletableFuture<>();
        remoteStarts.put(callId, result);
        result.whenComplete((v, e) -> remoteStarts.remove(callId));
        final long deadlineNanos = System.nanoTime() + timeout.toNanos();
        // A node built a moment ago has not connected to its peers yet: wait for the connection within the timeout.
        reachability.await(server.node(), timeout).whenComplete((v, unreachable) ->
        {
            if (null != unreachable)
            {
                result.completeExceptionally(unreachable);
                return;
            }
            scheduler.schedule(() -> result.completeExceptionally(new dev.ra.RaTimeoutException("starting " +
                server + " timed out: node " + server.node() + " did not answer within " + timeout)),
                Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            config.transport().send(server.node(), new NodeMessage.StartServer(callId, clusterName, machineName,
                server, members));
        });
        return result;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Raft messages, processes and monitors

    void sendRaft(final ServerId from, final ServerId to, final RaftRpc rpc)
    {
        if (to.node().equals(nodeId()))
        {
            final ServerProcess process = servers.get(to);
            if (null != process)
            {
                process.enqueue(new RaftEvent.RpcReceived(from, rpc));
            }
        }
        else
        {
            config.transport().send(to.node(), new NodeMessage.RaftMessage(from, to, rpc));
        }
    }

    /**
     * Spawn a process on this node.
     *
     * @param handler  of its messages.
     * @param executor to run the handler on, or null for the default.
     * @return the process.
     */
    public RaProcess spawn(final java.util.function.Consumer<Object> handler, final Executor executor)
    {
        requireOpen();
        return processes.spawn(handler, executor);
    }

    void sendToProcess(final ProcessRef to, final Object message, final ServerId from,
        final StateMachine<Object, Object> machine)
    {
        if (to.node().equals(nodeId()))
        {
            processes.deliver(to, message);
        }
        else
        {
            final byte[] encoded;
            try
            {
                encoded = machine.messageCodec().toBytes(message);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("{}: cannot encode a message for {}; dropped", from, to, ex);
                return;
            }
            config.transport().send(to.node(), new NodeMessage.ProcessMessage(to, from, Bytes.wrap(encoded)));
        }
    }

    /**
     * Send a message to any process, local or remote, encoded with the generic codec when it crosses nodes.
     *
     * @param to      the process.
     * @param message to send.
     */
    public void send(final ProcessRef to, final Object message)
    {
        if (to.node().equals(nodeId()))
        {
            processes.deliver(to, message);
        }
        else
        {
            config.transport().send(to.node(), new NodeMessage.ProcessMessage(to, null,
                Bytes.wrap(Codecs.generic().toBytes(message))));
        }
    }

    void sendEvent(final ProcessRef to, final RaEvent.Rejected event, final ServerId from)
    {
        if (to.node().equals(nodeId()))
        {
            processes.deliver(to, event);
        }
        else
        {
            config.transport().send(to.node(), new NodeMessage.RejectedNotice(to, event.from(), event.leaderHint(),
                event.correlation()));
        }
    }

    void notifyApplied(final ProcessRef to, final ServerId leader, final StateMachine<Object, Object> machine,
        final List<RaEvent.Correlated> applied)
    {
        if (to.node().equals(nodeId()))
        {
            processes.deliver(to, new RaEvent.Applied(leader, applied));
            return;
        }
        final List<Object> correlations = new ArrayList<>(applied.size());
        final List<Bytes> replies = new ArrayList<>(applied.size());
        final Codec<Object> codec = machine.replyCodec();
        for (final RaEvent.Correlated c : applied)
        {
            final byte[] reply;
            try
            {
                reply = codec.toBytes(c.reply());
            }
            catch (final RuntimeException ex)
            {
                // A failed command, or a reply the machine's codec cannot encode: only this notification is lost,
                // never the leader.
                LOG.warn("{}: cannot notify {} of the command correlated {}: its reply cannot be encoded: {}",
                    leader, to, c.correlation(), ex.toString());
                continue;
            }
            correlations.add(c.correlation());
            replies.add(Bytes.wrap(reply));
        }
        if (correlations.isEmpty())
        {
            return;
        }
        config.transport().send(to.node(), new NodeMessage.AppliedNotice(to, leader, correlations, replies));
    }

    void monitorProcess(final ProcessRef process, final ServerId watcher)
    {
        if (process.node().equals(nodeId()))
        {
            processes.monitor(process, watcher);
        }
        else if (!isNodeUp(process.node()))
        {
            processDown(process, DownReason.NOCONNECTION, watcher);
        }
        else
        {
            config.transport().send(process.node(), new NodeMessage.MonitorProcess(process, watcher));
        }
    }

    void demonitorProcess(final ProcessRef process, final ServerId watcher)
    {
        if (process.node().equals(nodeId()))
        {
            processes.demonitor(process, watcher);
        }
        else
        {
            config.transport().send(process.node(), new NodeMessage.DemonitorProcess(process, watcher));
        }
    }

    void processDown(final ProcessRef process, final DownReason reason, final ServerId watcher)
    {
        if (watcher.node().equals(nodeId()))
        {
            final ServerProcess server = servers.get(watcher);
            if (null != server)
            {
                server.enqueue((ServerTask)s -> s.processDown(process, reason));
            }
        }
        else
        {
            config.transport().send(watcher.node(), new NodeMessage.ProcessDown(process, reason, watcher));
        }
    }

    boolean isNodeUp(final String node)
    {
        return node.equals(nodeId()) || config.transport().isReachable(node);
    }

    void modCall(final ServerId server, final String handler, final Object argument)
    {
        final java.util.function.Consumer<Object> h = config.modCallHandlers().get(handler);
        if (null == h)
        {
            LOG.warn("{}: no mod-call handler named '{}' is registered on {}", server, handler, nodeId());
            return;
        }
        try
        {
            h.accept(argument);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: mod-call handler '{}' threw", server, handler, ex);
        }
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
            LOG.warn("{}: dropping a message from {} that could not be decoded: {} ({})", nodeId(), fromNode,
                ex.getMessage(), message);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: dropping a message from {} that could not be handled: {}", nodeId(), fromNode, message, ex);
        }
    }

    @SuppressWarnings("unchecked")
    void receive(final String fromNode, final NodeMessage message)
    {
        if (message instanceof NodeMessage.RaftMessage raft)
        {
            final ServerProcess process = servers.get(raft.to());
            if (null != process)
            {
                process.enqueue(new RaftEvent.RpcReceived(raft.from(), raft.rpc()));
            }
            else
            {
                // Like an Erlang monitor on a dead process: tell the sender at once.
                config.transport().send(fromNode, new NodeMessage.ServerDown(raft.to(), raft.from()));
            }
        }
        else if (message instanceof NodeMessage.ServerCall call)
        {
            final ServerProcess process = servers.get(call.to());
            final Codec<Object> codec = call.request() instanceof ServerRequest.Command && null != process ?
                process.cluster.machine.replyCodec() : Codecs.generic();
            final RemoteOrigin origin = new RemoteOrigin(this, fromNode, call.callId(), codec);
            if (null == process)
            {
                origin.noServer(call.to());
            }
            else
            {
                process.enqueue(new CallTask(call.request(), origin));
            }
        }
        else if (message instanceof NodeMessage.CallReply reply)
        {
            onCallReply(reply);
        }
        else if (message instanceof NodeMessage.CommandCast cast)
        {
            final ServerProcess process = servers.get(cast.to());
            if (null != process)
            {
                process.enqueue((ServerTask)s -> s.cast(cast.command(), cast.notifyTo(), cast.correlation(),
                    cast.hops()));
            }
            else if (null != cast.notifyTo())
            {
                sendEvent(cast.notifyTo(), new RaEvent.Rejected(cast.to(), null, cast.correlation()), cast.to());
            }
        }
        else if (message instanceof NodeMessage.ProcessMessage pm)
        {
            processes.deliver(pm.to(), messageCodec(pm.from()).fromBytes(pm.message().unsafeArray()));
        }
        else if (message instanceof NodeMessage.AppliedNotice notice)
        {
            final Codec<Object> codec = replyCodec(notice.leader());
            final List<RaEvent.Correlated> applied = new ArrayList<>(notice.replies().size());
            for (int i = 0; i < notice.replies().size(); i++)
            {
                applied.add(new RaEvent.Correlated(notice.correlations().get(i),
                    codec.fromBytes(notice.replies().get(i).unsafeArray())));
            }
            processes.deliver(notice.to(), new RaEvent.Applied(notice.leader(), applied));
        }
        else if (message instanceof NodeMessage.RejectedNotice notice)
        {
            processes.deliver(notice.to(), new RaEvent.Rejected(notice.from(), notice.leaderHint(),
                notice.correlation()));
        }
        else if (message instanceof NodeMessage.MonitorProcess monitor)
        {
            processes.monitor(monitor.process(), monitor.watcher());
        }
        else if (message instanceof NodeMessage.DemonitorProcess demonitor)
        {
            processes.demonitor(demonitor.process(), demonitor.watcher());
        }
        else if (message instanceof NodeMessage.ProcessDown down)
        {
            processDown(down.process(), down.reason(), down.watcher());
        }
        else if (message instanceof NodeMessage.ServerDown down)
        {
            final ServerProcess process = servers.get(down.peer());
            if (null != process)
            {
                process.enqueue(new RaftEvent.PeerUnreachable(down.server()));
            }
        }
        else if (message instanceof NodeMessage.StartServer start)
        {
            onStartServer(fromNode, start);
        }
        else
        {
            throw new IllegalStateException("unhandled node message " + message);
        }
    }

    private void onCallReply(final NodeMessage.CallReply reply)
    {
        final CompletableFuture<Void> start = remoteStarts.get(reply.callId());
        if (null != start)
        {
            if (reply.status() == NodeMessage.CallStatus.OK)
            {
                start.complete(null);
            }
            else
            {
                start.completeExceptionally(new RaException(reply.message()));
            }
            return;
        }
        final ClientCall call = remoteCalls.remove(reply.callId());
        if (null == call)
        {
            return;
        }
        switch (reply.status())
        {
            case OK:
                call.ok(call.valueCodec().fromBytes(reply.value().unsafeArray()), reply.leader());
                break;
            case REDIRECT:
                call.redirect(reply.leader());
                break;
            case FAILED:
                if (reply.error() == CallError.COMMAND_FAILED)
                {
                    call.commandFailed(RemoteOrigin.decodeFailure(reply.value()), reply.leader());
                }
                else
                {
                    call.failed(reply.error(), reply.leader(), reply.message());
                }
                break;
            case NO_SERVER:
                call.noServer(call.target());
                break;
            case STOPPED:
                call.stopped(call.target(), new dev.ra.RaException(reply.message()));
                break;
            default:
                throw new IllegalStateException("unhandled status " + reply.status());
        }
    }

    private void onStartServer(final String fromNode, final NodeMessage.StartServer start)
    {
        CompletableFuture<Void> started;
        try
        {
            started = startLocalServer(start.clusterName(), start.machine(), null, start.server(), start.members(),
                true);
        }
        catch (final RuntimeException ex)
        {
            started = CompletableFuture.failedFuture(ex);
        }
        started.whenComplete((v, e) -> config.transport().send(fromNode, new NodeMessage.CallReply(start.callId(),
            null == e ? NodeMessage.CallStatus.OK : NodeMessage.CallStatus.FAILED, Bytes.EMPTY, null, null,
            null == e ? "" : "starting " + start.server() + " failed: " + e)));
    }

    private Codec<Object> messageCodec(final ServerId from)
    {
        final ClusterInfo info = null == from ? null : clusters.get(from);
        return null == info ? Codecs.generic() : info.machine.messageCodec();
    }

    private Codec<Object> replyCodec(final ServerId leader)
    {
        final ClusterInfo info = clusters.get(leader);
        return null == info ? Codecs.generic() : info.machine.replyCodec();
    }

    @Override
    public void onNodeUp(final String node)
    {
        silentNodes.remove(node);
        nodeStatus(node, true);
    }

    @Override
    public void onNodeDown(final String node)
    {
        silentNodes.remove(node);
        processes.forgetWatchersOn(node);
        nodeStatus(node, false);
    }

    @Override
    public void onNodeSilent(final String node)
    {
        nodeSilence(node, true);
    }

    @Override
    public void onNodeHeard(final String node)
    {
        nodeSilence(node, false);
    }

    /**
     * @param node id of a node.
     * @return whether the transport reported it silent (connected, but nothing heard for a while) and it has not been
     *         heard from since: calls do not follow a leader hint there.
     */
    boolean isSilent(final String node)
    {
        return !silentNodes.isEmpty() && silentNodes.contains(node);
    }

    private void nodeSilence(final String node, final boolean silent)
    {
        if (silent)
        {
            silentNodes.add(node);
        }
        else
        {
            silentNodes.remove(node);
        }
        for (final ServerProcess process : servers.values())
        {
            process.enqueue((ServerTask)s -> s.nodeSilence(node, silent));
        }
    }

    private void nodeStatus(final String node, final boolean up)
    {
        for (final ServerProcess process : servers.values())
        {
            process.enqueue((ServerTask)s -> s.nodeStatus(node, up));
        }
        if (!up)
        {
            for (final ClientCall call : new ArrayList<>(remoteCalls.values()))
            {
                if (call.target().node().equals(node))
                {
                    remoteCalls.remove(call.remoteCallId(), call);
                    call.nodeLost(call.target());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Shutdown

    /**
     * Stop every server, the transport, the event loops and the helper threads.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (final ServerId id : new ArrayList<>(servers.keySet()))
        {
            stops.add(stopLocalServer(id, false));
        }
        try
        {
            CompletableFuture.allOf(stops.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            LOG.warn("{}: not every server stopped in time", nodeId(), ex);
        }
        processes.closeAll();
        config.transport().close();
        for (final EventLoop loop : loops)
        {
            loop.shutdown();
        }
        scheduler.shutdownNow();
        timeouts.shutdown();
        background.shutdownNow();
        defaultProcessExecutor.shutdownNow();
    }

    /**
     * Hands the log's durability reports to the server once it exists (the storage is opened before the server).
     */
    private static final class ForwardingListener implements LogListener
    {
        volatile LogListener target;

        @Override
        public void onWritten(final long index, final long term)
        {
            final LogListener t = target;
            if (null != t)
            {
                t.onWritten(index, term);
            }
        }

        @Override
        public void onFailure(final Throwable cause)
        {
            final LogListener t = target;
            if (null != t)
            {
                t.onFailure(cause);
            }
            else
            {
                LOG.error("log failed before its server started", cause);
            }
        }
    }
}
