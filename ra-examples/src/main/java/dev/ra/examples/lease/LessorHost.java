package dev.ra.examples.lease;

import dev.ra.CommandResult;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.examples.support.OwnThread;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lessor: the leader-local half of sessions (etcd's lessor). It is the {@link dev.ra.Effect.ModCall} handler a
 * machine with a {@link SessionTable} drives ({@link LessorCall}), and a process that receives the keep-alives of
 * clients ({@link KeepAliveMessage.KeepAlive}) without writing them to the log. It tracks when it last heard from each
 * session with this node's clock, and when a session's TTL lapses it asks the log to end it
 * ({@link SessionCommand.Expire} with its epoch); the machine refuses the expiry if a newer lessor started meanwhile.
 *
 * <p>Register one host per member, under the machine's handler name, then {@link #attach} the built system:
 * <pre>{@code
 * LessorHost lessor = new LessorHost(new ServerId("kv", node), Duration.ofMillis(100));
 * RaSystem system = RaSystem.builder()...
 *     .modCallHandler(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, lessor)
 *     .registerMachine("kv", LeasedKvMachine::new)
 *     .build();
 * lessor.attach(system);
 * }</pre>
 *
 * <p><b>Lifecycle.</b> Effects run on the leader only, so only the leader's host is started
 * ({@link LessorCall.Start}); it starts EVERY session's clock at that moment, which is the "fresh TTL after a
 * failover" rule, then reports its process in the log ({@link SessionCommand.LessorReady}) for clients to find. Every
 * {@code checkPeriod} it checks that its member still leads; when it does not, it stops answering keep-alives (clients
 * then look for the new lessor) and stops expiring. A check that cannot tell (the member's overview failed, say
 * timed out on a busy member) expires nothing and is made again at the next period: only a new
 * {@link LessorCall.Start} would start a stopped lessor again, so stopping on a passing failure would leave a leader
 * without a lessor and its sessions without expiry.
 *
 * <p><b>Bound.</b> A session whose client died after its last keep-alive at time t ends by t + TTL + checkPeriod +
 * commit time with a steady leader. Each failover before that may extend it by up to the time to elect a leader and
 * commit its first entry plus one TTL (the fresh TTL), so with one failover by t + 2 TTL + election + 2 commits +
 * checkPeriod. A live client is never expired early by a failover: it has a full TTL from the new lessor's start to
 * find it. Nor by a stall of this node: a stall of a quarter TTL or more does not count towards that TTL
 * ({@link SessionClocks}), extending the bound by the stall.
 *
 * <p>All state is confined to the host's own thread; the handler and the process only hand work to it. Thread-safe.
 */
public final class LessorHost implements Consumer<Object>, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LessorHost.class);

    private final ServerId localServer;
    private final Duration checkPeriod;
    private final BiFunction<RaSystem, ServerId, RaftRole> roleOf;
    private final OwnThread thread;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile RaSystem system;

    // Only touched on the executor's thread.
    private RaProcess process;
    private long epoch;
    private long highestEpoch;
    private boolean announced;
    private final SessionClocks sessions;
    private final Set<Long> expiring = new HashSet<>();
    private ScheduledFuture<?> checker;

    /**
     * @param localServer the member on this node of the cluster whose sessions this host keeps.
     * @param checkPeriod between TTL checks (and leadership checks); the expiry granularity; at least 1 ms.
     */
    public LessorHost(final ServerId localServer, final Duration checkPeriod)
    {
        this(localServer, checkPeriod, (system, server) -> system.overview(server).role());
    }

    /**
     * @param localServer the member on this node of the cluster whose sessions this host keeps.
     * @param checkPeriod between TTL checks (and leadership checks); the expiry granularity.
     * @param roleOf      the role of a running member of a system; throws if it cannot tell.
     */
    LessorHost(final ServerId localServer, final Duration checkPeriod,
        final BiFunction<RaSystem, ServerId, RaftRole> roleOf)
    {
        this.roleOf = Objects.requireNonNull(roleOf, "roleOf");
        this.localServer = Objects.requireNonNull(localServer, "localServer");
        // Scheduled in whole milliseconds: below one the period would be 0, which the scheduler refuses on the
        // lessor's own thread, and no session would ever expire.
        if (checkPeriod.compareTo(Duration.ofMillis(1)) < 0)
        {
            throw new IllegalArgumentException("check period must be at least 1 ms, got " + checkPeriod);
        }
        this.checkPeriod = checkPeriod;
        this.sessions = new SessionClocks(checkPeriod.toNanos(), System.nanoTime());
        this.thread = new OwnThread("lessor-" + localServer);
        this.executor = thread.executor();
    }

    /**
     * Give the host the built system: it spawns its keep-alive process there and reports a lessor started before.
     *
     * @param built hosting {@code localServer}.
     */
    public void attach(final RaSystem built)
    {
        this.system = Objects.requireNonNull(built, "built");
        executor.execute(() ->
        {
            process = built.spawn(message -> post(() -> onMessage(message)));
            announce();
        });
    }

    /**
     * The {@link dev.ra.Effect.ModCall} entry point: acts on {@link LessorCall}s, ignores anything else. Never blocks.
     *
     * @param argument of the mod-call.
     */
    @Override
    public void accept(final Object argument)
    {
        if (argument instanceof LessorCall call)
        {
            post(() -> onCall(call));
        }
    }

    /**
     * @return the epoch this host's lessor runs in, 0 if it does not run; for tests and diagnostics.
     */
    public long epoch()
    {
        try
        {
            return executor.submit(() -> epoch).get(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("lessor host did not answer", ex);
        }
    }

    /**
     * Stop the lessor and its process. Closing again does nothing.
     */
    @Override
    public void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        executor.execute(() ->
        {
            stop();
            if (null != process)
            {
                process.close();
            }
        });
        executor.shutdown();
        thread.awaitEnd(Duration.ofSeconds(10));
    }

    private void onCall(final LessorCall call)
    {
        final long now = System.nanoTime();
        if (call instanceof LessorCall.Start start)
        {
            if (start.epoch() <= highestEpoch)
            {
                // Entries apply in log order, so an older start can only be a replay: the newer one stands.
                return;
            }
            epoch = start.epoch();
            highestEpoch = epoch;
            announced = false;
            sessions.clear(now);
            expiring.clear();
            // Fresh TTL for everyone: the keep-alives the previous lessor heard are unknown here.
            for (final LessorCall.Tracked tracked : start.sessions())
            {
                sessions.track(tracked.sessionId(), tracked.ttlMs(), now);
            }
            if (null == checker)
            {
                checker = executor.scheduleWithFixedDelay(this::check, checkPeriod.toMillis(), checkPeriod.toMillis(),
                    TimeUnit.MILLISECONDS);
            }
            announce();
        }
        else if (call instanceof LessorCall.Track track)
        {
            sessions.track(track.session().sessionId(), track.session().ttlMs(), now);
        }
        else if (call instanceof LessorCall.Untrack untrack)
        {
            sessions.untrack(untrack.sessionId());
            expiring.remove(untrack.sessionId());
        }
    }

    private void announce()
    {
        final RaSystem current = system;
        if (0 == epoch || announced || null == current || null == process)
        {
            return;
        }
        announced = true;
        final long announcedEpoch = epoch;
        current.processCommandAsync(localServer, new SessionCommand.LessorReady(epoch, process.ref()), checkPeriod
            .multipliedBy(20)).whenComplete((result, failure) -> post(() ->
            {
                if (null != failure && announcedEpoch == epoch)
                {
                    // Not committed (yet): try again on the next check; a newer epoch would have reset this anyway.
                    announced = false;
                }
            }));
    }

    private void onMessage(final Object message)
    {
        if (!(message instanceof KeepAliveMessage.KeepAlive keepAlive) || null == system)
        {
            return;
        }
        if (0 == epoch || !sessions.tracks(keepAlive.sessionId()) || expiring.contains(keepAlive.sessionId()))
        {
            system.send(keepAlive.replyTo(), new KeepAliveMessage.NotFound(keepAlive.sessionId(), epoch));
            return;
        }
        final long ttlMs = sessions.heard(keepAlive.sessionId(), System.nanoTime());
        system.send(keepAlive.replyTo(), new KeepAliveMessage.Ack(keepAlive.sessionId(), ttlMs, epoch));
    }

    private void check()
    {
        if (0 == epoch)
        {
            return;
        }
        // Before the leadership check, which may block: every check counts towards telling a late one, and one that
        // ran late (this node stalled, or the last leadership check was slow: keep-alives unread meanwhile) does not
        // count the stall towards the TTLs (SessionClocks).
        final List<Long> lapsed = sessions.lapsed(System.nanoTime());
        final Leadership leadership = leadership();
        if (leadership == Leadership.UNKNOWN)
        {
            return;
        }
        if (leadership == Leadership.LOST)
        {
            LOG.debug("{}: no longer leads; lessor of epoch {} stops", localServer, epoch);
            stop();
            return;
        }
        announce();
        for (final long id : lapsed)
        {
            if (!expiring.contains(id))
            {
                expire(id);
            }
        }
    }

    private void expire(final long id)
    {
        expiring.add(id);
        final long expiryEpoch = epoch;
        system.<SessionReply>processCommandAsync(localServer, new SessionCommand.Expire(id, expiryEpoch),
            checkPeriod.multipliedBy(20)).whenComplete((result, failure) -> post(() ->
                expired(id, expiryEpoch, result, failure)));
    }

    private void expired(final long id, final long expiryEpoch, final CommandResult<SessionReply> result,
        final Throwable failure)
    {
        if (expiryEpoch != epoch)
        {
            return;
        }
        if (null != failure)
        {
            // Unknown outcome: ask again at the next check (a second Expire of an ended session changes nothing).
            expiring.remove(id);
            return;
        }
        if (result.reply() instanceof SessionReply.ExpiryRefused refused && refused.currentEpoch() > epoch)
        {
            LOG.debug("{}: lessor epoch {} superseded by {}", localServer, epoch, refused.currentEpoch());
            stop();
            return;
        }
        sessions.untrack(id);
        expiring.remove(id);
    }

    private Leadership leadership()
    {
        final RaSystem current = system;
        if (null == current || !current.isRunning(localServer))
        {
            return Leadership.LOST;
        }
        try
        {
            return roleOf.apply(current, localServer) == RaftRole.LEADER ? Leadership.HELD : Leadership.LOST;
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("{}: could not tell whether it still leads; checking again in {}", localServer, checkPeriod,
                ex);
            return Leadership.UNKNOWN;
        }
    }

    /**
     * What a leadership check found.
     */
    private enum Leadership
    {
        /** The member leads. */
        HELD,
        /** The member does not lead, or no longer runs. */
        LOST,
        /** The check failed; a member that stopped is found so at a later check. */
        UNKNOWN
    }

    private void stop()
    {
        epoch = 0;
        announced = false;
        sessions.clear(System.nanoTime());
        expiring.clear();
        if (null != checker)
        {
            checker.cancel(false);
            checker = null;
        }
    }

    /**
     * Hand work to this object's thread; dropped once it is closed (a message may still arrive while it closes).
     */
    private void post(final Runnable work)
    {
        try
        {
            executor.execute(work);
        }
        catch (final RejectedExecutionException closed)
        {
            // Closed: nothing left to do with it.
        }
    }
}
