package dev.ra.runtime;

import dev.ra.ClusterUnavailableException;
import dev.ra.CommandFailedException;
import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.InvalidCommandException;
import dev.ra.MemberChange;
import dev.ra.MembershipChangeException;
import dev.ra.NotLeaderException;
import dev.ra.RaException;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.ServerOverloadedException;
import dev.ra.ServerStoppedException;
import dev.ra.UnknownServerException;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.PeerFeature;
import dev.ra.stats.CallKind;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A call made by application code on this node, until it completes: it follows redirects to the leader, retries
 * while no leader is known, moves on to other members when the addressed one does not run, and times out.
 *
 * <p>Never retries a command once a leader accepted it: a leader that steps down before committing fails the call
 * with {@link CommandOutcomeUnknownException}. Its answer methods may be called from any thread (event loops,
 * transport threads, the retry scheduler); all mutable routing state is guarded by the object's monitor.
 */
final class ClientCall implements CallOrigin, CallTimeouts.TimedCall, CallsTable.AwaitingReply
{
    private static final long RETRY_BACKOFF_MS = 25;
    private static final int REDIRECTS_BEFORE_BACKOFF = 4;

    /**
     * What a successful answer turns into.
     */
    interface Completion
    {
        void complete(ClientCall call, Object value, ServerId leader);

        /**
         * The node of the member the call was about to ask does not take its request (it runs an older release, see
         * {@link PeerFeature}): nothing was sent, and this decides what becomes of the call. Only a request that
         * needs a feature can come here; by default the call fails.
         *
         * @param call that sent nothing.
         * @param to   the member it was about to ask.
         */
        default void notCarried(final ClientCall call, final ServerId to)
        {
            call.future.completeExceptionally(new RaException("node " + to.node() + " does not take " +
                call.describe()));
        }
    }

    private final MessageRouter router;
    private final CallsTable calls;
    final CompletableFuture<Object> future = new CompletableFuture<>();
    final ServerRequest request;
    final ClusterInfo cluster;
    private final CallKind kind;
    private final long startNanos;
    private final long deadlineNanos;
    private final Completion completion;
    /** What the call found of the members it asked, and which it asks next; guarded by this. */
    private final MembersTried tried;
    private ServerId target;
    /** The thread that started the call waits for it and may receive the first answer itself; guarded by this. */
    private Thread receivingCaller;
    private volatile long remoteCallId;
    private int redirectsInARow;
    /** Members asked in a row that knew no leader; the call backs off once it has asked every member. */
    private int askedWithoutLeader;
    /**
     * Whether the last send is still unanswered, so that it may have reached a leader. A command whose every send was
     * answered "not taken" (a redirect, no such server) was never appended anywhere: its failure is definite.
     */
    private boolean sendUnanswered;
    /**
     * The timeout passed while a send to a server on this node was unanswered: its answer, due in one round of that
     * server, tells whether the command was taken, so the call waits for it (briefly) to fail definitely if not.
     */
    private boolean expired;
    /**
     * What the last member asked answered when it did not take the call (it knew no leader, it does not run, ...),
     * for the error of a call that times out so: no member failed to answer, and the error must not say one did.
     */
    private String lastRefusal;
    /**
     * For a local query, what it waits for now (a leader's read index, its member applying an index), for the error
     * of a query that times out: "timed out" alone does not tell a cluster without a leader from a member behind.
     */
    private volatile Supplier<String> awaited;

    /**
     * @param router       sends it.
     * @param target       the server addressed first.
     * @param request      what is asked (null for a local query, which the runtime hands to the server itself).
     * @param cluster      of the target, or null if unknown here.
     * @param timeoutNanos of the call.
     * @param completion   what a successful answer turns into, or null for the default.
     */
    ClientCall(final MessageRouter router, final ServerId target, final ServerRequest request,
        final ClusterInfo cluster, final long timeoutNanos, final Completion completion)
    {
        this.router = router;
        this.calls = router.calls();
        this.target = target;
        this.request = request;
        this.cluster = cluster;
        this.kind = CallsTable.kindOf(request);
        this.startNanos = calls.clock().nanoTime();
        this.deadlineNanos = startNanos + timeoutNanos;
        this.completion = null == completion ? ClientCall::defaultCompletion : completion;
        this.tried = new MembersTried(cluster, router::isSilent);
    }

