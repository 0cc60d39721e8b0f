package dev.ra.examples.support;

import dev.ra.ClusterStartFailedException;
import dev.ra.ClusterUnavailableException;
import dev.ra.CommandOutcomeUnknownException;
import dev.ra.CommandResult;
import dev.ra.InvalidCommandException;
import dev.ra.NotLeaderException;
import dev.ra.QueryResult;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import dev.ra.UnknownServerException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The plumbing every toolbox client shares: send a command or a query to a cluster given as a list of members, trying
 * the members in turn, as Ra's client functions do when given a list of server ids.
 *
 * <p><b>Retries.</b> A call starts with the member that last answered as leader (the library redirects a call sent
 * to a follower). Failures that prove the command was NOT taken (the member is unknown or not running, no leader
 * could be reached) move on to the next member, for any command; but when every member is refused for good (this node
 * does not know their cluster, or saw it deleted: an {@link UnknownServerException}; or the cluster's start failed
 * here: a {@link ClusterStartFailedException}), the call fails at once with that refusal, as asking again would not
 * change it. Failures that leave the outcome UNKNOWN (a timeout,
 * the leader stepped down or stopped before the command committed) are retried only for commands the caller declares
 * idempotent; otherwise they are rethrown, since applying the command twice could be wrong (a second enqueue is a
 * second task). Attempts stop when the overall timeout runs out; the last failure is then thrown.
 *
 * <p><b>Attempt time.</b> The one attempt of a command that cannot be retried may take the whole remaining time. When
 * retries are allowed (idempotent commands, queries), the first attempt is cut at the per-attempt timeout, so that a
 * member whose node died is given up in time to try again, and each attempt that runs out of time doubles the next
 * one's: a commit or a read slower than one attempt still succeeds within the call's timeout.
 *
 * <p>Commands are sent through {@code system}, which must know the cluster (host one of its members, or have started
 * it) to encode them. Queries run on the member hosted by {@code system}'s node, because query functions are code
 * and never cross nodes; a consistent query first has that member catch up with the leader's commit index (confirmed
 * by a quorum). Thread-safe.
 */
public final class ClusterClient
{
    private static final long PAUSE_BETWEEN_ROUNDS_MS = 50;
    private static final Runnable NO_REPORT = () ->
    {
    };

    private final RaSystem system;
    private final List<ServerId> members;
    private final Duration timeout;
    private final Duration attemptTimeout;
    private volatile ServerId preferred;

    /**
     * A client with the system's default timeout overall, and 2 s for the first attempt of a call that may retry.
     *
     * @param system  to send calls through.
     * @param members of the cluster.
     */
    public ClusterClient(final RaSystem system, final List<ServerId> members)
    {
        this(system, members, system.defaultTimeout(), Duration.ofSeconds(2));
    }

    /**
     * A client with explicit timeouts.
     *
     * @param system         to send calls through.
     * @param members        of the cluster.
     * @param timeout        of a whole call, retries included.
     * @param attemptTimeout of the first attempt of a call that may retry (doubled after each attempt that runs out of
     *                       time); shorter than {@code timeout}, so that a member whose node died is given up in time
     *                       to try again.
     */
    public ClusterClient(
        final RaSystem system, final List<ServerId> members, final Duration timeout, final Duration attemptTimeout)
    {
        this.system = Objects.requireNonNull(system, "system");
        this.members = List.copyOf(members);
        if (this.members.isEmpty())
        {
            throw new IllegalArgumentException("a cluster has at least one member");
        }
        this.timeout = requirePositive(timeout, "timeout");
        this.attemptTimeout = requirePositive(attemptTimeout, "attemptTimeout");
        this.preferred = this.members.get(0);
    }

    /**
     * @return the system calls go through.
     */
    public RaSystem system()
    {
        return system;
    }

    /**
     * @return the members of the cluster, as given.
     */
    public List<ServerId> members()
    {
        return members;
    }

    /**
     * @return the member that last answered as leader (or the first member before any answer).
     */
    public ServerId lastKnownLeader()
    {
        return preferred;
    }

    /**
     * Apply a command and return the machine's reply.
     *
     * @param command    to apply.
     * @param idempotent whether applying it twice is harmless, so it may be retried when its outcome is unknown.
     * @param <R>        the reply type.
     * @return the reply.
     * @throws RaException when no attempt succeeded in time, or the outcome of a non-idempotent command is unknown.
     */
    public <R> R command(final Object command, final boolean idempotent)
    {
        return command(command, idempotent, deadline());
    }

