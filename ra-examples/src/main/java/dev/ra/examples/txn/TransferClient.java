package dev.ra.examples.txn;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import dev.ra.examples.support.ClusterClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The typed client of two-phase transfers: money moves between accounts held by different participant clusters, all
 * or nothing. Thread-safe; blocking calls; works from any node that can reach the coordinator cluster, including one
 * hosting no member.
 *
 * <p>A transfer logs its begin (retried safely: the client chose the transaction id) and waits for the coordinator to
 * finish it, by message and by polling the coordinator's log, since a message may be lost with a failed leader. A
 * transfer whose outcome was not known in time is asked for again by its id, which begins nothing new.
 */
public final class TransferClient
{
    private static final long POLL_MS = 250;

    private final ClusterClient coordinator;

    /**
     * @param system      to send calls through and spawn the waiting process on; if it does not know the coordinator
     *                    cluster yet, the client registers it there.
     * @param coordinator members of the coordinator cluster.
     */
    public TransferClient(final RaSystem system, final List<ServerId> coordinator)
    {
        this(new ClusterClient(system, coordinator));
        system.cluster(coordinator.get(0).name(), new CoordinatorMachine(coordinator.get(0)), Object.class,
            coordinator);
    }

    /**
     * @param coordinator client of the coordinator cluster, with its own timeouts; its system must know the cluster.
     */
    public TransferClient(final ClusterClient coordinator)
    {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    }

    /**
     * Move {@code amount} from one account to another, all or nothing, as a transaction with a fresh id.
     *
     * @param from    account to debit.
     * @param to      account to credit.
     * @param amount  at least 1.
     * @param timeout of the wait for the outcome.
     * @return committed (the money moved) or aborted (nothing changed: no such account, not enough money, or the
     *         coordinator failed before deciding).
     * @throws RaException if the outcome is not known in time (a {@link RaTimeoutException} when the wait ran out);
     *                     the transfer still ends all or nothing. Its message names the transaction id: to learn the
     *                     outcome without moving the money twice, call {@link #transfer(String, AccountRef,
     *                     AccountRef, long, Duration)} with that id, or {@link #transaction} later. A caller that may
     *                     want to do so had better choose the id itself with that method.
     */
    public TransferResult transfer(final AccountRef from, final AccountRef to, final long amount,
        final Duration timeout)
    {
        return transfer(TransferIds.next(), from, to, amount, timeout, false);
    }

    /**
     * Move {@code amount} from one account to another, all or nothing, as the transaction {@code txId}: a call with
     * the id of a transfer already begun (an earlier call whose outcome was not known in time) begins nothing new,
     * and waits for that transfer's outcome. So a caller retrying after a timeout moves the money once.
     *
     * @param txId    of the transfer, chosen by the caller and unique to it; one made by {@link TransferIds#next()}
     *                lets the coordinator forget the transfer once it is among its oldest finished ones and older
     *                than a few minutes ({@link CoordinatorMachine}), which an id of another form never is; a
     *                stamped id must be made where the clock is within a minute of the coordinator's (by
     *                default), and a call with it must come within that minute of its stamp unless the transfer
     *                began.
     * @param from    account to debit.
     * @param to      account to credit.
     * @param amount  at least 1.
     * @param timeout of the wait for the outcome.
     * @return committed (the money moved) or aborted (nothing changed).
     * @throws IllegalArgumentException if {@code txId} names a transaction of other accounts or another amount, or is
     *                                  a stamped id ({@link TransferIds}) the coordinator may have forgotten or
     *                                  stamped too far from the coordinator's log time (the message says which).
     * @throws RaException              if the outcome is not known in time; call again with the same id.
     */
    public TransferResult transfer(final String txId, final AccountRef from, final AccountRef to, final long amount,
        final Duration timeout)
    {
        return transfer(txId, from, to, amount, timeout, true);
    }

