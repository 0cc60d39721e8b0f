package dev.ra.examples.leader;

import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * check fails or times out, the companion is stopped, and the checks go on: once one confirms the claim again (a
 * brief lag, no election), the companion starts again with the same epoch. Checks for a claim end when a newer claim
 * is seen, or a newer claim for this node takes over and restarts the companion with the new epoch. So the grace
 * period configured in the machine must exceed {@code checkPeriod} twice (a check may take up to
 * {@code checkPeriod} to time out), or two companions may overlap. Starting again after a failed check keeps this
 * bound: it follows a confirmation, like the first start, and a claim once superseded is never confirmed again.
 * The host learns the grace period from the claim ({@link StartCompanion#graceMs()}): a claim whose grace period is
 * not above twice the check period is refused, and the companion not started, with an error logged and kept in
 * {@link #misconfiguration()} naming both settings.
 *
 * <p>{@link #close} stops the companion and cancels a start still waiting for its grace period; a closed host starts
 * nothing and ignores claims. Closing again does nothing.
 *
 * <p>The handler only hands work to the host's own thread, so it never blocks the server's event loop. Thread-safe.
 */
public final class CompanionHost implements Consumer<Object>, AutoCloseable
{
    /**
     * The shortest check period. A check is a consistent query that must answer within the period, which takes a
     * quorum's round trip: below a millisecond checks would hardly ever confirm, and the companion would not run.
     */
    public static final Duration MIN_CHECK_PERIOD = Duration.ofMillis(1);

    private static final Logger LOG = LoggerFactory.getLogger(CompanionHost.class);

    private final ServerId localServer;
    private final Companion companion;
    private final Duration checkPeriod;
    private final long checkPeriodNanos;
    private final ScheduledThreadPoolExecutor executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile RaSystem system;
    private volatile String misconfiguration;

    // Only touched on the executor's thread.
    private long pendingEpoch;
    private long watchedEpoch;
    private long runningEpoch;
    private ScheduledFuture<?> pendingStart;
    private ScheduledFuture<?> watchdog;

    /**
     * @param localServer the member of the follow-the-leader cluster on this node.
     * @param companion   to run while this node leads.
     * @param checkPeriod between leadership checks, also the timeout of each check; at least
     *                    {@link #MIN_CHECK_PERIOD}.
     */
    public CompanionHost(final ServerId localServer, final Companion companion, final Duration checkPeriod)
    {
        this.localServer = Objects.requireNonNull(localServer, "localServer");
        this.companion = Objects.requireNonNull(companion, "companion");
        Objects.requireNonNull(checkPeriod, "checkPeriod");
        if (checkPeriod.compareTo(MIN_CHECK_PERIOD) < 0)
        {
            throw new IllegalArgumentException("check period must be at least " + MIN_CHECK_PERIOD.toMillis() +
                " ms, got " + checkPeriod);
        }
        this.checkPeriod = checkPeriod;
        this.checkPeriodNanos = checkPeriod.toNanos();
        this.executor = new ScheduledThreadPoolExecutor(1, r ->
        {
            final Thread thread = new Thread(r, "companion-host-" + localServer);
            thread.setDaemon(true);
            return thread;
        });
        // By default a shut-down executor still runs the delayed tasks it holds: a start waiting for its grace
        // period would then start a companion after close, with nothing left to stop it.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
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
     * anything else, and everything once closed. Never blocks, never throws.
     *
     * @param argument of the mod-call.
     */
    @Override
    public void accept(final Object argument)
    {
        if (argument instanceof StartCompanion start && start.leader().equals(localServer) && !closed.get())
        {
            try
            {
                executor.execute(() -> scheduleStart(start));
            }
            catch (final RejectedExecutionException ex)
            {
                // Closed meanwhile: a closed host starts nothing, and this runs on Ra's thread.
                LOG.debug("{}: closed; claim for epoch {} ignored", localServer, start.epoch());
            }
        }
    }

    /**
     * @return the epoch the companion currently runs with, 0 if it does not run.
     */
    public long runningEpoch()
    {
        try
        {
            return executor.submit(() -> runningEpoch).get(checkPeriodNanos * 4, TimeUnit.NANOSECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("companion host did not answer", ex);
        }
    }

    /**
     * @return why the host refused to start the companion for a claim: the machine's grace period is not above twice
     *         this host's check period, so two companions could overlap; empty while no claim was refused.
     */
    public Optional<String> misconfiguration()
    {
        return Optional.ofNullable(misconfiguration);
    }

    /**
     * Stop the companion if it runs, cancel a start waiting for its grace period, and stop the host's thread.
     * Closing again does nothing.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        executor.execute(this::stopWatching);
        executor.shutdown();
        try
        {
            executor.awaitTermination(checkPeriodNanos * 4, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleStart(final StartCompanion start)
    {
        if (closed.get() || start.epoch() <= pendingEpoch)
        {
            return;
        }
        pendingEpoch = start.epoch();
        if (start.graceMs() * 1_000_000L <= 2 * checkPeriodNanos)
        {
            // The previous leader's host may take up to two check periods to see it lost and stop its companion:
            // starting this one before that could run two at once, which is what the grace period is there to prevent.
            misconfiguration = localServer + ": companion not started for epoch " + start.epoch() + ": the grace " +
                "period of the follow-the-leader machine (" + start.graceMs() + " ms) must exceed twice the check " +
                "period of the CompanionHost (" + checkPeriod.toMillis() + " ms), or two companions may run at once";
            LOG.error(misconfiguration);
            if (null != pendingStart)
            {
                pendingStart.cancel(false);
                pendingStart = null;
            }
            return;
        }
        if (null != pendingStart)
        {
            pendingStart.cancel(false);
        }
        pendingStart = executor.schedule(() -> begin(start.epoch()), start.graceMs(), TimeUnit.MILLISECONDS);
    }

    private void begin(final long epoch)
    {
        if (closed.get() || epoch != pendingEpoch || epoch == watchedEpoch)
        {
            return;
        }
        if (null == system)
        {
            // A member restarted while its system was being built claimed leadership before attach: wait for it,
            // since without a system the claim cannot be confirmed, and no newer claim may come to start the companion.
            pendingStart = executor.schedule(() -> begin(epoch), checkPeriodNanos, TimeUnit.NANOSECONDS);
            return;
        }
        stopWatching();
        watchedEpoch = epoch;
        check(epoch);
        if (watchedEpoch == epoch)
        {
            watchdog = executor.scheduleWithFixedDelay(() -> check(epoch), checkPeriodNanos, checkPeriodNanos,
                TimeUnit.NANOSECONDS);
        }
    }

    private void check(final long epoch)
    {
        if (closed.get() || epoch != watchedEpoch)
        {
            return;
        }
        switch (leadership(epoch))
        {
            case CONFIRMED ->
            {
                if (0 == runningEpoch)
                {
                    startCompanion(epoch);
                }
            }
            case UNCONFIRMED ->
            {
                if (epoch == runningEpoch)
                {
                    LOG.info("{}: leadership epoch {} unconfirmed; stopping companion until it is confirmed again",
                        localServer, epoch);
                    stopCompanion();
                }
                else
                {
                    LOG.debug("{}: leadership epoch {} unconfirmed; companion not started", localServer, epoch);
                }
            }
            case SUPERSEDED ->
            {
                LOG.info("{}: leadership epoch {} superseded; companion stopped for good", localServer, epoch);
                stopWatching();
            }
        }
    }

    private void startCompanion(final long epoch)
    {
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
    }

    private void stopWatching()
    {
        if (null != watchdog)
        {
            watchdog.cancel(false);
            watchdog = null;
        }
        watchedEpoch = 0;
        stopCompanion();
    }

    private void stopCompanion()
    {
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

    private Leadership leadership(final long epoch)
    {
        final RaSystem current = system;
        if (null == current)
        {
            return Leadership.UNCONFIRMED;
        }
        try
        {
            if (!current.isRunning(localServer))
            {
                return Leadership.UNCONFIRMED;
            }
            if (current.overview(localServer).role() != RaftRole.LEADER)
            {
                // A follower's own state is enough to tell that a newer claim was applied: it never comes back.
                final LeadershipState applied = current.<LeadershipState, LeadershipState>localQueryAsync(localServer,
                    state -> state, checkPeriod).get(checkPeriodNanos * 2, TimeUnit.NANOSECONDS).result();
                return applied.epoch() > epoch ? Leadership.SUPERSEDED : Leadership.UNCONFIRMED;
            }
            final LeadershipState latest = current.<LeadershipState, LeadershipState>consistentQueryAsync(localServer,
                state -> state, checkPeriod).get(checkPeriodNanos * 2, TimeUnit.NANOSECONDS).result();
            if (latest.isCurrent(localServer, epoch))
            {
                return Leadership.CONFIRMED;
            }
            return latest.epoch() > epoch ? Leadership.SUPERSEDED : Leadership.UNCONFIRMED;
        }
        catch (final Exception ex)
        {
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            return Leadership.UNCONFIRMED;
        }
    }

    /**
     * What a leadership check found about one claim.
     */
    private enum Leadership
    {
        /** The local member leads and its claim is the latest. */
        CONFIRMED,
        /** The check failed, timed out, or the member does not lead now: the claim may still be the latest. */
        UNCONFIRMED,
        /** A newer claim was applied: this one is never the latest again. */
        SUPERSEDED
    }
}
