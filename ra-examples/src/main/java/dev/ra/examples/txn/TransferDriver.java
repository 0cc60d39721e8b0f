package dev.ra.examples.txn;

import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.UnknownServerException;
import dev.ra.examples.support.ClusterClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active half of the coordinator: for one driver EPOCH, on the node of the coordinator cluster's leader, it takes
 * every unfinished transaction in the coordinator's log through the two phases (see {@link CoordinatorMachine}).
 * Every step is idempotent, so a pass can be repeated after any failure, and transactions are driven one at a time,
 * in the order they began.
 *
 * <p>Not thread-safe: {@link DriverHost} runs each driver on a thread of its own.
 */
public final class TransferDriver implements DriverPasses
{
    private static final Logger LOG = LoggerFactory.getLogger(TransferDriver.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** How often at most the participants are told a new watermark: each telling is a command in their logs. */
    private static final long WATERMARK_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
    /**
     * How long a participant that did not take a watermark is left alone: each try may wait for the call timeout,
     * which would hold up the transactions of the other participants at every interval while it is unreachable.
     */
    private static final long WATERMARK_BACKOFF_NANOS = Duration.ofSeconds(30).toNanos();
    private static final String PRESUMED_ABORT =
        "the coordinator failed over before deciding (presumed abort: the prepares may be incomplete)";

    private final RaSystem system;
    private final ServerId localMember;
    private final long epoch;
    private final Map<String, ParticipantClient> participants;
    private final DriverCheckpoint checkpoint;
    private final ClusterClient coordinator;
    /** The watermark each participant acknowledged, by cluster name. */
    private final Map<String, Long> watermarksTold = new HashMap<>();
    /** When a participant that did not take a watermark is tried again ({@link System#nanoTime()}), by name. */
    private final Map<String, Long> watermarkRetryNanos = new HashMap<>();
    /** When the participants were last told one ({@link System#nanoTime()}), or null before the first time. */
    private Long watermarkToldNanos;

    /**
     * @param system       hosting the coordinator member {@code localMember}.
     * @param localMember  the coordinator member on this node, which leads.
     * @param epoch        of the claim this driver serves.
     * @param participants clients of the participant clusters, by cluster name.
     * @param checkpoint   told at the protocol's critical points.
     */
    public TransferDriver(final RaSystem system, final ServerId localMember, final long epoch,
        final Map<String, ParticipantClient> participants, final DriverCheckpoint checkpoint)
    {
        this.system = Objects.requireNonNull(system, "system");
        this.localMember = Objects.requireNonNull(localMember, "localMember");
        this.epoch = epoch;
        this.participants = Map.copyOf(participants);
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        this.coordinator = new ClusterClient(system, List.of(localMember), CALL_TIMEOUT, ATTEMPT_TIMEOUT);
    }

    /**
     * @return the epoch this driver serves.
     */
    public long epoch()
    {
        return epoch;
    }

    /**
     * Whether this driver may go on: the local member runs, leads, and no newer claim is applied. A failure to tell
     * counts as "yes" (the next pass checks again); a wrong "yes" is harmless, see {@link CoordinatorMachine}.
     *
     * @return false once this driver is superseded.
     */
    @Override
    public boolean isCurrent()
    {
        try
        {
            return system.isRunning(localMember) && system.overview(localMember).role() == RaftRole.LEADER &&
                system.<CoordinatorState, Long>localQuery(localMember, CoordinatorState::epoch).result() == epoch;
        }
        catch (final UnknownServerException ex)
        {
            return false;
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("{}: could not check driver epoch {}", localMember, epoch, ex);
            return true;
        }
    }

    /**
     * Drive every unfinished transaction once, as far as it goes. Failures are logged and left for the next pass.
     */
    @Override
    public void runOnce()
    {
        final CoordinatorState state =
            system.<CoordinatorState, CoordinatorState>localQuery(localMember, s -> s).result();
        for (final String txId : state.unfinished())
        {
            try
            {
                drive(txId, state.transaction(txId));
            }
            catch (final RuntimeException ex)
            {
                LOG.debug("{}: transaction {} not finished in this pass", localMember, txId, ex);
            }
        }
        tellWatermark(state.participantWatermark());
    }

    /**
     * Tell the participants that have not heard it the stamp up to which they may forget their decisions
     * ({@link CoordinatorState#participantWatermark()}), at most once a {@link #WATERMARK_INTERVAL_NANOS}. A
     * participant that does not take it (unreachable, or still at machine version 0) is told again after
     * {@link #WATERMARK_BACKOFF_NANOS}.
     */
    private void tellWatermark(final long watermark)
    {
        final long now = System.nanoTime();
        if (watermark < 1 || (null != watermarkToldNanos && now - watermarkToldNanos < WATERMARK_INTERVAL_NANOS))
        {
            return;
        }
        watermarkToldNanos = now;
        for (final Map.Entry<String, ParticipantClient> participant : participants.entrySet())
        {
            final Long retry = watermarkRetryNanos.get(participant.getKey());
            if (watermarksTold.getOrDefault(participant.getKey(), 0L) >= watermark ||
                (null != retry && now - retry < 0))
            {
                continue;
            }
            try
            {
                watermarksTold.put(participant.getKey(), participant.getValue().forget(watermark));
                watermarkRetryNanos.remove(participant.getKey());
            }
            catch (final RuntimeException ex)
            {
                watermarkRetryNanos.put(participant.getKey(), now + WATERMARK_BACKOFF_NANOS);
                LOG.debug("{}: participant {} not told the watermark {}", localMember, participant.getKey(),
                    watermark, ex);
            }
        }
    }

    private void drive(final String txId, final Transaction tx)
    {
        Phase phase = tx.phase();
        if (phase == Phase.PREPARING)
        {
            if (tx.epoch() > epoch)
            {
                return;
            }
            // A transaction begun under an earlier driver lost the one that was collecting its votes: presumed abort.
            final String refusal = tx.epoch() == epoch ? prepareAll(txId, tx.legs()) : PRESUMED_ABORT;
            if (tx.epoch() == epoch)
            {
                checkpoint.reached(DriverCheckpoint.AFTER_PREPARE, txId);
            }
            phase = coordinator.command(new CoordinatorCommand.Decide(txId, refusal.isEmpty(), refusal), true);
            checkpoint.reached(DriverCheckpoint.AFTER_DECISION, txId);
        }
        for (final Map.Entry<String, List<Change>> part : byParticipant(tx.legs()).entrySet())
        {
            final ParticipantClient participant = participants.get(part.getKey());
            if (null == participant)
            {
                // It was never asked to prepare, so it has nothing to commit or release.
                continue;
            }
            final TxStatus status = phase.commits() ? participant.commit(txId) : participant.abort(txId);
            if (status != (phase.commits() ? TxStatus.COMMITTED : TxStatus.ABORTED))
            {
                LOG.error("{}: participant {} answered {} to the {} of transaction {}", localMember,
                    part.getKey(), status, phase, txId);
            }
        }
        coordinator.command(new CoordinatorCommand.Finish(txId), true);
    }

    /**
     * Ask every participant to prepare its part, stopping at the first no.
     *
     * @return empty if every participant voted yes, else why the transaction must abort.
     */
    private String prepareAll(final String txId, final List<Leg> legs)
    {
        for (final Map.Entry<String, List<Change>> part : byParticipant(legs).entrySet())
        {
            final ParticipantClient participant = participants.get(part.getKey());
            if (null == participant)
            {
                LOG.info("{}: transaction {} names the unknown participant '{}'; aborting it", localMember, txId,
                    part.getKey());
                return "participant '" + part.getKey() + "' is unknown to the coordinator";
            }
            final Vote vote;
            try
            {
                vote = participant.prepare(txId, part.getValue());
            }
            catch (final RuntimeException ex)
            {
                LOG.debug("{}: participant {} did not vote on {}; aborting it", localMember, part.getKey(), txId, ex);
                return "participant '" + part.getKey() + "' did not vote: " + ex.getMessage();
            }
            if (!vote.yes())
            {
                return "participant '" + part.getKey() + "' voted no: " + vote.reason();
            }
        }
        return "";
    }

    private static Map<String, List<Change>> byParticipant(final List<Leg> legs)
    {
        final Map<String, List<Change>> parts = new LinkedHashMap<>();
        for (final Leg leg : legs)
        {
            parts.computeIfAbsent(leg.participant(), p -> new ArrayList<>()).add(leg.change());
        }
        return parts;
    }
}
