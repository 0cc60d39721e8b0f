package dev.ra.examples.watch;

import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.NumberedCalls;
import dev.ra.examples.support.OwnThread;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a watch: receives the {@link WatchNotification}s of one watch on a process of this node and hands
 * each revision's events to a listener exactly once, in revision order, across leader failovers.
 *
 * <p>Every batch names the batch before it ({@link WatchNotification.Events#previous}). A batch at or below the last
 * delivered revision is a duplicate and dropped; a batch whose {@code previous} is not the last delivered revision
 * reveals a gap (batches lost with a failed leader) and is held back while the watcher re-registers the same watch
 * from the last delivered revision + 1, which replays the gap from the machine's history. A
 * {@link WatchNotification.Resync} (sent by a new leader, or when this node is reachable again) that names a revision
 * beyond the last delivered one triggers the same resume. So does a {@link WatchNotification.Expired}: this node
 * was unreachable longer than the machine keeps a cut-off watcher's watch, and the watch is gone; the resume
 * registers it again from the last delivered revision + 1. If the history no longer reaches back that far, the
 * watch ends and {@code onCompacted} runs. If a resume is refused ({@link WatchReply.Refused}: the watch was gone
 * and another watcher has registered its id since), the watch ends too and {@code onRefused} runs with the reason:
 * the watcher is told, as etcd's watch is cancelled with a reason, rather than left waiting for events that will
 * never come; so does a resume answered with something that is no {@link WatchReply} (a machine that took it into its
 * log without handling it), and {@code watch} throws for such a registration. Registrations and resumes are numbered
 * calls ({@link WatchCommand.NumberedRegister}, with the plain
 * {@link WatchCommand.Register} to a cluster that refuses it before the log), so a copy of one held up on its way
 * changes nothing when it lands after the watch is live.
 *
 * <p>The machine behind the cluster must take {@link WatchCommand}s. The listener, {@code onCompacted} and
 * {@code onRefused} run on the watcher's own thread, the listener one batch at a time; any of them may close the
 * watcher, and no batch is delivered after that. Thread-safe.
 */
public final class Watcher implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);
    private static final long RETRY_MS = 200;
    private static final long RESUME_PAUSE_MS = 1_000;

    private final ClusterClient cluster;
    private final NumberedCalls calls;
    private final String watchId = UUID.randomUUID().toString();
    private final String prefix;
    private final Consumer<EventBatch> listener;
    private final Consumer<WatchReply.Compacted> onCompacted;
    private final Consumer<WatchReply.Refused> onRefused;
    private final OwnThread thread;
    private final ScheduledExecutorService executor;
    private final RaProcess inbox;
    private final AtomicBoolean closing = new AtomicBoolean();

    // Only touched on the executor's thread.
    private WatchCursor cursor;
    private long resumedFrom = -1;
    private long resumedAtNanos;
    private long sentThrough;
    private boolean recheckScheduled;
    private boolean ended;

    private Watcher(final ClusterClient cluster, final String prefix, final Consumer<EventBatch> listener,
        final Consumer<WatchReply.Compacted> onCompacted, final Consumer<WatchReply.Refused> onRefused)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.calls = new NumberedCalls(cluster);
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.onCompacted = Objects.requireNonNull(onCompacted, "onCompacted");
        this.onRefused = Objects.requireNonNull(onRefused, "onRefused");
        this.thread = new OwnThread("watcher-" + prefix);
        this.executor = thread.executor();
        this.inbox = cluster.system().spawn(message -> post(() -> onMessage(message)));
    }

    /**
     * Watch the keys under {@code prefix} from {@code startRevision}; a refused resume ends the watch with a warning
     * in the log only (see {@link #watch(ClusterClient, String, long, Consumer, Consumer, Consumer)} to be told).
     *
     * @param cluster       client of a cluster whose machine takes {@link WatchCommand}s.
     * @param prefix        of the keys; empty for every key.
     * @param startRevision first revision to deliver; 0 for "changes after now".
     * @param listener      of each revision's events.
     * @param onCompacted   run once if the history does not reach back to a revision the watch needs; the watch then
     *                      ends.
     * @return the watcher, registered.
     * @throws WatchCompactedException if {@code startRevision} is already older than the history.
     * @throws IllegalStateException   if the watch id is refused (see {@link WatchReply.Refused}).
     */
    public static Watcher watch(final ClusterClient cluster, final String prefix, final long startRevision,
        final Consumer<EventBatch> listener, final Consumer<WatchReply.Compacted> onCompacted)
    {
        return watch(cluster, prefix, startRevision, listener, onCompacted, refused ->
        {
        });
    }

    /**
     * Watch the keys under {@code prefix} from {@code startRevision}, and be told of every way the watch can end
     * other than {@link #close()}.
     *
     * @param cluster       client of a cluster whose machine takes {@link WatchCommand}s.
     * @param prefix        of the keys; empty for every key.
     * @param startRevision first revision to deliver; 0 for "changes after now".
     * @param listener      of each revision's events.
     * @param onCompacted   run once if the history does not reach back to a revision the watch needs; the watch then
     *                      ends.
     * @param onRefused     run once if a resume of the watch is refused (its reason names the id and the watcher
     *                      holding it), or answered with something that is no {@link WatchReply} (its reason says
     *                      what); the watch then ends.
     * @return the watcher, registered.
     * @throws WatchCompactedException if {@code startRevision} is already older than the history.
     * @throws IllegalStateException   if the watch id is refused (see {@link WatchReply.Refused}), or the
     *                                 registration is answered with something that is no {@link WatchReply}.
     */
    public static Watcher watch(final ClusterClient cluster, final String prefix, final long startRevision,
        final Consumer<EventBatch> listener, final Consumer<WatchReply.Compacted> onCompacted,
        final Consumer<WatchReply.Refused> onRefused)
    {
        final Watcher watcher = new Watcher(cluster, prefix, listener, onCompacted, onRefused);
        final WatchReply reply;
        try
        {
            reply = watcher.executor.submit(() -> watcher.register(startRevision)).get();
        }
        catch (final Exception ex)
        {
            watcher.close();
            final Throwable cause = ex.getCause() instanceof RuntimeException ? ex.getCause() : ex;
            throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
        }
        if (reply instanceof WatchReply.Compacted compacted)
        {
            watcher.close();
            throw new WatchCompactedException(compacted);
        }
        if (reply instanceof WatchReply.Refused refused)
        {
            watcher.close();
            throw new IllegalStateException(refused.reason());
        }
        return watcher;
    }

    /**
     * @return the id of the watch in the machine.
     */
    public String watchId()
    {
        return watchId;
    }

    /**
     * @return the last revision delivered to the listener (start - 1 before the first).
     */
    public long lastDelivered()
    {
        try
        {
            return executor.submit(() -> null == cursor ? -1 : cursor.lastDelivered()).get(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("watcher did not answer", ex);
        }
    }

    /**
     * Cancel the watch in the machine (best effort) and stop. Closing again does nothing. Called from the listener or
     * {@code onCompacted}, it returns once the cancel is done, without waiting for the watcher's thread, which ends
     * when the callback returns.
     */
    @Override
    public void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        if (thread.isCurrent())
        {
            end();
        }
        else
        {
            executor.execute(this::end);
        }
        executor.shutdown();
        thread.awaitEnd(Duration.ofSeconds(30));
        inbox.close();
    }

    private void end()
    {
        if (!ended && null != cursor)
        {
            ended = true;
            try
            {
                cancel(watchId, inbox.ref(), command -> cluster.command(command, true));
            }
            catch (final RuntimeException ex)
            {
                LOG.debug("watch {}: cancel failed; its process ends anyway", watchId, ex);
            }
        }
        ended = true;
    }

    /**
     * Cancel a watch as its watcher ({@link WatchCommand.CancelOwn}). A cluster still at a machine version before 2
     * refuses that before the log ({@link InvalidCommandException}; or, should it reach the log, with
     * {@link WatchReply.Refused}), and is sent the {@link WatchCommand.Cancel} it knows. Should the cluster switch to
     * version 2 between the two, that cancel is refused in turn, and the watcher's own cancel is sent once more. A
     * refusal at version 2 (the id is another watcher's) changes nothing whatever follows it: at that version the
     * cancel naming no watcher is refused too.
     *
     * @param watchId of the watch.
     * @param watcher that registered it.
     * @param send    one command to the cluster, returning its reply.
     * @return the reply of the last cancel sent.
     */
    static Object cancel(final String watchId, final ProcessRef watcher, final Function<WatchCommand, Object> send)
    {
        final WatchCommand.CancelOwn own = new WatchCommand.CancelOwn(watchId, watcher);
        boolean refusedBeforeTheLog = false;
        try
        {
            final Object reply = send.apply(own);
            if (!(reply instanceof WatchReply.Refused))
            {
                return reply;
            }
        }
        catch (final InvalidCommandException olderMachineVersion)
        {
            refusedBeforeTheLog = true;
        }
        final Object reply = send.apply(new WatchCommand.Cancel(watchId));
        return refusedBeforeTheLog && reply instanceof WatchReply.Refused ? send.apply(own) : reply;
    }

    /**
     * Register (or resume) the watch: numbered ({@link WatchCommand.NumberedRegister}), so that a copy of an attempt
     * held up on its way changes nothing when it lands after the watch is live, and sent again with its number while
     * its outcome is unknown; to a cluster that refuses it before the log (at an older machine version), the plain
     * {@link WatchCommand.Register}, retried, as before. An answer that is no {@link WatchReply} is taken for a
     * {@link WatchReply.Refused} saying what came back: the watch is not live.
     */
    private WatchReply register(final long startRevision)
    {
        final WatchCommand.Register register = new WatchCommand.Register(watchId, inbox.ref(), prefix, startRevision);
        final Object answer = calls.<Object>send("watch registration",
            number -> new WatchCommand.NumberedRegister(register, number), () -> cluster.command(register, true));
        if (!(answer instanceof WatchReply reply))
        {
            // Taken into the log but not handled (a machine that does not know the numbered registration, say): no
            // watch is live, so the watcher is told, not left waiting for events that never come.
            return new WatchReply.Refused(watchId, "watch registration of " + watchId + " from revision " +
                startRevision + " was answered " + answer + ", not a WatchReply: the machine of the cluster does " +
                "not handle it (a machine embedding WatchHub handles WatchCommand.NumberedRegister, or refuses it " +
                "before the log)");
        }
        if (reply instanceof WatchReply.Watching watching && null == cursor)
        {
            cursor = new WatchCursor(watching.startRevision() - 1);
        }
        return reply;
    }

    private void onMessage(final Object message)
    {
        if (ended || null == cursor)
        {
            return;
        }
        if (message instanceof WatchNotification.Events events && events.watchId().equals(watchId))
        {
            for (final EventBatch batch : cursor.offer(events))
            {
                if (ended)
                {
                    // The listener closed the watcher.
                    break;
                }
                try
                {
                    listener.accept(batch);
                }
                catch (final RuntimeException ex)
                {
                    LOG.warn("watch {}: listener failed on revision {}", watchId, batch.revision(), ex);
                }
            }
            resumeIfNeeded();
        }
        else if (message instanceof WatchNotification.Resync resync && resync.watchId().equals(watchId))
        {
            sentThrough = Math.max(sentThrough, resync.lastSent());
            resumeIfNeeded();
        }
        else if (message instanceof WatchNotification.Expired expired && expired.watchId().equals(watchId))
        {
            LOG.debug("watch {}: expired while this node was unreachable; registering again from {}", watchId,
                cursor.resumeFrom());
            resumeNow();
        }
    }

    /**
     * Re-register from the last delivered revision + 1 whatever the cursor says: the watch is gone from the machine,
     * so nothing would ever show a gap. Retried shortly if the call fails.
     */
    private void resumeNow()
    {
        if (ended)
        {
            return;
        }
        registerFromCursor(this::resumeNow);
    }

    /**
     * Register again from the cursor's resume point; a failed call is retried shortly by {@code retry}.
     */
    private void registerFromCursor(final Runnable retry)
    {
        resumedFrom = cursor.resumeFrom();
        resumedAtNanos = System.nanoTime();
        try
        {
            endIfCompacted(register(resumedFrom));
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("watch {}: registering again from {} failed; retrying", watchId, resumedFrom, ex);
            resumedFrom = -1;
            executor.schedule(retry, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void endIfCompacted(final WatchReply reply)
    {
        if (reply instanceof WatchReply.Compacted compacted)
        {
            ended = true;
            cursor.clear();
            onCompacted.accept(compacted);
        }
        else if (reply instanceof WatchReply.Refused refused)
        {
            // Another client took this watcher's random id after its watch was gone, or the machine did not handle the
            // resume: nothing left to resume.
            LOG.warn("watch {}: ends, its resume was refused: {}", watchId, refused.reason());
            ended = true;
            cursor.clear();
            onRefused.accept(refused);
        }
    }

    /**
     * Re-register from the last delivered revision + 1 when batches are held back behind a gap or the machine said it
     * sent more than was delivered: the replay, then the batches held back, close the gap. A resume from the same
     * revision is not repeated while its replay may still be on its way; it is checked again after a pause (a second
     * failover may have lost the replay too), and a failed call is retried shortly.
     */
    private void resumeIfNeeded()
    {
        if (ended || !(cursor.hasGap() || cursor.isBehind(sentThrough)))
        {
            return;
        }
        final long sinceLastNanos = System.nanoTime() - resumedAtNanos;
        final long pauseNanos = TimeUnit.MILLISECONDS.toNanos(RESUME_PAUSE_MS);
        if (resumedFrom == cursor.resumeFrom() && sinceLastNanos < pauseNanos)
        {
            if (!recheckScheduled)
            {
                recheckScheduled = true;
                executor.schedule(() ->
                {
                    recheckScheduled = false;
                    resumeIfNeeded();
                }, pauseNanos - sinceLastNanos, TimeUnit.NANOSECONDS);
            }
            return;
        }
        registerFromCursor(this::resumeIfNeeded);
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