    /**
     * Apply a command within a deadline the caller already holds, so that a client call made of several commands and
     * reads (a look, a send, a look again) takes no longer in all than the one timeout of this client.
     *
     * @param command    to apply.
     * @param idempotent whether applying it twice is harmless, so it may be retried when its outcome is unknown.
     * @param deadline   in {@link System#nanoTime()} terms, as {@link #deadline()} gives.
     * @param <R>        the reply type.
     * @return the reply.
     * @throws RaException when no attempt succeeded by the deadline (a {@link RaTimeoutException} if none was made),
     *                     or the outcome of a non-idempotent command is unknown.
     */
    public <R> R command(final Object command, final boolean idempotent, final long deadline)
    {
        return call(null, deadline, commandAttempt(command), idempotent, NO_REPORT, true);
    }

    /**
     * Apply a command that is safe to apply twice and that a cluster at an older machine version refuses before the
     * log ({@link InvalidCommandException}), the caller then sending an older command in its place. A refusal that
     * comes after an attempt whose outcome is unknown proves nothing of the kind: a leader elected since may hold the
     * switch to the version that has the command in its log and not have applied it yet, and it checks commands with
     * the older version's codec. The earlier attempt may have been applied, and the older command would then answer
     * for what it left behind (a release answering "not held"), so that refusal ends the call as an unknown outcome.
     *
     * @param command to apply; applying it twice must be harmless.
     * @param <R>     the reply type.
     * @return the reply.
     * @throws InvalidCommandException        if the cluster refused the command and no attempt of it may have been
     *                                        applied: send the older command.
     * @throws CommandOutcomeUnknownException if it refused it after an attempt that may have been applied.
     */
    public <R> R newerCommand(final Object command)
    {
        return newerCommand(command, deadline());
    }

    /**
     * Apply a newer command, as {@link #newerCommand(Object)} does, or, when the cluster refused it before the log (a
     * machine version without it) and no attempt of it may have been applied, what the caller sends such a cluster.
     *
     * @param command      to apply; applying it twice must be harmless.
     * @param olderCluster the call on a cluster that refused the command: the older command, sent as before it.
     * @param <R>          the reply type.
     * @return the reply.
     * @throws CommandOutcomeUnknownException if the cluster refused the command after an attempt that may have been
     *                                        applied.
     */
    public <R> R newerCommand(final Object command, final Supplier<R> olderCluster)
    {
        try
        {
            return newerCommand(command);
        }
        catch (final InvalidCommandException olderMachineVersion)
        {
            return olderCluster.get();
        }
    }

    /**
     * Apply a newer command, as {@link #newerCommand(Object)} does, within a deadline the caller already holds (see
     * {@link #command(Object, boolean, long)}).
     *
     * @param command  to apply; applying it twice must be harmless.
     * @param deadline in {@link System#nanoTime()} terms, as {@link #deadline()} gives.
     * @param <R>      the reply type.
     * @return the reply.
     * @throws InvalidCommandException        if the cluster refused the command and no attempt of it may have been
     *                                        applied: send the older command.
     * @throws CommandOutcomeUnknownException if it refused it after an attempt that may have been applied.
     */
    public <R> R newerCommand(final Object command, final long deadline)
    {
        final boolean[] unknown = new boolean[1];
        try
        {
            return call(null, deadline, commandAttempt(command), true, () -> unknown[0] = true, true);
        }
        catch (final InvalidCommandException refused)
        {
            if (unknown[0])
            {
                throw new CommandOutcomeUnknownException("a " + command.getClass().getSimpleName() + " was refused " +
                    "after an earlier attempt of it may have been applied (" + refused.getMessage() + "): a leader " +
                    "elected since may not have applied the switch to the machine version that has it yet, so " +
                    "whether the call took effect is unknown", preferred);
            }
            throw refused;
        }
    }

