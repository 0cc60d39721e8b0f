package dev.ra.runtime;

import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.UnknownServerException;
import dev.ra.core.CoreConfig;
import dev.ra.core.RecoveredState;
import dev.ra.core.ServerCore;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.Member;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers of one node: starting one (new, or restarted from its storage) on one of the node's event loops,
 * stopping one, starting one on another node, and retiring a member whose removal committed. The running servers are
 * kept in {@link LocalServers}, which the {@link MessageRouter} reads; the clusters they belong to in the
 * {@link ClusterDirectory}. Thread-safe.
 */
final class ServerRegistry
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerRegistry.class);
    /** The stored configuration of a server with a join point. */
    private static final int CONFIG_VERSION = 2;
    /** The stored configuration of a server without one: the version before join points, which older releases read. */
    private static final int CONFIG_VERSION_WITHOUT_JOIN_POINT = 1;
    /**
     * Tests only: runs with each new server process once it is registered (messages reach it) and before its start is
     * handed to its loop, the window in which a peer's message may arrive first.
     */
    static volatile Consumer<ServerProcess> registeredForTests;
    /**
     * Servers whose storage is opened at once. Opening syncs files (for a new server: its directory, identity and
     * configuration), and syncs of different files overlap on the disk, so a node starting thousands of servers
     * starts them several at a time instead of one after the other.
     */
    private static final int STARTER_THREADS = 8;
    private static final long STOP_WAIT_SECONDS = 10;
    /** The stop tasks, linked once, when the node starts: an orderly stop is the moment a failover waits on. */
    private static final ServerTask STOP_KEEPING_DATA = s -> s.stop(false, null);
    private static final ServerTask STOP_DELETING_DATA = s -> s.stop(true, null);

    private final RuntimeConfig config;
    private final EventLoop[] loops;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final LocalServers<ServerProcess> servers;
    private final ClusterDirectory clusters;
    private final MessageRouter router;
    private final NodeReachability reachability;
    private final ServerEnvironment environment;
    /** Opens servers' storage and starts them, off the caller's thread (a transport's, for a start asked remotely). */
    private final ThreadPoolExecutor starter;
    /** Start tasks given to {@link #starter} and not yet finished (queued or running). */
    private final AtomicInteger startsQueued = new AtomicInteger();
    private final FailedRestarts failedRestarts = new FailedRestarts();
    private volatile boolean stopping;

    /**
     * @param config          of the node.
     * @param loops           the servers are spread over.
     * @param servers         the table of running servers, which this registry fills.
     * @param clusters        what the node knows of clusters.
     * @param router          of the node.
     * @param background      encodes and writes snapshots.
     * @param maxCommandBytes largest encoded command a leader appends.
     */
    ServerRegistry(final RuntimeConfig config, final EventLoop[] loops, final LocalServers<ServerProcess> servers,
        final ClusterDirectory clusters, final MessageRouter router, final Executor background,
        final int maxCommandBytes)
    {
        this.config = config;
        this.loops = loops;
        this.servers = servers;
        this.clusters = clusters;
        this.router = router;
        this.reachability = new NodeReachability(config.nodeId(), config.transport(), router.calls().scheduler());
        this.environment = new ServerEnvironment(router, clusters, config.clock(),
            new CoreTime(config.clock()), background, config.storage(),
            config.applyFailureMode(), maxCommandBytes, config.maxUncommittedBytes(),
            Durations.nanos(config.electionTimeoutMin()),
            ParkedQueries.remoteWaitNanos(config.defaultTimeout()), config.modCallHandlers(), this::retireRemovedMember,
            this::serverStopped, new AloneWarnings(config.clock(), config.electionTimeoutMax()));
        final AtomicInteger starters = new AtomicInteger();
        this.starter = new ThreadPoolExecutor(STARTER_THREADS, STARTER_THREADS, 10, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r ->
            {
                final Thread t = new Thread(r, "ra-" + config.nodeId() + "-starter-" + starters.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        this.starter.allowCoreThreadTimeOut(true);
    }

    /**
     * @return the running server, or null.
     */
    ServerProcess get(final ServerId id)
    {
        return servers.get(id);
    }

    /**
     * Start a server hosted by this node.
     *
     * @param clusterName of its cluster.
     * @param machineName how the machine is found again on restart (registered name or class name).
     * @param machine     the machine instance, or null to resolve {@code machineName}.
     * @param id          of the server; must be on this node.
     * @param members     initial members.
     * @param isNew       true to create a new server (fails if it has storage), false to restart one.
     * @param joinedAt    for a new server added to a running cluster, where it joins (stored with its
     *                    configuration); {@link JoinPoint#NONE} otherwise.
     * @return completes once the server runs.
     */
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> startLocalServer(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final ServerId id, final List<ServerId> members, final boolean isNew,
        final JoinPoint joinedAt)
    {
        requireLocal(id);
        final ServerProcess registered = servers.get(id);
        if (null != registered && registered.isStopped())
        {
            // Stopped, but still registered while its storage closes: decided once it is gone (see the restart).
            return registered.stoppedFuture().thenCompose(v -> startLocalServer(clusterName, machineName, machine, id,
                members, isNew, joinedAt));
        }
        if (null != registered)
        {
            return CompletableFuture.failedFuture(new IllegalStateException("server " + id + " is already running"));
        }
        if (isNew && config.storage().exists(id))
        {
            return CompletableFuture.failedFuture(new IllegalStateException("server " + id +
                " already has stored state; use restartServer, or delete it first"));
        }
        if (isNew)
        {
            // No data of a deletion left unfinished is stored any more (deleted by hand): what is stored next is new.
            clusters.storedDataDeleted(id);
        }
        else
        {
            // A restart of stored data, as restartLocalServer: never of the data a cluster's deletion left.
            final RuntimeException deletedData = refusedAsDeletedData(id);
            if (null != deletedData)
            {
                return CompletableFuture.failedFuture(deletedData);
            }
        }
        final StateMachine<Object, Object> resolved = (StateMachine<Object, Object>)(null != machine ? machine :
            resolveMachine(machineName));
        final ClusterInfo cluster = clusters.register(clusterName, machineName, resolved, members);
        return openAndStart(id, cluster, isNew, joinedAt).whenComplete((v, failure) ->
        {
            if (null == failure)
            {
                failedRestarts.clear(List.of(id));
            }
        });
    }

    /**
     * Restart a server from its storage on this node; nothing to do if it runs already.
     *
     * @param id of the server.
     * @return completes once the server runs.
     */
    CompletableFuture<Void> restartLocalServer(final ServerId id)
    {
        requireLocal(id);
        final ServerProcess registered = servers.get(id);
        if (null != registered && registered.isStopped())
        {
            // Stopped (it failed, or was stopped), but still registered while its storage closes: had the restart
            // found it "running" and done nothing, it would never run again. Restarted once it is gone.
            return registered.stoppedFuture().thenCompose(v -> restartLocalServer(id));
        }
        if (null != registered)
        {
            // Restarted already, for example with the other stored servers when the system was built.
            return CompletableFuture.completedFuture(null);
        }
        if (!config.storage().exists(id))
        {
            return CompletableFuture.failedFuture(new UnknownServerException(id, "server " + id +
                " has no stored state on " + config.nodeId()));
        }
        final RuntimeException deletedData = refusedAsDeletedData(id);
        if (null != deletedData)
        {
            return CompletableFuture.failedFuture(deletedData);
        }
        return openAndStart(id, null, false, JoinPoint.NONE).whenComplete((v, failure) ->
        {
            if (null == failure)
            {
                failedRestarts.clear(List.of(id));
            }
            else if (!stopping && !servers.contains(id))
            {
                // Not a start that lost to another one: the server is stored here and does not run.
                failedRestarts.record(id, reason(failure));
            }
        });
    }

    /**
     * If the server's data is what its cluster's deletion left ({@link ClusterDirectory#unfinishedDeletion}, which
     * tries the deletion again), it is not restarted, and listed as any server stored here that does not run, until
     * its data is gone.
     *
     * @return null if the server's data is not such, else why it is not restarted.
     */
    private RuntimeException refusedAsDeletedData(final ServerId id)
    {
        final RuntimeException deletedData = clusters.unfinishedDeletion(id);
        if (deletedData instanceof UnknownServerException)
        {
            failedRestarts.clear(List.of(id));
        }
        else if (null != deletedData)
        {
            failedRestarts.record(id, reason(deletedData));
        }
        return deletedData;
    }

    /**
     * A server stopped (on its loop): it is no longer found. If its cluster's deletion could not delete its data, that
     * data is listed at once among the servers that do not restart, not only once a restart is tried (which tries the
     * deletion again).
     */
    private void serverStopped(final ServerProcess process)
    {
        servers.remove(process);
        final String dataLeft = clusters.whyDeletionUnfinished(process.id);
        if (null != dataLeft)
        {
            failedRestarts.record(process.id, dataLeft);
        }
    }

    /**
     * @return what a failure says, for an operator: the message of the exception that stopped the start.
     */
    private static String reason(final Throwable failure)
    {
        final Throwable cause = startFailure(failure);
        return null == cause.getMessage() ? cause.toString() : cause.getMessage();
    }

    /**
     * @param failure of a start's future.
     * @return the exception that stopped the start, without the {@link CompletionException}s around it.
     */
    static Throwable startFailure(final Throwable failure)
    {
        Throwable cause = failure;
        while (cause instanceof CompletionException && null != cause.getCause())
        {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * @return the servers stored on this node that do not run because their last restart failed, with the reason,
     *     oldest failure first.
     */
    Map<ServerId, String> failedRestarts()
    {
        // A server deleted since, or started since by a path that did not clear its record, is not listed.
        return failedRestarts.reasons(id -> !servers.contains(id) && config.storage().exists(id));
    }

    private void requireLocal(final ServerId id)
    {
        if (!router.isLocal(id))
        {
            throw new IllegalArgumentException("server " + id + " is not on this node (" + config.nodeId() + ")");
        }
    }

    private CompletableFuture<Void> openAndStart(final ServerId id, final ClusterInfo knownCluster,
        final boolean isNew, final JoinPoint newJoinedAt)
    {
        final CompletableFuture<Void> started = new CompletableFuture<>();
        startsQueued.incrementAndGet();
        try
        {
            starter.execute(() ->
            {
                try
                {
                    if (stopping)
                    {
                        started.completeExceptionally(new IllegalStateException("cannot start server " + id +
                            ": node " + config.nodeId() + " is closing"));
                        return;
                    }
                    openAndStartNow(id, knownCluster, isNew, newJoinedAt).whenComplete((done, failure) ->
                    {
                        if (null == failure)
                        {
                            started.complete(null);
                        }
                        else
                        {
                            started.completeExceptionally(failure);
                        }
                    });
                }
                finally
                {
                    startsQueued.decrementAndGet();
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            startsQueued.decrementAndGet();
            started.completeExceptionally(new IllegalStateException("cannot start server " + id + ": node " +
                config.nodeId() + " is closing", ex));
        }
        return started;
    }

    private CompletableFuture<Void> openAndStartNow(final ServerId id, final ClusterInfo knownCluster,
        final boolean isNew, final JoinPoint newJoinedAt)
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
            final JoinPoint joinedAt;
            if (isNew)
            {
                cluster = knownCluster;
                joinedAt = newJoinedAt;
                storage.meta().storeServerConfig(encodeServerConfig(cluster, joinedAt));
                // The state a new server has (term 0, no vote), stored here on a starter thread: a store that creates
                // its files on the first write (ra-log's: two files, each synced with its directory) then does so
                // now, several servers at once, and the first vote on the server's loop, where the loop's other
                // servers wait for it, only overwrites what is there. Thousands of clusters electing at once spent
                // most of the election creating files one after the other on each node's loop.
                // Not 0 when a server of this id applied its cluster's deletion here: the cluster created again must
                // not elect a member of the one before that missed the deletion (see DeletedServers).
                storage.meta().storeTermAndVote(clusters.termAtDeletion(id), null);
            }
            else
            {
                final byte[] stored = storage.meta().serverConfig();
                if (null == stored)
                {
                    throw new IllegalStateException(withoutConfiguration(id, storage));
                }
                final List<Object> fields = configFields(id, stored);
                cluster = decodeServerConfig(fields, knownCluster);
                joinedAt = fields.size() < 6 ? JoinPoint.NONE : new JoinPoint((Long)fields.get(4), (Long)fields.get(5));
            }
            final List<Member> initialMembers = new ArrayList<>();
            for (final ServerId member : cluster.members)
            {
                initialMembers.add(Member.voter(member));
            }
            final CoreConfig sized = CoreConfig.defaults(id, cluster.clusterName, initialMembers)
                .withElectionTimeout(config.electionTimeoutMin().toMillis(), config.electionTimeoutMax().toMillis())
                .withMinSnapshotInterval(config.minSnapshotInterval())
                .withCommitNoticeDelay(config.commitNoticeDelay().toMillis())
                .withApplyFailure(config.applyFailureMode())
                .withSizeLimits(environment.maxCommandBytes(), environment.maxCommandBytes())
                .withUncommittedLimit(config.maxUncommittedBytes());
            final CoreConfig coreConfig = sized.withSnapshotChunkBytes(snapshotChunkBytes(sized.snapshotChunkBytes()));
            final RecoveredState recovered = recover(id, storage, cluster.machine, joinedAt);
            final ServerCore core = new ServerCore(coreConfig, cluster.machine, storage.log(), storage.snapshots(),
                recovered, new SplittableRandom());
            final EventLoop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
            final ServerProcess process = new ServerProcess(environment, loop, id, cluster, storage);
            listener.target = process;
            if (!servers.add(process))
            {
                storage.close();
                return CompletableFuture.failedFuture(new IllegalStateException("server " + id +
                    " is already running"));
            }
            final Consumer<ServerProcess> registered = registeredForTests;
            if (null != registered)
            {
                registered.accept(process);
            }
            final CompletableFuture<Void> started = new CompletableFuture<>();
            process.start(core, started);
            if (!isNew)
            {
                return started;
            }
            // A new server whose start failed on its loop (its machine's init threw) has stopped by now: nothing of it
            // may be left, as when its start fails here, or starting it again would find it stored.
            return started.whenComplete((v, error) ->
            {
                if (null != error)
                {
                    config.storage().delete(id);
                }
            });
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

    /**
     * A snapshot chunk travels in one message, as AppendEntries does: half the transport's limit leaves room for its
     * envelope (the snapshot's metadata, members included). A chunk over the limit would be dropped every time it is
     * sent, and a follower that needs the snapshot would never catch up.
     */
    private int snapshotChunkBytes(final int preferred)
    {
        return Math.max(1, Math.min(preferred, config.transport().maxMessageBytes() / 2));
    }

    private static RecoveredState recover(final ServerId id, final ServerStorage storage,
        final StateMachine<Object, Object> machine, final JoinPoint joinedAt)
    {
        final SnapshotMeta snapshot = storage.snapshots().latest();
        // A snapshot of a newer machine version is not decoded: the server starts without a state, and its core stops
        // applying with an error naming the versions, so the member is seen (status, log) and keeps its storage.
        final Object snapshotState = null == snapshot || !VersionedStateCodec.supports(machine, snapshot) ? null :
            VersionedStateCodec.of(id, machine, snapshot).fromBytes(storage.snapshots().read(snapshot).unsafeArray());
        return new RecoveredState(storage.meta().currentTerm(), storage.meta().votedFor(),
            storage.meta().lastApplied(), snapshot, snapshotState, storage.meta().damagedAcknowledgedIndex(),
            storage.meta().termAndVoteLost(), joinedAt);
    }

    private byte[] encodeServerConfig(final ClusterInfo cluster, final JoinPoint joinedAt)
    {
        return RemoteOrigin.PLAIN_VALUES.toBytes(JoinPoint.NONE.equals(joinedAt) ?
            List.of(CONFIG_VERSION_WITHOUT_JOIN_POINT, cluster.clusterName, cluster.machineName, cluster.members) :
            List.of(CONFIG_VERSION, cluster.clusterName, cluster.machineName, cluster.members, joinedAt.index(),
                joinedAt.term()));
    }

    /**
     * Why a server whose storage holds no configuration cannot be restarted, and what to do. The configuration is
     * stored first thing when a server is created, before it ever runs: a server without one that also holds no term,
     * vote or entry had its creation cut short by a crash and holds nothing to lose. One that holds any of them ran,
     * and lost its configuration since: deleted and started again as new under the same id, it would forget its vote
     * (and could vote twice in a term) and its entries.
     */
    private static String withoutConfiguration(final ServerId id, final ServerStorage storage)
    {
        final long term = storage.meta().currentTerm();
        final ServerId votedFor = storage.meta().votedFor();
        final long lastIndex = storage.log().lastIndex();
        if (0 == term && null == votedFor && 0 == lastIndex)
        {
            return "server " + id + " has no stored configuration: its creation was cut short (a crash before it " +
                "ever ran), so it holds nothing; delete it with forceDeleteServer and start it again as a new server";
        }
        return "server " + id + " has no stored configuration, yet it ran (term " + term + ", voted for " + votedFor +
            ", entries up to index " + lastIndex + "): its configuration was lost or damaged since. Restore it from " +
            "a backup; else remove the server from its cluster before deleting it (forceDeleteServer), and add it " +
            "back as a new member: started again as new under the same id while still a member, it would forget " +
            "its vote and entries";
    }

    @SuppressWarnings("unchecked")
    private static List<Object> configFields(final ServerId id, final byte[] stored)
    {
        // Plain values only (a version, names, member ids, numbers), and the plain-values codec reads the bytes the
        // generic codec wrote for them: damaged or planted bytes naming an enum or record class are refused before it
        // is loaded, where the unrestricted codec would have initialised or constructed it.
        final List<Object> fields = (List<Object>)RemoteOrigin.PLAIN_VALUES.fromBytes(stored);
        final Object version = fields.get(0);
        // Both versions have the same first four fields.
        if (!Integer.valueOf(CONFIG_VERSION).equals(version) &&
            !Integer.valueOf(CONFIG_VERSION_WITHOUT_JOIN_POINT).equals(version))
        {
            // As ra-log's UnsupportedFormatException says it (docs/UPGRADES.md, "Newer than known").
            throw new IllegalStateException("server " + id + ": its stored configuration has unsupported version " +
                version + " (this release reads versions " + CONFIG_VERSION_WITHOUT_JOIN_POINT + " to " +
                CONFIG_VERSION + "; it was written by a newer release, which must be used to start the server)");
        }
        return fields;
    }

    @SuppressWarnings("unchecked")
    private ClusterInfo decodeServerConfig(final List<Object> fields, final ClusterInfo known)
    {
        final String clusterName = (String)fields.get(1);
        final String machineName = (String)fields.get(2);
        final List<ServerId> members = (List<ServerId>)fields.get(3);
        final StateMachine<Object, Object> machine = null != known ? known.machine :
            (StateMachine<Object, Object>)resolveMachine(machineName);
        return clusters.register(clusterName, machineName, machine, members);
    }

    /**
     * Find a machine by registered name, else by class name (public no-arg constructor).
     *
     * @param name registered name or class name.
     * @return a machine instance.
     */
    StateMachine<?, ?> resolveMachine(final String name)
    {
        final var supplier = config.machines().get(name);
        if (null != supplier)
        {
            return supplier.get();
        }
        try
        {
            // Not initialised until known to be a machine: the name may come from another node's request.
            final Class<?> type = Class.forName(name, false, Thread.currentThread().getContextClassLoader() != null ?
                Thread.currentThread().getContextClassLoader() : ServerRegistry.class.getClassLoader());
            if (!StateMachine.class.isAssignableFrom(type))
            {
                throw new IllegalArgumentException("class " + name + " does not implement StateMachine");
            }
            final Constructor<?> constructor = type.getConstructor();
            return (StateMachine<?, ?>)constructor.newInstance();
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalArgumentException("no machine registered as '" + name + "' on node " + config.nodeId() +
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
        catch (final LinkageError ex)
        {
            // A class that cannot be initialised (or linked) here: an Error would pass every catch on the thread that
            // received the request, and its caller would hear nothing until its timeout.
            throw new IllegalArgumentException("machine class " + name + " cannot be initialised on node " +
                config.nodeId() + ": " + ex, ex);
        }
    }

    /**
     * Stop a server of this node; completes once it stopped. Idempotent.
     */
    CompletableFuture<Void> stopLocalServer(final ServerId id, final boolean deleteData)
    {
        final ServerProcess process = servers.get(id);
        if (null == process)
        {
            if (deleteData && config.storage().exists(id))
            {
                config.storage().delete(id);
                clusters.storedDataDeleted(id);
                failedRestarts.clear(List.of(id));
                final ClusterInfo cluster = clusters.get(id);
                if (null != cluster)
                {
                    clusters.serverDeleted(id, cluster, false, 0, cluster.members);
                }
            }
            return CompletableFuture.completedFuture(null);
        }
        process.enqueue(deleteData ? STOP_DELETING_DATA : STOP_KEEPING_DATA);
        return process.stoppedFuture();
    }

    /**
     * Stop every server of this node (keeping their data), waiting up to ten seconds.
     */
    void stopAll()
    {
        // No start may add a server once they are being stopped: refuse new ones and let those under way finish.
        stopping = true;
        starter.shutdown();
        // A caller interrupted before or during the close (a worker told to stop, closing what it opened on its way
        // out) still gets an orderly stop: the waits go on, and the interrupt is given back at the end.
        boolean interrupted = false;
        final RuntimeClock clock = config.clock();
        // Waited for only when a start is queued or running: waiting for idle starter threads to wake and exit took
        // 3-15 ms on a busy machine, ahead of a stopping leader's hand-over.
        final long startsDeadline = clock.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        while (startsQueued.get() > 0)
        {
            try
            {
                if (!starter.awaitTermination(startsDeadline - clock.nanoTime(), TimeUnit.NANOSECONDS))
                {
                    LOG.warn("{}: servers still starting after {} s", config.nodeId(), STOP_WAIT_SECONDS);
                }
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        final List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (final ServerId id : servers.ids())
        {
            stops.add(stopLocalServer(id, false));
        }
        final CompletableFuture<Void> stopped = CompletableFuture.allOf(stops.toArray(new CompletableFuture<?>[0]));
        final long stopsDeadline = clock.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        while (true)
        {
            try
            {
                stopped.get(stopsDeadline - clock.nanoTime(), TimeUnit.NANOSECONDS);
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                LOG.warn("{}: not every server stopped in time", config.nodeId(), ex);
                break;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A member's removal from its cluster committed: stop it and delete its data, wherever it runs (a member that is
     * not running, or whose node cannot be reached, is left as it is). Asked of the member itself, on its own loop
     * even here, since only it can tell whether it is the one removed or was added back since (the request may arrive
     * late).
     *
     * @param member     removed.
     * @param retirement names the committed configuration without it, and its term.
     */
    private void retireRemovedMember(final ServerId member, final ServerRequest.ForceDelete retirement)
    {
        new ClientCall(router, member, retirement, clusters.getChecked(member),
            Durations.nanos(config.defaultTimeout()), null).start();
    }

    /**
     * @return whether the server runs on this node.
     */
    boolean isRunning(final ServerId id)
    {
        final ServerProcess process = servers.get(id);
        return null != process && !process.isStopped();
    }

    /**
     * @return whether a server by that id is registered here (running, or stopping).
     */
    boolean hosts(final ServerId id)
    {
        return servers.contains(id);
    }

    List<ServerId> runningServers()
    {
        return servers.ids();
    }

    /**
     * Start a server on another node, once that node is reachable: the request waits for its reply in the
     * {@link CallsTable}.
     *
     * @param clusterName of its cluster.
     * @param machineName registered name or class name on that node.
     * @param server      to start.
     * @param members     initial members.
     * @param joinedAt    for a server added to a running cluster, where it joins; {@link JoinPoint#NONE} otherwise.
     * @param timeout     of the whole start.
     * @return completes once the remote server runs.
     */
    CompletableFuture<Void> startRemoteServer(final String clusterName, final String machineName,
        final ServerId server, final List<ServerId> members, final JoinPoint joinedAt, final Duration timeout)
    {
        final CallsTable calls = router.calls();
        final long callId = calls.nextCallId();
        final RemoteStart start = new RemoteStart(config.nodeId(), server, timeout,
            calls.clock().nanoTime() + Durations.nanos(timeout));
        final CompletableFuture<Void> result = start.result;
        final CallsTable.AwaitingReply waiter = reply ->
        {
            if (reply.status() == NodeMessage.CallStatus.OK)
            {
                result.complete(null);
            }
            else
            {
                result.completeExceptionally(new RaException(reply.message()));
            }
        };
        calls.await(callId, server.node(), waiter);
        // Not left registered once answered: a node starting thousands of clusters would hold each start's future
        // for the whole timeout.
        result.whenComplete((v, e) ->
        {
            calls.forget(callId, waiter);
            calls.timeouts().unregister(start);
        });
        calls.timeouts().register(start);
        // A node built a moment ago has not connected to its peers yet: wait for the connection within the timeout.
        reachability.await(server.node(), result).whenComplete((v, unreachable) ->
        {
            if (null != unreachable)
            {
                result.completeExceptionally(unreachable);
                return;
            }
            start.sending();
            router.transport().send(server.node(), new NodeMessage.StartServer(callId, clusterName, machineName,
                server, members, joinedAt));
        });
        return result;
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
