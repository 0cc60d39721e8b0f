package dev.ra.examples.latch;

import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
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
 * The typed client of the counting latches of a {@link LatchMachine} cluster. Thread-safe; blocking calls; works
 * from any node that can reach the cluster, including one hosting no member (reads are the machine's named queries).
 * Every command is idempotent (a request id or the waiter's identity makes a retry harmless), so calls are retried
 * across leader changes.
 */
public final class LatchClient
{
    private static final long POLL_MS = 250;

    private final ClusterClient cluster;

    /**
     * @param system  to send calls through and spawn waiters on; if it does not know the cluster yet, the client
     *                registers it there.
     * @param members of the latch cluster.
     */
    public LatchClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
        system.cluster(members.get(0).name(), new LatchMachine(), Object.class, members);
    }

    /**
     * @param cluster client with its own timeouts; its system must know the cluster.
     */
    public LatchClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /**
     * Set the count of a latch whose count is 0, starting a new round.
     *
     * @param name  of the latch.
     * @param count at least 1.
     * @return true if this call set it, false if the latch is still counting down.
     */
    public boolean trySetCount(final String name, final long count)
    {
        return cluster.<Boolean>command(new LatchCommand.TrySetCount(name, count, UUID.randomUUID().toString()),
            true);
    }

    /**
     * Count the latch's current round down by one (nothing happens if it is at 0). Retried safely: it counts once.
     *
     * @param name of the latch.
     * @return the remaining count.
     */
    public long countDown(final String name)
    {
        final long round = latch(name).map(Latch::round).orElse(0L);
        return cluster.<Long>command(new LatchCommand.CountDown(name, round, UUID.randomUUID().toString()), true);
    }

    /**
     * @param name of the latch.
     * @return its remaining count, linearizably; 0 if it was never set.
     */
    public long getCount(final String name)
    {
        return latch(name).map(Latch::count).orElse(0L);
    }

    /**
     * @param name of the latch.
     * @return its current round, linearizably; 0 if it was never set.
     */
    public long getRound(final String name)
    {
        return latch(name).map(Latch::round).orElse(0L);
    }

    /**
     * @param name of the latch.
     * @return the whole latch, linearizably, or empty if it was never set or awaited.
     */
    public Optional<Latch> latch(final String name)
    {
        return Optional.ofNullable(cluster.namedQuery(LatchMachine.LATCH, name, true));
    }

    /**
     * Wait until the latch's count reaches 0.
     *
     * <p>A fresh waiter process receives {@link LatchOpened}; since a message can be lost with a failed leader, the
     * client also polls the latch, which is the truth. When the wait ends the waiter leaves and is closed.
     *
     * @param name    of the latch.
     * @param timeout of the wait.
     * @return true if the count reached 0 (at once if it is 0), false if the time ran out.
     */
    public boolean await(final String name, final Duration timeout)
    {
        final CompletableFuture<Long> opened = new CompletableFuture<>();
        final RaProcess waiter = cluster.system().spawn(message ->
        {
            if (message instanceof LatchOpened open && open.name().equals(name))
            {
                opened.complete(open.round());
            }
        });
        try
        {
            final LatchReply reply = cluster.command(new LatchCommand.Await(name, waiter.ref()), true);
            if (reply instanceof LatchReply.Waiting waiting)
            {
                return waitFor(name, waiting.round(), opened, timeout, waiter);
            }
            return true;
        }
        finally
        {
            waiter.close();
        }
    }

    private boolean waitFor(final String name, final long round, final CompletableFuture<Long> opened,
        final Duration timeout, final RaProcess waiter)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (long remaining = timeout.toNanos(); remaining > 0; remaining = deadline - System.nanoTime())
        {
            if (messageArrived(opened, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(POLL_MS))) ||
                hasOpened(name, round))
            {
                return true;
            }
        }
        cluster.<Boolean>command(new LatchCommand.CancelAwait(name, waiter.ref()), true);
        // The latch may have opened between the last poll and the cancel.
        return hasOpened(name, round);
    }

    private boolean hasOpened(final String name, final long round)
    {
        return latch(name).map(latch -> latch.hasOpened(round)).orElse(true);
    }

    private static boolean messageArrived(final CompletableFuture<Long> opened, final long nanos)
    {
        try
        {
            opened.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        }
        catch (final TimeoutException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RaException("interrupted while waiting for a latch", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("unexpected failure of a latch message", ex);
        }
    }
}
