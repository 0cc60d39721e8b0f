package dev.ra.runtime;

import dev.ra.QueryResult;
import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.protocol.ServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The queries an application makes through its node (docs/RUNTIME.md, "Queries"): a query function runs on a member
 * hosted by this node, at once or once it has applied the leader's read index; a named query goes to any member, on
 * any node, as a name and an encoded argument. Thread-safe.
 */
final class ClientQueries
{
    /**
     * Makes a client call that follows redirects.
     */
    interface Caller
    {
        CompletableFuture<Object> call(ServerId server, ServerRequest request, Duration timeout,
            ClientCall.Completion completion);
    }

    private final MessageRouter router;
    private final ClusterDirectory clusters;
    private final ServerRegistry registry;
    private final Caller caller;
    private final SharedReadIndex readIndexes;
    private static final Runnable NO_CHECK = () ->
    {
    };

    /** How long a query waits for a leader's read index on its member before asking whether it is still one. */
    private final long membershipCheckDelayMs;

    ClientQueries(final MessageRouter router, final ClusterDirectory clusters, final ServerRegistry registry,
        final Caller caller, final Duration membershipCheckDelay)
    {
        this.router = router;
        this.membershipCheckDelayMs = membershipCheckDelay.toMillis();
        this.clusters = clusters;
        this.registry = registry;
        this.caller = caller;
        this.readIndexes = new SharedReadIndex((server, consistent, timeout, answered) ->
            caller.call(server, new ServerRequest.ReadIndex(consistent), timeout, (call, value, leader) ->
            {
                answered.accept((Long)value, leader);
                call.future.complete(value);
            }));
    }

    /**
     * Run a query on a server of this node, once it has applied an index.
     */
    CompletableFuture<Object> localQuery(final ServerId server, final Function<Object, Object> query,
        final long minIndex, final long minTerm, final Duration timeout)
    {
        final ServerProcess process = requireLocalRunning(server);
        final ClientCall call = new ClientCall(router, server, null, process.cluster, Durations.nanos(timeout), null)
            .armTimeout();
        call.awaiting(() -> minIndex > 0 ? server + " to apply index " + minIndex : server + " to run it");
        // Asked through the member itself: it redirects to the leader it knows, or on to the others.
        process.enqueue(new QueryTask(query, minIndex, minTerm, call, () -> checkMembershipLater(server, server,
            call)));
        return call.future;
    }

    /**
     * Read the leader's applied index (after confirming leadership with a quorum when {@code consistent}), then run
     * the query on the addressed server of this node once it has applied that index. The read-index call is shared
     * with the other queries that ask the same member at the same time ({@link SharedReadIndex}); the query keeps
     * its own timeout.
     */
    CompletableFuture<Object> readThroughLeader(final ServerId server, final Function<Object, Object> query,
        final boolean consistent, final Duration timeout)
    {
        final ServerProcess process = requireLocalRunning(server);
        final ClientCall call = new ClientCall(router, server, null, process.cluster, Durations.nanos(timeout), null)
            .armTimeout();
        call.awaiting(() -> awaitedReadIndex(process.cluster));
        readIndexes.await(server, consistent, timeout, new SharedReadIndex.Waiter()
        {
            @Override
            public void readIndex(final long index, final ServerId leader)
            {
                call.awaiting(() -> server + " to apply index " + index + ", the read index of its leader " + leader);
                final ServerProcess local = registry.get(server);
                // A leader's own member applies its read index without being sent anything: no check to arm.
                final Runnable mustWait = server.equals(leader) ? NO_CHECK :
                    () -> checkMembershipLater(server, null == leader ? server : leader, call);
                if (null == local)
                {
                    call.future.completeExceptionally(new ServerStoppedException("server " + server + " stopped"));
                }
                else if (local.queriesOnThisThread())
                {
                    // Answered on the loop of the member that runs the query (the usual case when it leads): run it
                    // now, without a second pass through its mailbox.
                    local.localQuery(query, index, 0, call, mustWait);
                }
                else
                {
                    local.enqueue(new QueryTask(query, index, 0, call, mustWait));
                }
            }

            @Override
            public void failed(final Throwable error)
            {
                call.future.completeExceptionally(error);
            }

            @Override
            public boolean gaveUp()
            {
                return call.future.isDone();
            }
        });
        return call.future;
    }

