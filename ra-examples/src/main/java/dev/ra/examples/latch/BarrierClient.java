package dev.ra.examples.latch;

import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The typed client of the cyclic barriers of a {@link LatchMachine} cluster. Thread-safe; blocking calls; works from
 * any node that can reach the cluster, including one hosting no member. Each {@link #await} arrives as a fresh party
 * process, so the arrival is retried safely across leader changes.
 */
public final class BarrierClient
{
    private static final long POLL_MS = 250;

    private final ClusterClient cluster;

    /**
     * @param system  to send calls through and spawn parties on; if it does not know the cluster yet, the client
     *                registers it there.
     * @param members of the latch cluster.
     */
    public BarrierClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
        system.cluster(members.get(0).name(), new LatchMachine(), Object.class, members);
    }

    /**
     * @param cluster client with its own timeouts; its system must know the cluster.
     */
    public BarrierClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /**
     * Arrive at a barrier and wait until all its parties have arrived.
     *
     * <p>As with {@link java.util.concurrent.CyclicBarrier#await(long, TimeUnit)}, a wait that times out BREAKS the
     * barrier for every other party; so does the end of this JVM while it waits (the party process goes down).
     *
     * @param name    of the barrier.
     * @param parties of the barrier; must match the number it was created with.
     * @param timeout of the wait.
     * @return the generation that tripped.
     * @throws BrokenBarrierException   if the generation broke, or the barrier was already broken.
     * @throws RaTimeoutException       if the time ran out (the barrier is then broken).
     * @throws IllegalArgumentException if the barrier has another number of parties.
     */
    public long await(final String name, final int parties, final Duration timeout)
    {
        final CompletableFuture<Object> outcome = new CompletableFuture<>();
        final RaProcess party = cluster.system().spawn(message ->
        {
            if (message instanceof BarrierTripped tripped && tripped.name().equals(name) ||
                message instanceof BarrierBroken broken && broken.name().equals(name))
            {
                outcome.complete(message);
            }
        });
        try
        {
            final BarrierReply reply = cluster.command(new LatchCommand.BarrierAwait(name, parties, party.ref()), true);
            if (reply instanceof BarrierReply.Waiting waiting)
            {
                return result(name, waitFor(name, waiting.generation(), outcome, timeout, party));
            }
            return result(name, reply);
        }
        finally
        {
            party.close();
        }
    }

    /**
     * Reset a barrier: parties still waiting get {@link BrokenBarrierException}, and a new generation starts.
     *
     * @param name of the barrier.
     * @return the new generation, or 0 if nobody ever arrived at the barrier.
     */
    public long reset(final String name)
    {
        return cluster.<Long>command(new LatchCommand.BarrierReset(name, UUID.randomUUID().toString()), true);
    }

    /**
     * @param name of the barrier.
     * @return the barrier, linearizably, or empty if nobody ever arrived at it.
     */
    public Optional<Barrier> barrier(final String name)
    {
        return Optional.ofNullable(cluster.namedQuery(LatchMachine.BARRIER, name, true));
    }

    private BarrierReply waitFor(final String name, final long generation, final CompletableFuture<Object> outcome,
        final Duration timeout, final RaProcess party)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (long remaining = timeout.toNanos(); remaining > 0; remaining = deadline - System.nanoTime())
        {
            final Object message = nextMessage(outcome, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(POLL_MS)));
            if (message instanceof BarrierTripped tripped)
            {
                return new BarrierReply.Tripped(tripped.generation());
            }
            if (message instanceof BarrierBroken broken)
            {
                return new BarrierReply.Broken(broken.generation());
            }
            final BarrierReply polled = barrier(name).map(b -> b.outcomeOf(generation)).orElse(null);
            if (null == polled)
            {
                throw new IllegalStateException("barrier '" + name + "' no longer remembers generation " + generation);
            }
            if (!(polled instanceof BarrierReply.Waiting))
            {
                return polled;
            }
        }
        // Leaving breaks the barrier, unless it tripped first: then the reply says so and the caller passes.
        final BarrierReply left = cluster.command(new LatchCommand.BarrierLeave(name, party.ref()), true);
        if (left instanceof BarrierReply.Tripped)
        {
            return left;
        }
        throw new RaTimeoutException("barrier '" + name + "': not every party arrived within " + timeout +
            "; the barrier is now broken");
    }

    private static long result(final String name, final BarrierReply reply)
    {
        if (reply instanceof BarrierReply.Tripped tripped)
        {
            return tripped.generation();
        }
        if (reply instanceof BarrierReply.Broken broken)
        {
            throw new BrokenBarrierException(name, broken.generation());
        }
        if (reply instanceof BarrierReply.Rejected rejected)
        {
            throw new IllegalArgumentException(rejected.reason());
        }
        throw new IllegalStateException("barrier '" + name + "': unexpected reply " + reply);
    }

    private static Object nextMessage(final CompletableFuture<Object> outcome, final long nanos)
    {
        try
        {
            return outcome.get(nanos, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RaException("interrupted while waiting at a barrier", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("unexpected failure of a barrier message", ex);
        }
    }
}