    /**
     * @return when the call started, on the clock of its node's calls.
     */
    long startNanos()
    {
        return startNanos;
    }

    /**
     * @return how long the call was given.
     */
    long timeoutNanos()
    {
        return deadlineNanos - startNanos;
    }

    /**
     * Arm the timeout and send the call.
     */
    ClientCall start()
    {
        armTimeout();
        send();
        return this;
    }

    /**
     * Arm the timeout and send the call; the calling thread is about to wait for the answer, so it may receive the
     * answer to the first send itself ({@link dev.ra.spi.Transport#sendAndReceiveOnCaller}).
     */
    ClientCall startReceivingOnCaller()
    {
        synchronized (this)
        {
            receivingCaller = Thread.currentThread();
        }
        return start();
    }

    /**
     * Whether this send may be received on the calling thread: only once (a redirect handled while receiving goes the
     * usual way) and only by the thread that started the call.
     */
    synchronized boolean claimReceiveOnCaller()
    {
        final boolean claimed = receivingCaller == Thread.currentThread();
        receivingCaller = null;
        return claimed;
    }

    /**
     * Arm the timeout only, for calls the runtime hands to a server itself (local queries).
     */
    ClientCall armTimeout()
    {
        calls.timeouts().register(this);
        future.whenComplete((v, e) ->
        {
            calls.timeouts().unregister(this);
            calls.statistics().completed(kind, calls.clock().nanoTime() - startNanos, e);
            final long remote = remoteCallId;
            if (remote != 0)
            {
                calls.forget(remote, this);
            }
        });
        return this;
    }

    @Override
    public long deadlineNanos()
    {
        return deadlineNanos;
    }

    synchronized ServerId target()
    {
        return target;
    }

    /**
     * The router sent the current attempt to another node, where it is known by this id.
     */
    void sentRemotely(final long callId)
    {
        remoteCallId = callId;
    }

    /**
     * The codec of the result when it comes back from another node: a command's reply with its machine's reply codec;
     * without the machine (a command sent to a cluster unknown here) as plain values, so that another node's bytes
     * naming an enum or record class are refused before the class is loaded.
     */
    Codec<Object> valueCodec()
    {
        if (request instanceof ServerRequest.Command && null != cluster)
        {
            return cluster.machine.replyCodec();
        }
        return RemoteOrigin.PLAIN_VALUES;
    }

    private void send()
    {
        if (future.isDone())
        {
            return;
        }
        final ServerId to;
        final boolean carried;
        synchronized (this)
        {
            if (router.isSilent(target.node()) && followsRedirects())
            {
                // Its node is paused or cut off: the call would wait there until the node is heard again or lost, and
                // a command could be appended when it wakes. Nothing was sent in this attempt: ask another member
                // (only a call that any member may take; one meant for this server, such as a stop, goes there).
                // Not one that this call found not running or not reachable: it would send the call straight back
                // here, over and over on this thread, until its stack overflowed. Past such a one to the next that
                // may answer, though: stopping at it held the call here, silent, while the others had a leader.
                final ServerId other = tried.nextAnswering(target);
                if (null != other)
                {
                    target = other;
                }
            }
            to = target;
            carried = carriedTo(to);
            sendUnanswered = carried;
        }
        if (!carried)
        {
            completion.notCarried(this, to);
            return;
        }
        router.dispatch(this, to);
    }

