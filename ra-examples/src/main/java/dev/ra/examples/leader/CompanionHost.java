package dev.ra.examples.leader;

import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-side half of follow-the-leader: the {@link dev.ra.Effect.ModCall} handler that starts the local
 * {@link Companion} when this node's member has claimed leadership, and the watchdog that stops it.
 *
 * <p>Register it under the machine's handler name when building the system, then {@link #attach} the built system (a
 * claim made before that, by a member the build restarted from storage, is confirmed once attached):
 * <pre>{@code
 * CompanionHost host = new CompanionHost(local, companion, Duration.ofSeconds(1));
 * RaSystem system = RaSystem.builder()...
 *     .modCallHandler(FollowTheLeaderMachine.DEFAULT_HANDLER, host)
 *     .registerMachine("ftl", () -> new FollowTheLeaderMachine(local, Duration.ofSeconds(3)))
 *     .build();
 * host.attach(system);
 * }</pre>
 *
 * <p><b>Lifecycle.</b> On {@link StartCompanion} for the local member, the host waits the grace period, confirms that
 * the claim is still current with a consistent query, and starts the companion. Every {@code checkPeriod} it checks
 * again that the local member still leads (its role, then a consistent query that the claim is the latest); when a
 * check fails, times out, or sees a newer claim, the companion is stopped. A newer claim for this node restarts the
 * companion with the new epoch. So the grace period configured in the machine must exceed {@code checkPeriod} twice
 * (a check may take up to {@code checkPeriod} to time out), or two companions may overlap.
 *
 * <p>The handler only hands work to the host's own thread, so it never blocks the server's event loop. Thread-safe.
 */
public final class CompanionHost implements Consumer<Object>, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(CompanionHost.class);

    private final ServerId localServer;
    private final Companion companion;
    private final Duration checkPeriod;
    private final ScheduledExecutorService executor;
    private volatile RaSystem system;

    // Only touched on the executor's thread.
    private long pendingEpoch;
    private long runningEpoch;
    private ScheduledFuture<?> pendingStart;
    private ScheduledFuture<?> watchdog;

    /**
     * @param localServer the member of the follow-the-leader cluster on this node.
     * @param companion   to run while this node leads.
     * @param checkPeriod between leadership checks, also the timeout of each check.
     */
    public CompanionHost(final ServerId localServer, final Companion companion, final Duration checkPeriod)
    {
        this.localServer = Objects.requireNonNull(localServer, "localServer");
        this.companion = Objects.requireNonNull(companion, "companion");
        if (checkPeriod.isNegative() || checkPeriod.isZero())
        {
            throw new IllegalArgumentException("check period must be positive, got " + checkPeriod);
        }
        this.checkPeriod = checkPeriod;
        this.executor = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "companion-host-" + localServer);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Give the host the system it checks leadership through; call once the system is built.
     *
     * @param system hosting {@code localServer}.
     */
    public void attach(final RaSystem system)
    {
        this.system = Objects.requireNonNull(system, "system");
    }

    /**
     * The {@link dev.ra.Effect.ModCall} entry point: acts on a {@link StartCompanion} for the local member, ignores
     * anything else.
     *
     * @param argument of the mod-call.
     */
    @Override
    public void accept(final Object argument)
    {
        if (argument instanceof StartCompanion start && start.leader().equals(localServer))
        {
            executor.execute(() -> scheduleStart(start));
        }
    }

    /**
     * @return the epoch the companion currently runs with, 0 if it does not run.
     */
    public long runningEpoch()
    {
        try
        {
            return executor.submit(() -> runningEpoch).get(checkPeriod.toMillis() * 4, TimeUnit.MILLISECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("companion host did not answer", ex);
        }
    }

    /**
     * Stop the companion if it runs, and the host's thread.
     */
    @Override
    public void close()
    {
        executor.execute(this::stopCompanion);
        executor.shutdown();
        try
        {
            executor.awaitTermination(checkPeriod.toMillis() * 4, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleStart(final StartCompanion start)
    {
        if (start.epoch() <= pendingEpoch)
        {
            return;
        }
        pendingEpoch = start.epoch();
        if (null != pendingStart)
        {
            pendingStart.cancel(false);
        }
        pendingStart = executor.schedule(() -> begin(start.epoch()), start.graceMs(), TimeUnit.MILLISECONDS);
    }

    private void begin(final long epoch)
    {
        if (epoch != pendingEpoch || epoch == runningEpoch)
        {
            return;
        }
        if (null == system)
        {
            // A member restarted while its system was being built claimed leadership before attach: wait for it,
            // since without a system the claim cannot be confirmed, and no newer claim may come to start the companion.
            pendingStart = executor.schedule(() -> begin(epoch), checkPeriod.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        stopCompanion();
        if (!stillLeads(epoch))
        {
            LOG.info("{}: leadership epoch {} not confirmed after the grace period; companion not started",
                localServer, epoch);
            return;
        }
        runningEpoch = epoch;
        LOG.info("{}: starting companion for epoch {}", localServer, epoch);
        try
        {
            companion.start(epoch);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: companion failed to start", localServer, ex);
        }
        watchdog = executor.scheduleWithFixedDelay(this::check, checkPeriod.toMillis(), checkPeriod.toMillis(),
            TimeUnit.MILLISECONDS);
    }

    private void check()
    {
        if (0 != runningEpoch && !stillLeads(runningEpoch))
        {
            LOG.info("{}: leadership epoch {} lost or unconfirmed; stopping companion", localServer, runningEpoch);
            stopCompanion();
        }
    }

    private void stopCompanion()
    {
        if (null != watchdog)
        {
            watchdog.cancel(false);
            watchdog = null;
        }
        if (0 == runningEpoch)
        {
            return;
        }
        final long epoch = runningEpoch;
        runningEpoch = 0;
        try
        {
            companion.stop(epoch);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: companion failed to stop cleanly", localServer, ex);
        }
    }

    private boolean stillLeads(final long epoch)
    {
        final RaSystem current = system;
        if (null == current)
        {
            return false;
        }
        try
        {
            if (!current.isRunning(localServer) || current.overview(localServer).role() != RaftRole.LEADER)
            {
                return false;
            }
            return current.<LeadershipState, Boolean>consistentQueryAsync(localServer,
                state -> state.isCurrent(localServer, epoch), checkPeriod)
                .get(checkPeriod.toMillis() * 2, TimeUnit.MILLISECONDS).result();
        }
        catch (final Exception ex)
        {
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }
}
