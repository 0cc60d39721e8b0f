package dev.ra;

import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.RaRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How {@link RaSystem} forms a new cluster: it starts every member where it lives (this node or another), triggers
 * an election on the first member hosted here (else the first member; if that one will not campaign, the next), and
 * waits for a leader. If any of that fails, it deletes the members it started, so that a failed start leaves nothing
 * behind. Its start and delete of a single member also serve {@link RaSystem#startServer} and
 * {@link RaSystem#forceDeleteServer}.
 */
final class ClusterFormation
{
    private final RaRuntime runtime;
    private final Duration defaultTimeout;

    ClusterFormation(final RaRuntime runtime, final Duration defaultTimeout)
    {
        this.runtime = runtime;
        this.defaultTimeout = defaultTimeout;
    }

    /**
     * @return how long forming a cluster of these members may take: the default timeout per member.
     */
    Duration timeout(final List<ServerId> members)
    {
        try
        {
            return defaultTimeout.multipliedBy(Math.max(1, null == members ? 1 : members.size()));
        }
        catch (final ArithmeticException tooLong)
        {
            // A default timeout of billions of years: waiting without a limit already.
            return defaultTimeout;
        }
    }

    /**
     * @param members checked by {@link Arguments#requireMembers}.
     * @return completes with the leader, or fails with {@link ClusterUnavailableException}.
     */
    CompletableFuture<ServerId> form(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final List<ServerId> members)
    {
        final Duration timeout = timeout(members);
        final boolean known = runtime.knowsAny(members);
        final Runnable restoreKnown = runtime.registerCluster(clusterName, machineName, machine, members);
        final List<CompletableFuture<Void>> starts = new ArrayList<>();
        final List<ServerId> started = Collections.synchronizedList(new ArrayList<>());
        for (final ServerId id : members)
        {
            starts.add(startMember(clusterName, machineName, machine, id, members, JoinPoint.NONE)
                .thenRun(() -> started.add(id)));
        }
        final CompletableFuture<ServerId> result = new CompletableFuture<>();
        CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0]))
            .thenCompose(v -> triggerElection(campaignOrder(members), 0, timeout, new ArrayList<>()))
            .thenCompose(campaigner -> runtime.awaitLeader(campaigner, timeout))
            .whenComplete((leader, error) ->
            {
                if (null == error)
                {
                    result.complete(leader);
                    return;
                }
                // Only what this call started is deleted: a member that was already running stays untouched.
                final List<CompletableFuture<?>> deletes = new ArrayList<>();
                for (final ServerId id : List.copyOf(started))
                {
                    deletes.add(deleteStarted(id));
                }
                final String reason = "cluster '" + clusterName + "' could not be formed from " + members + ": " +
                    Futures.unwrap(error).getMessage();
                CompletableFuture.allOf(deletes.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) ->
                {
                    if (!known)
                    {
                        // Nothing of it is left: later calls fail at once with the reason rather than time out.
                        runtime.forgetFailedStart(members, reason);
                    }
                    else
                    {
                        // Members that run already (a start refused) keep the cluster, and machine, they belong to.
                        restoreKnown.run();
                    }
                    result.completeExceptionally(new ClusterUnavailableException(reason, Futures.unwrap(error)));
                });
            });
        return result;
    }

    /**
     * @return the members in the order they are asked to campaign: the first hosted here (else the first), then the
     *     others as given.
     */
    private List<ServerId> campaignOrder(final List<ServerId> members)
    {
        final List<ServerId> order = new ArrayList<>(members);
        order.stream().filter(id -> id.node().equals(runtime.nodeId())).findFirst().ifPresent(local ->
        {
            order.remove(local);
            order.add(0, local);
        });
        return order;
    }

    /**
     * Ask the members in turn to campaign until one does. A member refuses when it will not campaign (it recovers
     * from damaged storage, for instance, and its vote is not to be counted): the next is asked, since waiting for a
     * leader would be in vain if no other member campaigns on its own (brand-new members wait to be told). A call
     * that times out ends the attempt as before, so a slow start does not take a timeout per member.
     *
     * @return completes with the member that campaigns, or fails with every member's refusal.
     */
    private CompletableFuture<ServerId> triggerElection(final List<ServerId> order, final int next,
        final Duration timeout, final List<String> refusals)
    {
        if (next == order.size())
        {
            return CompletableFuture.failedFuture(new RaException("no member would campaign: " +
                String.join("; ", refusals)));
        }
        final ServerId member = order.get(next);
        return runtime.call(member, new ServerRequest.TriggerElection(), timeout).thenApply(v -> member)
            .exceptionallyCompose(error ->
            {
                final Throwable cause = Futures.unwrap(error);
                if (cause instanceof RaTimeoutException)
                {
                    return CompletableFuture.failedFuture(cause);
                }
                refusals.add(cause.getMessage());
                return triggerElection(order, next + 1, timeout, refusals);
            });
    }

    /**
     * Start one brand-new member, on this node or (through its node) another.
     *
     * @return completes once it runs; an argument the runtime refuses fails the future rather than throwing.
     */
    CompletableFuture<Void> startMember(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final ServerId id, final List<ServerId> members, final JoinPoint joinedAt)
    {
        try
        {
            if (id.node().equals(runtime.nodeId()))
            {
                return runtime.startLocalServer(clusterName, machineName, machine, id, members, true, joinedAt);
            }
            return runtime.startRemoteServer(clusterName, machineName, id, members, joinedAt, defaultTimeout);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Start one brand-new member of a cluster that may run already: this node learns the new member first, so that
     * calls to it find it, keeping what it knows of the other members (the list given may be stale or wrong).
     *
     * @param members  the cluster's initial members, checked by {@link Arguments#requireMembers}.
     * @param joinedAt where it joins, or {@link JoinPoint#NONE}.
     * @return completes once the member runs.
     */
    CompletableFuture<Void> joinMember(final String clusterName, final String machineName,
        final StateMachine<?, ?> machine, final ServerId server, final List<ServerId> members,
        final JoinPoint joinedAt)
    {
        final Runnable restoreKnown = runtime.registerJoining(clusterName, machineName, machine, members, server);
        // A refused start (the server runs already, in another cluster perhaps) leaves what this node knew as it was.
        return startMember(clusterName, machineName, machine, server, members, joinedAt)
            .whenComplete((v, error) ->
            {
                if (null != error)
                {
                    restoreKnown.run();
                }
            });
    }

    /**
     * Delete a member a failed start started, whatever happens: the start's caller is answered once the deletes are
     * done, also when this node is closing and refuses them.
     */
    private CompletableFuture<?> deleteStarted(final ServerId id)
    {
        try
        {
            return deleteMember(id).exceptionally(e -> null);
        }
        catch (final RuntimeException closing)
        {
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Stop a member and delete its data, on this node or another, without any membership change.
     */
    CompletableFuture<?> deleteMember(final ServerId server)
    {
        if (server.node().equals(runtime.nodeId()))
        {
            return runtime.stopLocalServer(server, true);
        }
        return runtime.call(server, new ServerRequest.ForceDelete(), defaultTimeout);
    }
}