    /**
     * Apply a command that is safe to apply twice, retried like any idempotent command, and say whether an attempt
     * before the one that answered had an unknown outcome: the caller can then tell a reply that describes what its
     * command did from one that may describe what an earlier attempt of it left behind.
     *
     * @param command  to apply; applying it twice must be harmless.
     * @param deadline in {@link System#nanoTime()} terms, as {@link #deadline()} gives.
     * @param <R>      the reply type.
     * @return the reply, and whether an earlier attempt's outcome was unknown.
     */
    public <R> Answered<R> retriedCommand(final Object command, final long deadline)
    {
        final boolean[] unknown = new boolean[1];
        final R reply = call(null, deadline, commandAttempt(command), true, () -> unknown[0] = true, true);
        return new Answered<>(reply, unknown[0]);
    }

    private <R> Attempt<R> commandAttempt(final Object command)
    {
        return (target, limit) ->
        {
            final CommandResult<R> result = system.processCommand(target, command, limit);
            preferred = result.leader();
            return result.reply();
        };
    }

    /**
     * Run a linearizable query. Query functions are code and are never shipped between nodes, so it runs on the
     * member hosted by this client's node, once that member has confirmed with the leader (and the leader with a
     * quorum) that its state is up to date.
     *
     * @param query of the machine state; must not modify it.
     * @param <S>   the state type.
     * @param <R>   the result type.
     * @return the result.
     * @throws IllegalStateException if no member of the cluster runs on this node.
     */
    public <S, R> R consistentQuery(final Function<S, R> query)
    {
        final ServerId local = localMember();
        return call(List.of(local), deadline(), (target, limit) ->
        {
            final QueryResult<R> result = system.consistentQuery(target, query, limit);
            if (null != result.leader())
            {
                preferred = result.leader();
            }
            return result.result();
        }, true, NO_REPORT, false);
    }

    /**
     * Run a query on the state of the member hosted by this client's node, without any network round trip. The
     * result may be arbitrarily stale (a partitioned member keeps answering with its old state).
     *
     * @param query of the machine state; must not modify it.
     * @param <S>   the state type.
     * @param <R>   the result type.
     * @return the result.
     * @throws IllegalStateException if no member of the cluster runs on this node.
     */
    public <S, R> R localQuery(final Function<S, R> query)
    {
        final QueryResult<R> result = system.localQuery(localMember(), query);
        return result.result();
    }

    /**
     * Run a query the machine declares by name ({@link dev.ra.StateMachine#query}): it works from a node hosting no
     * member, trying the members in turn like a command.
     *
     * @param name       of the query.
     * @param argument   of the query.
     * @param consistent whether the answer must be linearizable (the leader confirms with a quorum).
     * @param <R>        the result type.
     * @return the result.
     */
    public <R> R namedQuery(final String name, final Object argument, final boolean consistent)
    {
        return namedQuery(name, argument, consistent, deadline());
    }

    /**
     * Run a named query within a deadline the caller already holds (see {@link #command(Object, boolean, long)}).
     *
     * @param name       of the query.
     * @param argument   of the query.
     * @param consistent whether the answer must be linearizable (the leader confirms with a quorum).
     * @param deadline   in {@link System#nanoTime()} terms, as {@link #deadline()} gives.
     * @param <R>        the result type.
     * @return the result.
     */
    public <R> R namedQuery(final String name, final Object argument, final boolean consistent, final long deadline)
    {
        return call(null, deadline, (target, limit) ->
        {
            final QueryResult<R> result = system.namedQuery(target, name, argument, consistent, limit);
            if (null != result.leader())
            {
                preferred = result.leader();
            }
            return result.result();
        }, true, NO_REPORT, true);
    }

    /**
     * The deadline of a client call that starts now: the one timeout this client promises for a whole call, to be
     * shared by every command and read the call makes.
     *
     * @return the deadline, in {@link System#nanoTime()} terms.
     */
    public long deadline()
    {
        return System.nanoTime() + timeout.toNanos();
    }

    /**
     * @return whether this client's node hosts a member of the cluster (where query functions can run).
     */
    public boolean hasLocalMember()
    {
        return members.stream().anyMatch(member -> member.node().equals(system.nodeId()));
    }

    /**
     * @return the member of the cluster hosted by this client's node.
     * @throws IllegalStateException if there is none.
     */
    public ServerId localMember()
    {
        for (final ServerId member : members)
        {
            if (member.node().equals(system.nodeId()))
            {
                return member;
            }
        }
        throw new IllegalStateException("no member of " + members + " runs on node " + system.nodeId() +
            "; queries run on a local member");
    }