    /**
     * @return whether the request may be sent to the member: on this node always; on another, if the request needs
     *     no feature that node's release may lack, or the transport says the node takes it.
     */
    private boolean carriedTo(final ServerId to)
    {
        return !(request instanceof ServerRequest.ConfirmedNamedQuery) || router.isLocal(to) ||
            router.transport().supports(to.node(), PeerFeature.CONFIRMED_NAMED_QUERY);
    }

    private void retryLater()
    {
        if (future.isDone())
        {
            return;
        }
        if (calls.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MS) - deadlineNanos >= 0)
        {
            return;
        }
        calls.retryAfter(this::send, RETRY_BACKOFF_MS);
    }

    @Override
    public void timeout()
    {
        final ServerId to;
        final boolean mayBeAppended;
        final String refusal;
        synchronized (this)
        {
            to = target;
            mayBeAppended = sendUnanswered;
            refusal = refusal();
            if (mayBeAppended && request instanceof ServerRequest.Command && router.isLocal(to))
            {
                expired = true;
            }
        }
        if (request instanceof ServerRequest.Command && !mayBeAppended)
        {
            failNoLeader(to);
            return;
        }
        if (!mayBeAppended && null != refusal)
        {
            future.completeExceptionally(new RaTimeoutException(describe() + " to " + clusterName() + " was taken " +
                "by no leader in time; the last attempt: " + refusal));
            return;
        }
        if (expired)
        {
            calls.retryAfter(() -> timedOut(to), RETRY_BACKOFF_MS);
            return;
        }
        timedOut(to);
    }

    /**
     * @param what the query waits for now, said when it is asked (it may change meanwhile), for its timeout's error.
     */
    void awaiting(final Supplier<String> what)
    {
        awaited = what;
    }

    private void timedOut(final ServerId to)
    {
        final Supplier<String> what = awaited;
        if (null == request && null != what)
        {
            future.completeExceptionally(new RaTimeoutException("query on " + to + " timed out waiting for " +
                what.get()));
            return;
        }
        future.completeExceptionally(new RaTimeoutException(describe() + " to " + to + " timed out" +
            (request instanceof ServerRequest.Command ? "; the command may still be applied" : "")));
    }

    /**
     * Every member asked answered that it is not the leader (or does not run): the command was appended nowhere.
     */
    private void failNoLeader(final ServerId lastAsked)
    {
        final String refusal;
        synchronized (this)
        {
            refusal = refusal();
        }
        future.completeExceptionally(new ClusterUnavailableException(describe() + " found no leader of " +
            clusterName() + " in time (last asked " + lastAsked + (null == refusal ? "" : ": " + refusal) +
            "); it was not applied"));
    }

    /**
     * @return why the call was not taken, for its error: what the last member asked answered, and that no member
     *     known here was found running, if so (those it was told of may all have been replaced, on nodes that no
     *     longer remember them). Called holding this call's lock.
     */
    private String refusal()
    {
        return !tried.noneRunning() ? lastRefusal : lastRefusal + "; no member of " + clusterName() + " known to " +
            "node " + router.nodeId() + " " + cluster.members + " was found running: they may be restarting, or all " +
            "have been replaced on nodes that no longer remember them (register the cluster with its current members)";
    }

    /**
     * @return whether the call timed out and this "not taken" answer was what it waited for.
     */
    private boolean expiredWithoutLeader()
    {
        synchronized (this)
        {
            if (!expired)
            {
                return false;
            }
        }
        failNoLeader(target());
        return true;
    }

    private String clusterName()
    {
        return null == cluster ? "the cluster" : "cluster '" + cluster.clusterName + "'";
    }

    /**
     * The node's system closed while the call was pending. A command may have reached a leader already, so its
     * outcome is unknown.
     */
    @Override
    public void systemClosed()
    {
        final ServerId to;
        final boolean mayBeAppended;
        synchronized (this)
        {
            to = target;
            mayBeAppended = sendUnanswered;
        }
        future.completeExceptionally(request instanceof ServerRequest.Command && mayBeAppended ?
            new CommandOutcomeUnknownException("RaSystem " + router.nodeId() + " closed while the command to " + to +
                " was in flight; it may or may not be applied", to) :
            new RaException("RaSystem " + router.nodeId() + " closed before " + describe() + " to " + to +
                " completed" + (request instanceof ServerRequest.Command ? "; no leader had taken it: it was not " +
                "applied" : "")));
    }

    @Override
    public void onReply(final NodeMessage.CallReply reply)
    {
        try
        {
            answered(reply);
        }
        catch (final RuntimeException ex)
        {
            // The call is off the table of calls awaiting a reply: unless failed here it would wait out its timeout.
            // The reply's bytes do not decode here (a class this build lacks, a codec that reads other than the
            // leader's writes), or decode to other than the reply's form.
            final String why = "the reply from " + reply.leader() + " cannot be decoded on " + router.nodeId() +
                ": " + (ex instanceof CodecException ? ex.getMessage() : ex.toString());
            future.completeExceptionally(request instanceof ServerRequest.Command ?
                CommandFailures.appliedButReplyLost(target(), why) : new RaException(describe() + " to " + target() +
                " failed: " + why, ex));
        }
    }

    private void answered(final NodeMessage.CallReply reply)
    {
        switch (reply.status())
        {
            case OK:
                ok(valueCodec().fromBytes(reply.value().unsafeArray()), reply.leader());
                break;
            case REDIRECT:
                redirect(reply.leader());
                break;
            case FAILED:
                if (reply.error() == CallError.COMMAND_FAILED)
                {
                    commandFailed(RemoteOrigin.decodeFailure(reply.value()), reply.leader());
                }
                else
                {
                    failed(reply.error(), reply.leader(), reply.message());
                }
                break;
            case NO_SERVER:
                if (CallError.NOT_MEMBER == reply.error())
                {
                    deleted(target(), reply.message(), reply.leader());
                }
                else
                {
                    noServer(target());
                }
                break;
            case STOPPED:
                stopped(target(), new RaException(reply.message()));
                break;
            default:
                throw new IllegalStateException("unhandled status " + reply.status());
        }
    }

    @Override
    public boolean awaitsNode(final String node)
    {
        return target().node().equals(node);
    }

    @Override
    public void nodeLost()
    {
        nodeLost(target());
    }

    @Override
    public void nodeLeft()
    {
        nodeLeft(target());
    }

    /**
     * A call meant for one server (a stop, a forced delete, an election trigger) waits for it; any other gives up on
     * a silent node ({@link #nodeSilent(ServerId)}).
     */
    @Override
    public boolean givesUpOnSilence()
    {
        return followsRedirects();
    }

    @Override
    public void nodeSilent()
    {
        nodeSilent(target());
    }

    /**
     * The node of the target went silent while the call was in flight (a paused process, a silent partition): its
     * answer may come late or never, and its members stop counting on it as their leader. A command may already be
     * appended there and may still commit, so, as when a node is lost, it fails with an unknown outcome at once rather
     * than holding the caller until its timeout (the caller's next command goes to another member); other calls move
     * on to another member.
     */
    void nodeSilent(final ServerId server)
    {
        if (request instanceof ServerRequest.Command)
        {
            future.completeExceptionally(new CommandOutcomeUnknownException("node " + server.node() +
                " went silent while the command was in flight to " + server + "; it may or may not be applied",
                server));
        }
        else
        {
            notReached(server, "node " + server.node() + " of " + server + " went silent");
        }
    }

    /**
     * The node of the target left in order before answering: it stopped its servers first and handled nothing sent
     * after its goodbye, so no server there took the call. Like a server that does not run, the call moves on to the
     * other members, a command too.
     */
    void nodeLeft(final ServerId server)
    {
        notReached(server, "node " + server.node() + " of " + server + " left");
    }

    @Override
    public void ok(final Object value, final ServerId leader)
    {
        if (null != cluster && null != leader)
        {
            cluster.leader = leader;
        }
        if (request instanceof ServerRequest.Members)
        {
            MemberLearning.answered(router, cluster, value);
        }
        else
        {
            MemberLearning.heardOf(router, cluster, leader, this);
        }
        try
        {
            completion.complete(this, value, leader);
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
    }

    @Override
    public void redirect(final ServerId leaderHint)
    {
        calls.statistics().redirected(kind);
        if (!followsRedirects())
        {
            future.completeExceptionally(new NotLeaderException(describe() + " refused by " + target(), leaderHint));
            return;
        }
        if (expiredWithoutLeader())
        {
            return;
        }
        final boolean immediately;
        synchronized (this)
        {
            sendUnanswered = false;
            tried.answeredByRunningMember();
            // A leader whose node went silent (paused, cut off) would hold the call until it times out, and a command
            // sent there may be appended when it wakes: while the others elect, ask them instead. A leader this call
            // found deleted (removed, and the member asked has not noticed yet) takes no call at all: likewise. But
            // one of that id may have been added back since: if the members known here do not name it, ask for them.
            final boolean deletedHint = null != leaderHint && tried.deleted(leaderHint);
            final ServerId hint = null != leaderHint && (router.isSilent(leaderHint.node()) || deletedHint) ?
                null : leaderHint;
            lastRefusal = target + (null != hint ? " named the leader " + hint : null == leaderHint ?
                " knew no leader" : " named the leader " + leaderHint + ", whose node is silent or who was deleted");
            MemberLearning.heardOf(router, cluster, deletedHint ? leaderHint : hint, this);
            if (null == hint)
            {
                // This member knows no leader; another may already follow a new one. Ask each member in turn, and
                // back off once all of them were asked.
                askedWithoutLeader++;
                redirectsInARow = 0;
                final ServerId next = tried.nextMember(target);
                immediately = null != next && askedWithoutLeader % cluster.members.size() != 0;
                if (null != next)
                {
                    target = next;
                }
            }
            else if (!hint.equals(target) && redirectsInARow < REDIRECTS_BEFORE_BACKOFF)
            {
                target = hint;
                redirectsInARow++;
                askedWithoutLeader = 0;
                immediately = true;
            }
            else
            {
                target = hint;
                redirectsInARow = 0;
                askedWithoutLeader = 0;
                immediately = false;
            }
        }
        if (immediately)
        {
            send();
        }
        else
        {
            retryLater();
        }
    }

    @Override
    public void failed(final CallError error, final ServerId leaderHint, final String detail)
    {
        synchronized (this)
        {
            tried.answeredByRunningMember();
            if (error != CallError.LEADERSHIP_LOST)
            {
                sendUnanswered = false;
            }
        }
        switch (error)
        {
            case NOT_LEADER:
                redirect(leaderHint);
                return;
            case CLUSTER_CHANGE_NOT_PERMITTED:
                // Nothing was appended: waiting for the leader's noop or the previous change to commit is safe.
                synchronized (this)
                {
                    lastRefusal = target + " refused it for now: its noop or a previous change was not committed yet";
                }
                retryLater();
                return;
            case LEADERSHIP_LOST:
                if (request instanceof ServerRequest.Command)
                {
                    future.completeExceptionally(new CommandOutcomeUnknownException("the leader " + target() +
                        " lost its leadership before the command committed; it may or may not be applied",
                        target()));
                    return;
                }
                break;
            case INVALID_COMMAND:
                future.completeExceptionally(new InvalidCommandException(null == detail || detail.isEmpty() ?
                    "the command was refused by " + target() + ": its bytes do not decode with the machine's command " +
                    "codec" : detail));
                return;
            case OVERLOADED:
                // Not retried here nor elsewhere: nothing was appended, and the caller is the one to slow down.
                future.completeExceptionally(new ServerOverloadedException(null == detail || detail.isEmpty() ?
                    target() + " is overloaded: it holds the most commands not yet committed it may " +
                    "(RaSystemBuilder.maxUncommittedBytes); retry later" : detail));
                return;
            case REPLY_NOT_ENCODABLE:
                future.completeExceptionally(CommandFailures.appliedButReplyLost(target(), detail));
                return;
            case NOT_PERMITTED:
                if (request instanceof ServerRequest.ConfirmedNamedQuery && !carriedTo(target()))
                {
                    // Not sent after all: the node reconnected with a release that does not take the request since
                    // the check before sending (its transport answered in its place). As if the check had seen it.
                    completion.notCarried(this, target());
                    return;
                }
                break;
            default:
                break;
        }
        if (request instanceof ServerRequest.AddMember || request instanceof ServerRequest.RemoveMember ||
            request instanceof ServerRequest.TransferLeadership)
        {
            future.completeExceptionally(new MembershipChangeException(describe() + " refused by " + target() +
                (null == detail || detail.isEmpty() ? "" : ": " + detail), MembershipRefusals.reason(error)));
        }
        else
        {
            future.completeExceptionally(new RaException(describe() + " refused by " + target() + ": " + error +
                (null == detail || detail.isEmpty() ? "" : ": " + detail)));
        }
    }

    @Override
    public void commandFailed(final MachineFailure failure, final ServerId leader)
    {
        if (null != cluster && null != leader)
        {
            cluster.leader = leader;
        }
        MemberLearning.heardOf(router, cluster, leader, this);
        future.completeExceptionally(new CommandFailedException(failure.exceptionClass(), failure.message(),
            failure.index()));
    }

    @Override
    public void noServer(final ServerId server)
    {
        moveOn(server, server + " does not run");
    }

    /**
     * The call could not reach the server, or gave up on it: its node is not reachable, was lost or went silent, or
     * left. It moves on as from a server that does not run, and a timeout says why it was not taken there.
     *
     * @param why the server did not take it, naming its node.
     */
    void notReached(final ServerId server, final String why)
    {
        moveOn(server, why);
    }

    private void moveOn(final ServerId server, final String refusal)
    {
        if (doneWithoutServer())
        {
            future.complete(null);
            return;
        }
        if (!followsRedirects() || null == cluster)
        {
            future.completeExceptionally(new UnknownServerException(server, "no server " + server +
                " runs on node " + server.node()));
            return;
        }
        if (expiredWithoutLeader())
        {
            return;
        }
        final ServerId next;
        synchronized (this)
        {
            sendUnanswered = false;
            lastRefusal = refusal;
            // Null when every member known is down right now: they may be restarting, so start over after a pause.
            next = tried.notRunning(server);
            if (null != next)
            {
                target = next;
            }
        }
        if (null != next)
        {
            send();
        }
        else
        {
            retryLater();
        }
    }

    /**
     * A deleted server takes no call. A call for the cluster goes on to the member its node named, if any (one of the
     * server's last configuration: it was removed from a cluster that runs on), learning the members from it; else to
     * the other members (only this one may have been deleted) until every member this node knows said it was
     * deleted: the cluster is gone, so the call fails at once and this node forgets the cluster, rather than asking
     * the deleted members again until the call's timeout. Not while a members call made since this one began is under
     * way (one this call caused, most often): its answer may name members that joined since, so the call waits for it
     * and goes on with them.
     */
    @Override
    public void deleted(final ServerId server, final String reason, final ServerId memberAfter)
    {
        if (doneWithoutServer())
        {
            future.complete(null);
            return;
        }
        if (!followsRedirects() || null == cluster)
        {
            future.completeExceptionally(new UnknownServerException(server, reason));
            return;
        }
        final boolean everyMember;
        final Set<ServerId> gone;
        final ServerId instead;
        synchronized (this)
        {
            tried.foundDeleted(server);
            // Not one this call found deleted already: two removed servers naming each other would bounce it. Nor
            // one found not running, or whose node is silent: the call turned from it to the next member, this
            // deleted one perhaps, which named it again, on one thread until its stack overflowed.
            instead = null != memberAfter && !tried.deleted(memberAfter) && !tried.foundNotRunning(memberAfter) &&
                !router.isSilent(memberAfter.node()) ? memberAfter : null;
            everyMember = tried.everyMemberDeleted();
            gone = tried.deleted();
        }
        if (null != instead)
        {
            MemberLearning.memberGone(router, cluster, gone, instead, this);
            movedTo(instead, server + " was deleted, and named " + instead + " to ask instead");
            return;
        }
        if (!everyMember)
        {
            // Removed from a cluster that runs on, most often: others may have joined since.
            MemberLearning.memberGone(router, cluster, gone, null, this);
            noServer(server);
            return;
        }
        if (MemberLearning.learningFor(router, cluster, this))
        {
            // What this node knows of the members is about to change: ask again once the members call answered.
            noServer(server);
            return;
        }
        final String why = "every member of cluster " + cluster.clusterName + " known to node " + router.nodeId() +
            " was deleted (the last asked: " + reason + ")";
        router.clusters().everyMemberDeleted(cluster, why);
        future.completeExceptionally(new UnknownServerException(server, "server " + server + " was deleted: " + why));
    }

    /**
     * The member asked did not take the call (nothing was appended there), and named another to ask instead.
     */
    private void movedTo(final ServerId member, final String refusal)
    {
        if (expiredWithoutLeader())
        {
            return;
        }
        synchronized (this)
        {
            sendUnanswered = false;
            lastRefusal = refusal;
            target = member;
        }
        send();
    }

    /**
     * The node of the target became unreachable while the call was in flight. A command may already have been
     * appended there and may still commit, so it must NOT be sent anywhere else (that could apply it twice): its
     * outcome is unknown. Other calls have no effect and move on to another member.
     */
    void nodeLost(final ServerId server)
    {
        if (request instanceof ServerRequest.Command)
        {
            future.completeExceptionally(new CommandOutcomeUnknownException("node " + server.node() +
                " became unreachable while the command was in flight to " + server + "; it may or may not be applied",
                server));
        }
        else
        {
            notReached(server, "node " + server.node() + " of " + server + " became unreachable");
        }
    }

    @Override
    public void stopped(final ServerId server, final Throwable cause)
    {
        if (request instanceof ServerRequest.Command)
        {
            future.completeExceptionally(new ServerStoppedException("server " + server +
                " stopped before the command completed; it may or may not be applied", cause));
        }
        else
        {
            noServer(server);
        }
    }

    private boolean followsRedirects()
    {
        return !(request instanceof ServerRequest.TriggerElection || doneWithoutServer());
    }

    /**
     * @return whether the call (a stop, a forced delete) has nothing left to do when its server does not run.
     */
    private boolean doneWithoutServer()
    {
        return request instanceof ServerRequest.Stop || request instanceof ServerRequest.ForceDelete;
    }

    private String describe()
    {
        return null == request ? "query" : request.getClass().getSimpleName();
    }

    @SuppressWarnings("unchecked")
    private static void defaultCompletion(final ClientCall call, final Object value, final ServerId leader)
    {
        final ServerRequest request = call.request;
        if (request instanceof ServerRequest.Command)
        {
            call.future.complete(new CommandResult<>(value, leader));
        }
        else if (request instanceof ServerRequest.AddMember || request instanceof ServerRequest.RemoveMember)
        {
            final List<Long> indexTerm = (List<Long>)value;
            call.future.complete(new MemberChange(indexTerm.get(0), indexTerm.get(1), leader));
        }
        else if (request instanceof ServerRequest.Members)
        {
            call.future.complete(value);
        }
        else
        {
            call.future.complete(null);
        }
    }
}