    /**
     * What a query waiting for its read index waits for: a leader this node knows to answer, or one to be elected.
     */
    private String awaitedReadIndex(final ClusterInfo cluster)
    {
        final ServerId leader = cluster.leader;
        return null == leader ? "a leader to give the read index: node " + router.nodeId() + " knows no leader of " +
            "cluster '" + cluster.clusterName + "' (none elected yet, or too few members reachable)" :
            "the read index of the leader " + leader + ", which did not give it in time";
    }

    /**
     * Check, if the query still waits after {@link #membershipCheckDelayMs}, that its member is one (see
     * {@link #failIfNotMember}; {@code askWho} is the leader that gave the read index, or the member itself).
     * Cancelled once the query completes, so that queries answered within the delay, the usual case, leave nothing
     * scheduled.
     */
    private void checkMembershipLater(final ServerId server, final ServerId askWho, final ClientCall call)
    {
        final ScheduledFuture<?> check;
        try
        {
            check = router.calls().scheduler().schedule(() -> failIfNotMember(server, askWho, call),
                membershipCheckDelayMs, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException closing)
        {
            // The system is closing: the query fails as its server stops.
            return;
        }
        call.future.whenComplete((value, error) -> check.cancel(false));
    }

    /**
     * A query still waiting for an index on its member (a leader's read index, which a member that follows that leader
     * applies within a round or two, or one the caller gave): ask the leader for its members (through {@code askWho},
     * redirected if it does not lead), and fail the query at once if the member is not one of them, since removed
     * while it could not be told, it will never apply the index. Otherwise (or without an answer) it waits as before.
     */
    @SuppressWarnings("unchecked")
    private void failIfNotMember(final ServerId server, final ServerId askWho, final ClientCall call)
    {
        final long remaining = call.deadlineNanos() - router.calls().clock().nanoTime();
        if (remaining <= 0 || call.future.isDone())
        {
            return;
        }
        caller.call(askWho, new ServerRequest.Members(), Duration.ofNanos(remaining), (members, value, answeredBy) ->
        {
            members.future.complete(value);
            final List<ServerId> current = (List<ServerId>)value;
            if (!current.contains(server))
            {
                call.future.completeExceptionally(new RaException(server + " is not a member of its cluster: the " +
                    "leader " + answeredBy + " has members " + current + ", so the index the query waits for is " +
                    "never applied there (a member removed while its node could not be told keeps running: stop " +
                    "it with forceDeleteServer)"));
            }
        });
    }

    /**
     * A query the machine declares by name: with {@code consistent}, the leader first confirms its leadership and takes
     * its applied index as the read index (ReadIndex, thesis §6.4), and the query runs on the leader once it has
     * applied that index; without, it runs on the addressed member at once, however stale.
     *
     * <p>A consistent query to a member on another node is one call ({@link ServerRequest.ConfirmedNamedQuery}),
     * redirected to the leader like a read index; where the member's node runs a release that does not take it (the
     * transport says so before each send, see {@link dev.ra.spi.PeerFeature}), and to a member on this node, it is
     * two: a {@link ServerRequest.ReadIndex}, then the {@link ServerRequest.NamedQuery} on the leader.
     */
    CompletableFuture<Object> namedQuery(final ServerId server, final String name, final Object argument,
        final boolean consistent, final Duration timeout)
    {
        final ClusterInfo cluster = clusters.require(server, "register its cluster with RaSystem.registerCluster " +
            "first");
        final Codec<Object> codec = cluster.machine.queryCodec();
        final Bytes encoded = Bytes.wrap(codec.toBytes(argument));
        if (!consistent)
        {
            // The member answers with the leader it knows, which is what the result reports (not the member).
            return caller.call(server, new ServerRequest.NamedQuery(name, encoded, 0), timeout,
                (call, value, leader) -> completeNamedQuery(call, value, codec, leader));
        }
        if (router.isLocal(server))
        {
            return readIndexThenQuery(server, name, encoded, codec, timeout);
        }
        final RuntimeClock clock = router.calls().clock();
        return caller.call(server, new ServerRequest.ConfirmedNamedQuery(name, encoded), timeout,
            new ClientCall.Completion()
            {
                @Override
                public void complete(final ClientCall call, final Object value, final ServerId leader)
                {
                    completeNamedQuery(call, value, codec, leader);
                }

                @Override
                public void notCarried(final ClientCall call, final ServerId to)
                {
                    // An older release: the two calls every release takes, from the member this call would have
                    // asked, in the time left.
                    final long remaining = Math.max(1, call.deadlineNanos() - clock.nanoTime());
                    try
                    {
                        forward(readIndexThenQuery(to, name, encoded, codec, Duration.ofNanos(remaining)), call);
                    }
                    catch (final RuntimeException ex)
                    {
                        call.future.completeExceptionally(ex);
                    }
                }
            });
    }

    /**
     * A consistent named query in two calls: the leader's read index, then the query on the leader once it has
     * applied it.
     */
    private CompletableFuture<Object> readIndexThenQuery(final ServerId server, final String name,
        final Bytes encoded, final Codec<Object> codec, final Duration timeout)
    {
        final RuntimeClock clock = router.calls().clock();
        final long deadlineNanos = clock.nanoTime() + Durations.nanos(timeout);
        return caller.call(server, new ServerRequest.ReadIndex(true), timeout, (call, value, leader) ->
        {
            final long remaining = Math.max(1, deadlineNanos - clock.nanoTime());
            forward(caller.call(null != leader ? leader : server, new ServerRequest.NamedQuery(name, encoded,
                (Long)value), Duration.ofNanos(remaining), (second, answer, answeredBy) -> completeNamedQuery(second,
                answer, codec, null != leader ? leader : answeredBy)), call);
        });
    }

    /**
     * Complete a call with the outcome of another.
     */
    private static void forward(final CompletableFuture<Object> from, final ClientCall to)
    {
        from.whenComplete((result, error) ->
        {
            if (null != error)
            {
                to.future.completeExceptionally(error);
            }
            else
            {
                to.future.complete(result);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static void completeNamedQuery(final ClientCall call, final Object value, final Codec<Object> codec,
        final ServerId leader)
    {
        final List<Object> answer = (List<Object>)value;
        if (!Boolean.TRUE.equals(answer.get(0)))
        {
            call.future.completeExceptionally(NamedQueryFailure.toException(answer));
            return;
        }
        try
        {
            final Object result = codec.fromBytes((byte[])answer.get(3));
            call.future.complete(new QueryResult<>(result, (Long)answer.get(1), (Long)answer.get(2), leader));
        }
        catch (final RuntimeException ex)
        {
            call.future.completeExceptionally(ex);
        }
    }

    private ServerProcess requireLocalRunning(final ServerId server)
    {
        if (!router.isLocal(server))
        {
            throw new IllegalArgumentException("queries run on a member hosted by this node, and " + server +
                " is on node " + server.node() + ": query functions are code and are never shipped between " +
                "nodes; address the member of the cluster on this node instead");
        }
        final ServerProcess process = registry.get(server);
        if (null == process)
        {
            // A cluster whose start failed here is not coming back by itself: say so (not transient), rather than
            // "not running", which a client retries as for a member that is restarting.
            clusters.getChecked(server);
            throw clusters.notRunningHere(server);
        }
        return process;
    }
}