    private TransferResult transfer(final String txId, final AccountRef from, final AccountRef to, final long amount,
        final Duration timeout, final boolean mayExist)
    {
        if (amount < 1)
        {
            throw new IllegalArgumentException("transfer " + from + " -> " + to + ": amount must be >= 1, got " +
                amount);
        }
        final List<Leg> legs = List.of(new Leg(from.participant(), from.account(), -amount),
            new Leg(to.participant(), to.account(), amount));
        final String what = "transfer " + txId + " (" + from + " -> " + to + ", " + amount + ")";
        final CompletableFuture<TransferFinished> finished = new CompletableFuture<>();
        final RaProcess client = coordinator.system().spawn(message ->
        {
            if (message instanceof TransferFinished done && done.txId().equals(txId))
            {
                finished.complete(done);
            }
        });
        try
        {
            final Object begun;
            try
            {
                begun = coordinator.command(new CoordinatorCommand.Begin(txId, legs, client.ref()), true);
            }
            catch (final RuntimeException ex)
            {
                // Its outcome may be unknown: the caller needs the id to find out, or to ask again.
                throw withId(what, ex);
            }
            if (begun instanceof Refused refused)
            {
                throw new IllegalArgumentException(what + " was refused: " + refused.reason());
            }
            if (mayExist)
            {
                // The begin's reply cannot tell a new transfer from an earlier call's (or another one under the id).
                final Optional<Transaction> tx = transaction(txId);
                if (tx.isPresent() && !tx.get().legs().equals(legs))
                {
                    throw new IllegalArgumentException(what + ": the id names another transfer, " + tx.get().legs());
                }
            }
            final long deadline = System.nanoTime() + timeout.toNanos();
            for (long remaining = timeout.toNanos(); remaining > 0; remaining = deadline - System.nanoTime())
            {
                final TransferFinished done = next(finished, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(
                    POLL_MS)));
                if (null != done)
                {
                    return new TransferResult(txId, done.committed(), done.reason());
                }
                final Optional<Transaction> tx = transaction(txId);
                if (tx.isPresent() && tx.get().phase().isFinal())
                {
                    return new TransferResult(txId, tx.get().phase().commits(), tx.get().reason());
                }
            }
            throw new RaTimeoutException(what + " did not end within " + timeout + "; it still ends all or nothing");
        }
        finally
        {
            client.close();
        }
    }

    /**
     * @param txId of a transfer.
     * @return its transaction in the coordinator's log, linearizably, or empty if it never began or, stamped
     *     ({@link TransferIds}), ended and was forgotten.
     */
    public Optional<Transaction> transaction(final String txId)
    {
        return Optional.ofNullable(coordinator.namedQuery(CoordinatorMachine.TRANSACTION, txId, true));
    }

    /**
     * @return the failure of a begin whose outcome is unknown, of the same type (so that a caller catching the type
     *     it knows still catches it), saying which transfer it was.
     */
    static RuntimeException withId(final String what, final RuntimeException ex)
    {
        final String message = what + " may or may not have begun: " + ex.getMessage();
        final RuntimeException named;
        if (ex instanceof RaTimeoutException)
        {
            named = new RaTimeoutException(message);
        }
        else if (ex instanceof CommandOutcomeUnknownException unknown)
        {
            named = new CommandOutcomeUnknownException(message, unknown.formerLeader());
        }
        else if (ex instanceof ServerStoppedException)
        {
            named = new ServerStoppedException(message, ex);
        }
        else if (ClusterClient.outcomeUnknown(ex))
        {
            named = new RaException(message, ex);
        }
        else
        {
            return ex;
        }
        named.addSuppressed(ex);
        return named;
    }

    private static TransferFinished next(final CompletableFuture<TransferFinished> finished, final long nanos)
    {
        try
        {
            return finished.get(nanos, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RaException("interrupted while waiting for a transfer", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("unexpected failure of a transfer message", ex);
        }
    }
}