    /**
     * @param unknownIsFinal whether an {@link UnknownServerException} from {@code attempt} is final for its member:
     *                       the node does not know the member's cluster (its codecs), or saw it deleted. True of the
     *                       calls sent through the node's directory (commands, named queries), whose redirects pass
     *                       over a member merely not running; false of a query function on the local member, which
     *                       is not running while it restarts. A {@link ClusterStartFailedException} (the cluster's
     *                       start failed on the node) is final for every call. A round in which every member refused
     *                       so ends the call with the refusal, which asking again until the timeout would not change.
     */
    private <T> T call(final List<ServerId> targets, final long deadline, final Attempt<T> attempt,
        final boolean retryUnknownOutcome, final Runnable onUnknownOutcome, final boolean unknownIsFinal)
    {
        // Cutting an attempt short only helps when another may follow it: a command that cannot be retried gets the
        // call's whole time. Each attempt that runs out of time doubles the next one's, so a dead member is given
        // up quickly and a cluster that is merely slow still answers within the call's timeout.
        long capNanos = retryUnknownOutcome ? attemptTimeout.toNanos() : Long.MAX_VALUE;
        RuntimeException last = null;
        while (true)
        {
            boolean everyMemberRefused = true;
            for (final ServerId target : null == targets ? order() : targets)
            {
                final long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0)
                {
                    throw exhausted(last);
                }
                try
                {
                    return attempt.run(target, Duration.ofNanos(Math.min(remainingNanos, capNanos)));
                }
                catch (final RuntimeException ex)
                {
                    final RuntimeException cause = unwrap(ex);
                    if (!notTaken(cause) && !(retryUnknownOutcome && outcomeUnknown(cause)))
                    {
                        throw cause;
                    }
                    if (outcomeUnknown(cause))
                    {
                        onUnknownOutcome.run();
                    }
                    if (cause instanceof RaTimeoutException)
                    {
                        capNanos = capNanos > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : capNanos * 2;
                    }
                    everyMemberRefused &= unknownIsFinal && cause instanceof UnknownServerException ||
                        cause instanceof ClusterStartFailedException;
                    last = cause;
                }
            }
            if (everyMemberRefused)
            {
                throw last;
            }
            pause();
        }
    }

    private List<ServerId> order()
    {
        final ServerId first = preferred;
        final List<ServerId> order = new ArrayList<>(members.size());
        if (members.contains(first))
        {
            order.add(first);
        }
        for (final ServerId member : members)
        {
            if (!member.equals(first))
            {
                order.add(member);
            }
        }
        return order;
    }

    private RuntimeException exhausted(final RuntimeException last)
    {
        if (null != last)
        {
            return last;
        }
        return new RaTimeoutException("no member of " + members + " answered within " + timeout);
    }

    private static boolean notTaken(final RuntimeException ex)
    {
        return ex instanceof UnknownServerException || ex instanceof NotLeaderException ||
            ex instanceof ClusterUnavailableException;
    }

    /**
     * Whether a failure of {@link #command} leaves the command's outcome unknown (it may have been applied, or may
     * still be), as opposed to proving it was not taken or reporting the machine's refusal. A client whose command is
     * not safe to send twice can then find out what happened before it decides to send it again.
     *
     * @param ex thrown by {@link #command}.
     * @return whether the command may or may not have been applied.
     */
    public static boolean outcomeUnknown(final RuntimeException ex)
    {
        return ex instanceof RaTimeoutException || ex instanceof CommandOutcomeUnknownException ||
            ex instanceof ServerStoppedException;
    }

    private static RuntimeException unwrap(final RuntimeException ex)
    {
        Throwable t = ex;
        while (t instanceof java.util.concurrent.CompletionException && null != t.getCause())
        {
            t = t.getCause();
        }
        return t instanceof RuntimeException runtime ? runtime : ex;
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(PAUSE_BETWEEN_ROUNDS_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RaException("interrupted", ex);
        }
    }

    private static Duration requirePositive(final Duration duration, final String what)
    {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        }
        return duration;
    }

    /**
     * One try against one member, within a time limit.
     */
    @FunctionalInterface
    private interface Attempt<T>
    {
        T run(ServerId target, Duration limit);
    }
}
