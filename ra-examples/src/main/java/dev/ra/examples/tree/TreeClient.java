package dev.ra.examples.tree;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.InvalidCommandException;
import dev.ra.RaException;
import dev.ra.RaTimeoutException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.lease.Lease;
import dev.ra.examples.lease.Revocation;
import dev.ra.examples.lease.SessionCommand;
import dev.ra.examples.lease.SessionReply;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.NumberedCalls;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed client of a {@link TreeMachine} cluster, from any node (one hosting a member or not). Plain reads are the
 * machine's named queries, answered by the leader (linearizable); reads that set a watch are logged commands. Watch
 * events run the callbacks on this client's watch thread, one at a time. Thread-safe; blocking calls.
 *
 * <pre>{@code
 * TreeClient tree = new TreeClient(system, members);
 * try (Lease session = tree.openSession(Duration.ofSeconds(5), () -> log.warn("session lost"))) {
 *     tree.ensurePath("/services/api");
 *     tree.create("/services/api/" + me, address, CreateMode.EPHEMERAL, session.id());
 *     tree.getChildren("/services/api", event -> refresh());          // one-shot watch
 * }
 * }</pre>
 *
 * <p>Retries follow {@link ClusterClient}. Creates (those of {@link #ensurePath} too), setData and multis are numbered
 * ({@link NumberedWrite}, machine version 4 of {@link TreeMachine}; one numbering per JVM,
 * {@link CommandNumbering#shared()}, and the calls of one client compared with each other) and retried when their
 * outcome is unknown: a retry whose first attempt was applied
 * gets that attempt's reply (the sequential node it made, not a second one; {@code Created}, not {@code NodeExists};
 * {@code DataSet}, not {@code BadVersion}), and a first attempt that lands after this client's later writes is
 * refused and changes nothing. A cluster at an older version refuses the numbered write before the log and is sent
 * the plain one, not retried when its outcome is unknown (the caller looks, as Curator's protected mode does). Reads
 * and watch registrations are retried. A delete first looks up the node it is to delete, and after an unknown
 * outcome looks again before it sends anything more: it never sends again for a node created anew meanwhile (see
 * {@link #delete}).
 */
public final class TreeClient implements AutoCloseable
{
    private static final long GUARANTEED_DELETE_MAX_BACKOFF_MS = 2_000;
    private static final long GUARANTEED_DELETE_FIRST_BACKOFF_MS = 50;
    /** Looks at a node whose delete's outcome is unknown, each followed by one more attempt if it is still there. */
    private static final int DELETE_LOOKS = 5;
    /** Calls of one create of ensurePath, each sent again after the last one's outcome was unknown. */
    private static final int ENSURE_NODE_CALLS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(TreeClient.class);

    private final ClusterClient cluster;
    private final ClientWatches watches;
    private final NumberedCalls calls;
    // Guarded by this; made on the first delete left to the background.
    private ScheduledThreadPoolExecutor deleteRetries;
    private boolean closed;
    /** The prefixes of the given-up creates still looked for, by parent and session (see deleteWhenCreated). */
    private final Map<GivenUp, Set<String>> givenUp = new HashMap<>();

    /**
     * @param system  to send calls through; if it does not know the cluster yet, the client registers it there.
     * @param members of the cluster.
     */
    public TreeClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
        system.cluster(members.get(0).name(), new TreeMachine(), Object.class, members);
    }

    /**
     * @param cluster client with its own timeouts.
     */
    public TreeClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.calls = new NumberedCalls(cluster);
        this.watches = new ClientWatches(cluster);
    }

    /**
     * @return the cluster client underneath.
     */
    public ClusterClient cluster()
    {
        return cluster;
    }

    /**
     * Open a session and keep it alive from this node until the lease is closed (ZooKeeper's session).
     *
     * @param ttl    of the session: it ends this long after the last keep-alive reached the leader.
     * @param onLost run once if the session is found ended while kept alive, or a TTL passes without an
     *               acknowledged keep-alive (the client was cut off: see {@link Lease}).
     * @return the lease; its id is the session id ephemeral nodes are bound to.
     */
    public Lease openSession(final Duration ttl, final Runnable onLost)
    {
        final SessionReply.Granted granted = cluster.command(new SessionCommand.Grant(ttl.toMillis(), null), false);
        return new Lease(cluster, granted.sessionId(), granted.ttlMs(), onLost);
    }

    /**
     * End a session now: its ephemeral nodes are deleted.
     *
     * @param sessionId to end.
     * @return what ended.
     * @throws dev.ra.CommandOutcomeUnknownException if the session is ended but whether this call ended it is not
     *                                               known (see {@link Revocation#revoke}).
     */
    public SessionReply.Ended closeSession(final long sessionId)
    {
        return Revocation.revoke(cluster, sessionId);
    }

    /**
     * @param path      of the node (the prefix of its path if sequential, which may end with '/').
     * @param data      of the node.
     * @param mode      of the node.
     * @param sessionId for an ephemeral node; 0 otherwise.
     * @return {@link TreeReply.Created} with the actual path, or a {@link TreeReply.Failure}.
     */
    public TreeReply create(final String path, final String data, final CreateMode mode, final long sessionId)
    {
        return numbered(new TreeOp.Create(path, data, mode, sessionId));
    }

    /**
     * Create a node within a deadline the caller already holds, so that a call made of several creates and reads (a
     * recipe's) takes no longer in all than this client's one timeout; as {@link #create(String, String, CreateMode,
     * long)} otherwise.
     *
     * @param path      of the node (the prefix of its path if sequential, which may end with '/').
     * @param data      of the node.
     * @param mode      of the node.
     * @param sessionId for an ephemeral node; 0 otherwise.
     * @param deadline  in {@link System#nanoTime()} terms, as {@link ClusterClient#deadline()} gives.
     * @return {@link TreeReply.Created} with the actual path, or a {@link TreeReply.Failure}.
     */
    public TreeReply create(final String path, final String data, final CreateMode mode, final long sessionId,
        final long deadline)
    {
        final TreeOp.Create create = new TreeOp.Create(path, data, mode, sessionId);
        return calls.send("tree write", number -> new NumberedWrite(create, watches.ref(), number),
            () -> cluster.command(create, false, deadline), deadline);
    }

    /**
     * Send a write numbered, retried when its outcome is unknown; to a cluster at machine version 3 or older, which
     * refuses it before the log, the plain write, not retried.
     *
     * @param write a {@link TreeOp} or a {@link TreeCommand.Multi}.
     * @param <R>   the reply type.
     * @return the reply.
     * @throws dev.ra.CommandOutcomeUnknownException if the cluster no longer knew the call when an attempt of it
     *                                               came (see {@link dev.ra.examples.support.ClientSequences}).
     */
    private <R> R numbered(final TreeCommand write)
    {
        return calls.send("tree write", number -> new NumberedWrite(write, watches.ref(), number),
            () -> cluster.command(write, false));
    }

    /**
     * Create a persistent node and every missing ancestor (Curator's creatingParentsIfNeeded); existing ones are
     * left as they are. Each create is numbered, as {@link #create} is: an attempt of it that lands late, after its
     * retry made the node and the node was deleted, makes nothing (on a cluster at machine version 4 or later).
     *
     * @param path of the node.
     * @throws IllegalArgumentException if a node on the way cannot be created (bad path, ephemeral parent).
     * @throws RaTimeoutException                    if the call's time ran out before a create on the way answered
     *                                               (one timeout for the look and every create): it names that node.
     * @throws dev.ra.CommandOutcomeUnknownException if a create on the way still had an unknown outcome at the
     *                                               deadline: the cluster no longer knew it when an attempt of it came
     *                                               (see {@link dev.ra.examples.support.ClientSequences}), or refused
     *                                               it after an attempt whose outcome is unknown
     *                                               ({@link ClusterClient#newerCommand}), each time it was sent.
     */
    public void ensurePath(final String path)
    {
        final String problem = TreePaths.problem(path);
        if (null != problem)
        {
            throw new IllegalArgumentException(problem);
        }
        // One deadline for the look and every create on the way.
        final long deadline = cluster.deadline();
        if (null != cluster.namedQuery(TreeMachine.EXISTS, path, true, deadline))
        {
            return;
        }
        int next = path.indexOf('/', 1);
        while (true)
        {
            final String prefix = next < 0 ? path : path.substring(0, next);
            final TreeReply reply;
            try
            {
                reply = ensureNode(prefix, deadline);
            }
            catch (final RaTimeoutException timedOut)
            {
                // The look and the creates before this one share the call's time, and may have used most of it: say
                // which create ran out, on the way to which path, not only that some command timed out.
                final RaTimeoutException named = new RaTimeoutException("ensurePath('" + path + "') ran out of " +
                    "time at the create of '" + prefix + "' (the look and every create on the way share the client's " +
                    "one timeout; the nodes above it stand): " + timedOut.getMessage());
                named.initCause(timedOut);
                throw named;
            }
            if (!reply.ok() && !(reply instanceof TreeReply.NodeExists))
            {
                throw new IllegalArgumentException("cannot create '" + prefix + "' on the way to '" + path + "': " +
                    reply);
            }
            if (next < 0)
            {
                return;
            }
            next = path.indexOf('/', next + 1);
        }
    }

    /**
     * One create of {@link #ensurePath}, numbered, so that an attempt held up on its way does not make the node again
     * once it was deleted after the call. A cluster at machine version 3 or older is sent the plain create, retried
     * freely: a second create of the same persistent node answers {@code NodeExists}, which is success here. For the
     * same reason a numbered create whose outcome is unknown (refused after an attempt of unknown outcome, or
     * forgotten by the tree while it was retried) is sent again as a new call, as long as the deadline lasts: its reply
     * says whether the node stands, whoever made it.
     *
     * @param path     of the persistent node.
     * @param deadline of the whole {@link #ensurePath} call.
     * @return the reply of the create that answered.
     * @throws dev.ra.CommandOutcomeUnknownException if the outcome of the last create was still unknown at the
     *                                               deadline.
     */
    private TreeReply ensureNode(final String path, final long deadline)
    {
        final TreeOp.Create create = new TreeOp.Create(path, "", CreateMode.PERSISTENT, 0);
        for (int call = 1; ; call++)
        {
            try
            {
                return calls.send("tree write", number -> new NumberedWrite(create, watches.ref(), number),
                    () -> cluster.command(create, true, deadline), deadline);
            }
            catch (final CommandOutcomeUnknownException unknown)
            {
                if (call >= ENSURE_NODE_CALLS || System.nanoTime() - deadline >= 0)
                {
                    throw unknown;
                }
            }
        }
    }

    /**
     * Delete a node. The node is looked up first (a linearizable read): absent, the answer is
     * {@link TreeReply.NoNode} and nothing is sent. Every attempt is a {@link TreeOp.DeleteCreated} naming the
     * {@code czxid} read, which deletes that node only: an attempt that lands late (after the call ended and a node
     * was created at the path again, by this client's next call, say) deletes nothing; a node deleted and created
     * again between the look and the first attempt is left alone too, and the answer is {@link TreeReply.NoNode} (the
     * path was empty in between). A cluster still at machine version 0 refuses it before the log, and is sent the
     * plain delete. When the outcome of the delete is unknown (a timeout, a leader lost), the client looks at the
     * node again instead of sending the same delete blindly, which could answer {@link TreeReply.NoNode} for this
     * call's own success:
     * <ul>
     *   <li>the node it was sent for is gone (or a node created since stands at the path): the answer is
     *       {@link TreeReply.Deleted}, as ZooKeeper's and Curator's idempotent deletes answer (another client's delete
     *       of the same node at the same moment cannot be told from this one's);</li>
     *   <li>it is still there: no attempt took effect yet, and the delete is sent again for that node only, which
     *       leaves a node created since alone even if an earlier attempt still in flight deletes this one first (a
     *       cluster that refused the first attempt, at machine version 0, is sent the plain delete with the version
     *       just read when {@code version} is {@link TreeOp#ANY_VERSION}). A guarded delete refused after an attempt
     *       of it whose outcome is unknown is no proof of version 0 (a leader elected since may not have applied the
     *       switch to version 1 yet) and no plain delete follows it: it is sent again after the next look, and if it
     *       is still refused the call ends with {@link CommandOutcomeUnknownException}.</li>
     * </ul>
     * The look, the delete and every later look and attempt share the one timeout of this client's calls.
     *
     * @param path    of the node.
     * @param version expected, or {@link TreeOp#ANY_VERSION}.
     * @return {@link TreeReply.Deleted}, or a {@link TreeReply.Failure}.
     */
    public TreeReply delete(final String path, final int version)
    {
        // One deadline for the look, the delete and every look and attempt after an unknown outcome.
        final long deadline = cluster.deadline();
        if (null != TreePaths.problem(path))
        {
            // Refused by the machine as BadArguments, which changes nothing: safe to send again.
            return cluster.command(new TreeOp.Delete(path, version), true, deadline);
        }
        final Function<String, Optional<Stat>> read =
            p -> Optional.ofNullable(cluster.namedQuery(TreeMachine.EXISTS, p, true, deadline));
        final Optional<Stat> target = read.apply(path);
        if (target.isEmpty())
        {
            return new TreeReply.NoNode(path);
        }
        return deleteNode(path, version, target.get().czxid(), deadline, op -> cluster.command(op, false, deadline),
            read);
    }

    /**
     * Delete the node created at {@code czxid}, and only that one, whatever becomes of the first attempt.
     *
     * @param path     of the node.
     * @param version  expected, or {@link TreeOp#ANY_VERSION}.
     * @param czxid    of the node to delete, as read before.
     * @param deadline of the whole call, in {@link System#nanoTime()} terms: no look or attempt starts after it.
     * @param send     one attempt of a delete, not retried when its outcome is unknown.
     * @param read     a linearizable read of a node's stat.
     * @return the reply, as {@link #delete} describes.
     */
    static TreeReply deleteNode(final String path, final int version, final long czxid, final long deadline,
        final Function<TreeOp, TreeReply> send, final Function<String, Optional<Stat>> read)
    {
        RuntimeException unknown;
        // Until the cluster is known not to take the guarded delete (machine version 0): an attempt of it that lands
        // late, after the call's retry deleted the node and a node was created at the path again (by this client's
        // next call, say), finds another creation zxid and deletes nothing. A plain delete would delete the new node.
        boolean guarded = true;
        try
        {
            try
            {
                return send.apply(new TreeOp.DeleteCreated(path, version, czxid));
            }
            catch (final InvalidCommandException olderMachineVersion)
            {
                // Refused before the log: nothing was applied, and the plain delete is this call's first attempt.
                guarded = false;
                return send.apply(new TreeOp.Delete(path, version));
            }
        }
        catch (final RuntimeException ex)
        {
            if (!ClusterClient.outcomeUnknown(ex))
            {
                throw ex;
            }
            unknown = ex;
        }
        for (int look = 0; look < DELETE_LOOKS && System.nanoTime() - deadline < 0; look++)
        {
            final Optional<Stat> now = read.apply(path);
            if (now.isEmpty() || now.get().czxid() != czxid)
            {
                return new TreeReply.Deleted(path);
            }
            // The node is still the one this delete was for: no attempt took effect yet. Send again for it only.
            final int expected = version == TreeOp.ANY_VERSION ? now.get().version() : version;
            try
            {
                final TreeReply reply = send.apply(guarded ? new TreeOp.DeleteCreated(path, version, czxid) :
                    new TreeOp.Delete(path, expected));
                final boolean changedSinceRead = reply instanceof TreeReply.NoNode ||
                    (!guarded && version == TreeOp.ANY_VERSION && reply instanceof TreeReply.BadVersion);
                if (!changedSinceRead)
                {
                    return reply;
                }
                // Gone or changed between the read and this attempt (maybe by an earlier attempt): look again.
            }
            catch (final InvalidCommandException refused)
            {
                if (!guarded)
                {
                    throw refused;
                }
                // Refused after an attempt whose outcome is unknown, which a leader may have taken: no proof of a
                // cluster at version 0 (a leader elected since may hold the switch to version 1 in its log without
                // having applied it, and check commands with version 0's codec). A plain delete sent now could land
                // after that attempt and another client's create, and delete the new node (the version read guards
                // nothing there: a new node is at version 0 again). The guarded delete is sent again after the next
                // look, and the call ends as an unknown outcome if it is still refused (as ClusterClient.newerCommand
                // ends its calls).
                unknown = new CommandOutcomeUnknownException("a guarded delete of '" + path + "' was refused (" +
                    refused.getMessage() + ") after an earlier attempt of it may have been applied: a leader elected " +
                    "since may not have applied the switch to machine version 1 yet, so whether the node was deleted " +
                    "is unknown", null);
            }
            catch (final RuntimeException ex)
            {
                if (!ClusterClient.outcomeUnknown(ex))
                {
                    throw ex;
                }
                unknown = ex;
            }
        }
        throw unknown;
    }

    /**
     * Delete a node, and if the cluster cannot be reached keep trying in the background, with pauses growing from
     * 50 ms to 2 s, until the cluster answers (the node deleted, or already gone: an ephemeral node goes with its
     * ended session) or this client is closed: Curator's guaranteed delete. Meant for a node whose path no one
     * creates again (a sequential or uniquely named one), such as a lock or latch contender's, which a failed delete
     * would otherwise leave for as long as its session lives.
     *
     * @param path    of the node.
     * @param version expected, or {@link TreeOp#ANY_VERSION}.
     * @return {@link TreeReply.Deleted}, or a {@link TreeReply.Failure}.
     * @throws RaException if the cluster could not be reached; the delete is then being retried in the background.
     */
    public TreeReply deleteGuaranteed(final String path, final int version)
    {
        try
        {
            return delete(path, version);
        }
        catch (final RaException ex)
        {
            retryDelete(path, version, GUARANTEED_DELETE_FIRST_BACKOFF_MS);
            throw ex;
        }
    }

    /**
     * @param path    of the node.
     * @param data    new data.
     * @param version expected, or {@link TreeOp#ANY_VERSION}.
     * @return {@link TreeReply.DataSet}, or a {@link TreeReply.Failure}.
     */
    public TreeReply setData(final String path, final String data, final int version)
    {
        return numbered(new TreeOp.SetData(path, data, version));
    }

    /**
     * All of the ops or none. Retried when its outcome is unknown (machine version 4): a retry answers what the call's
     * first applied attempt did, a failure too. A multi whose first attempt failed (a {@code BadVersion}, say) is
     * answered that failure again by its retry, even if the ops would succeed by then: the call took effect, as a
     * failure, where its first attempt was applied, and is not applied a second time. This is unlike Curator, whose
     * retry after a lost connection sends the ops again and may succeed where the first attempt failed (or fail where
     * it succeeded); here, read again and make a new call. The same holds for {@link #create} and {@link #setData}.
     *
     * @param ops in order.
     * @return the per-op results.
     */
    public TreeReply.MultiResult multi(final List<TreeOp> ops)
    {
        return numbered(new TreeCommand.Multi(ops));
    }

    /**
     * Linearizable read.
     *
     * @param path of the node.
     * @return the node, or empty if absent.
     */
    public Optional<ZNode> getData(final String path)
    {
        return Optional.ofNullable(cluster.namedQuery(TreeMachine.GET_DATA, path, true));
    }

    /**
     * Linearizable read.
     *
     * @param path of the node.
     * @return its stat, or empty if absent.
     */
    public Optional<Stat> exists(final String path)
    {
        return Optional.ofNullable(cluster.namedQuery(TreeMachine.EXISTS, path, true));
    }

    /**
     * Linearizable read.
     *
     * @param path of the node.
     * @return the names of its children, sorted, or empty if the node is absent.
     */
    public Optional<List<String>> getChildren(final String path)
    {
        return Optional.ofNullable(cluster.namedQuery(TreeMachine.GET_CHILDREN, path, true));
    }

    /**
     * Read a node and set a one-shot data watch.
     *
     * @param path    of the node.
     * @param watcher run once, on the watch thread, when the data changes or the node goes.
     * @return {@link TreeReply.NodeData}, or {@link TreeReply.NoNode} (no watch set).
     */
    public TreeReply getData(final String path, final Consumer<TreeWatchMessage.Event> watcher)
    {
        final TreeReply reply = cluster.command(new TreeCommand.GetData(path, watches.ref()), true);
        if (reply instanceof TreeReply.NodeData data)
        {
            watches.hold(path, WatchMode.DATA, data.zxid(), watcher);
        }
        return reply;
    }

    /**
     * Whether a node exists, setting a one-shot watch: on its creation if it is absent, on its change or deletion if
     * present.
     *
     * @param path    of the node.
     * @param watcher run once, on the watch thread.
     * @return {@link TreeReply.Existence}, or {@link TreeReply.BadArguments}.
     */
    public TreeReply exists(final String path, final Consumer<TreeWatchMessage.Event> watcher)
    {
        final TreeReply reply = cluster.command(new TreeCommand.Exists(path, watches.ref()), true);
        if (reply instanceof TreeReply.Existence existence)
        {
            watches.hold(path, null == existence.stat() ? WatchMode.EXIST : WatchMode.DATA, existence.zxid(),
                watcher);
        }
        return reply;
    }

    /**
     * List a node's children and set a one-shot child watch.
     *
     * @param path    of the node.
     * @param watcher run once, on the watch thread, when a child is created or deleted, or the node goes.
     * @return {@link TreeReply.Children}, or {@link TreeReply.NoNode} (no watch set).
     */
    public TreeReply getChildren(final String path, final Consumer<TreeWatchMessage.Event> watcher)
    {
        final TreeReply reply = cluster.command(new TreeCommand.GetChildren(path, watches.ref()), true);
        if (reply instanceof TreeReply.Children children)
        {
            watches.hold(path, WatchMode.CHILD, children.zxid(), watcher);
        }
        return reply;
    }

    /**
     * Set a persistent watch (ZooKeeper 3.6 addWatch): the watcher is given every matching event after the zxid the
     * watch was set at, in order, each once. Events of a failover are not replayed to persistent watches (see the
     * class documentation of {@link TreeMachine}); re-read after a gap.
     *
     * @param path      watched; need not exist.
     * @param recursive whether the whole subtree is watched.
     * @param watcher   run on the watch thread for every event after the watch was set.
     * @return {@link TreeReply.WatchSet}, or {@link TreeReply.BadArguments}.
     */
    public TreeReply addWatch(final String path, final boolean recursive,
        final Consumer<TreeWatchMessage.Event> watcher)
    {
        final TreeReply reply = cluster.command(new TreeCommand.AddWatch(path, watches.ref(), recursive), true);
        if (reply instanceof TreeReply.WatchSet set)
        {
            watches.hold(path, recursive ? WatchMode.PERSISTENT_RECURSIVE : WatchMode.PERSISTENT, set.zxid(), watcher);
        }
        return reply;
    }

    /**
     * Remove every watch this client holds on a path. Numbered (machine version 5; the plain removal on an older
     * cluster), so that a copy of it landing late does not remove a watch set on the path after it.
     *
     * @param path watched.
     * @return {@link TreeReply.WatchesRemoved}, or {@link TreeReply.BadArguments}.
     */
    public TreeReply removeWatches(final String path)
    {
        watches.forget(path);
        final TreeCommand.RemoveWatches remove = new TreeCommand.RemoveWatches(path, watches.ref(), null);
        // Numbered (machine version 5), so that a copy held up on its way does not remove a watch this client sets
        // on the path after this call; the plain removal to an older cluster.
        return calls.send("tree watch removal", number -> new NumberedWrite(remove, watches.ref(), number),
            () -> cluster.command(remove, true));
    }

    /**
     * @return the tree's zxid (linearizable).
     */
    public long zxid()
    {
        return cluster.<Long>namedQuery(TreeMachine.ZXID, null, true);
    }

    /**
     * @return the watch callbacks this client holds (each read that set a watch that has not fired counts one).
     */
    int heldWatchCallbacks()
    {
        return watches.callbacks();
    }

    /**
     * @return the background work of this client waiting for its turn (guaranteed deletes and searches for the nodes
     *     of given-up creates), for tests.
     */
    int pendingBackgroundWork()
    {
        final ScheduledThreadPoolExecutor retries;
        synchronized (this)
        {
            retries = deleteRetries;
        }
        return null == retries ? 0 : retries.getQueue().size();
    }

    /**
     * Stop receiving watch events, and stop the guaranteed deletes still being retried; the machine drops this
     * client's watches when it learns the process ended. Idempotent; may be called from a watch callback.
     */
    @Override
    public void close()
    {
        final ScheduledExecutorService retries;
        synchronized (this)
        {
            closed = true;
            retries = deleteRetries;
        }
        if (null != retries)
        {
            retries.shutdownNow();
        }
        watches.close();
    }

    /**
     * Delete, whenever it shows up, the ephemeral node a create whose outcome is unknown may still make under
     * {@code parent}: the caller gave the create up (and may have made another with another name), but the create may
     * be applied later, and would leave a node nobody deletes for as long as the session lives. The children of
     * {@code parent} are looked at in the background, with pauses growing from 50 ms to 2 s, until a node whose name
     * starts with {@code namePrefix} is found and deleted, the session is found ended (a create bound to it can no
     * longer be applied), or this client is closed. The given-up creates of one parent and session are looked for by
     * one search, however many there are.
     *
     * @param parent     path the node would be created under.
     * @param namePrefix its name's prefix, unique to the create (Curator's protected-mode prefix).
     * @param sessionId  the node would be bound to.
     */
    public void deleteWhenCreated(final String parent, final String namePrefix, final long sessionId)
    {
        final GivenUp key = new GivenUp(parent, sessionId);
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            final Set<String> prefixes = givenUp.get(key);
            if (null != prefixes)
            {
                // Its search is under way, and takes this one along from its next look.
                prefixes.add(namePrefix);
                return;
            }
            givenUp.put(key, new LinkedHashSet<>(List.of(namePrefix)));
        }
        searchAndDelete(key, GUARANTEED_DELETE_FIRST_BACKOFF_MS);
    }

    private void searchAndDelete(final GivenUp key, final long backoffMs)
    {
        schedule(() ->
        {
            final List<String> wanted;
            synchronized (this)
            {
                wanted = List.copyOf(givenUp.getOrDefault(key, Set.of()));
            }
            final Set<String> done = new HashSet<>();
            boolean searching = true;
            try
            {
                for (final String name : getChildren(key.parent()).orElse(List.of()))
                {
                    for (final String prefix : wanted)
                    {
                        if (name.startsWith(prefix))
                        {
                            final String path = TreePaths.child(key.parent(), name);
                            LOG.debug("removing {}, made by a create given up: {}", path, delete(path,
                                TreeOp.ANY_VERSION));
                            done.add(prefix);
                        }
                    }
                }
                if (done.size() < wanted.size() && null == cluster.namedQuery(TreeMachine.SESSION, key.sessionId(),
                    true))
                {
                    searching = false;
                }
            }
            catch (final RaException ex)
            {
                LOG.debug("looking for nodes {}* under {} failed; trying again", wanted, key.parent(), ex);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("looking for nodes {}* under {} failed; given up", wanted, key.parent(), ex);
                searching = false;
            }
            synchronized (this)
            {
                final Set<String> prefixes = givenUp.get(key);
                prefixes.removeAll(done);
                if (!searching || prefixes.isEmpty())
                {
                    // A prefix given up from now on starts a search of its own again.
                    givenUp.remove(key);
                    return;
                }
            }
            searchAndDelete(key, Math.min(2 * backoffMs, GUARANTEED_DELETE_MAX_BACKOFF_MS));
        }, backoffMs);
    }

    private void retryDelete(final String path, final int version, final long backoffMs)
    {
        schedule(() ->
        {
            try
            {
                final TreeReply reply = delete(path, version);
                LOG.debug("guaranteed delete of {}: {}", path, reply);
            }
            catch (final RaException ex)
            {
                LOG.debug("guaranteed delete of {} failed; trying again", path, ex);
                retryDelete(path, version, Math.min(2 * backoffMs, GUARANTEED_DELETE_MAX_BACKOFF_MS));
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("guaranteed delete of {} failed; given up", path, ex);
            }
        }, backoffMs);
    }

    /**
     * Run background work of this client after a pause, unless it is closed.
     */
    private void schedule(final Runnable work, final long delayMs)
    {
        final ScheduledExecutorService retries;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            if (null == deleteRetries)
            {
                deleteRetries = new ScheduledThreadPoolExecutor(1, r ->
                {
                    final Thread thread = new Thread(r, "tree-deletes-" + cluster.system().nodeId());
                    thread.setDaemon(true);
                    return thread;
                });
            }
            retries = deleteRetries;
        }
        try
        {
            retries.schedule(work, delayMs, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException closedMeanwhile)
        {
            // The client was closed: its deletes stop with it.
        }
    }

    /**
     * The parent and session of given-up creates, which one background search looks for together.
     *
     * @param parent    path the nodes would be created under.
     * @param sessionId they would be bound to.
     */
    private record GivenUp(String parent, long sessionId)
    {
    }
}
