package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The coordinator and two participants together, forgetting: a coordinator that keeps {@link #KEPT} finished
 * transactions, participants told watermarks (also stale ones), drivers that crash between any two steps and are
 * replaced (presumed abort), replaced drivers whose prepares, commits, aborts and decisions arrive late, clients that
 * retry old ids (forgotten or not) and stamp new ones with clocks a little behind or ahead (within the skew allowed,
 * so every new one begins). After every step and at the end,
 * once every transaction has ended and every late message has arrived: each id's client is told at most once, money
 * is conserved, a begin never starts again an id that had begun, no reservation is left, and the balances are the
 * deposits moved by exactly the transfers the clients were told committed.
 *
 * <p>Seeded {@link Random}: a failure names its seed; {@code -Dforgetting.seed=N} replays one,
 * {@code -Dforgetting.seeds=N} runs more.
 */
class ForgettingTransfersModelTest
{
    private static final int KEPT = 2;
    /** How far a stamp may be from the coordinator's log time. */
    private static final long SKEW_MS = 4;
    /** How long after its stamp, in log time, a finished transaction is kept at least. */
    private static final long KEPT_FOR_MS = 6;
    private static final ServerId LEADER = new ServerId("coordinator", "n1");
    private static final ProcessRef CLIENT = new ProcessRef("app", 1);
    private static final List<String> PARTICIPANTS = List.of("p", "q");
    private static final long DEPOSIT = 20;

    @Test
    void transfersEndAllOrNothingWhileTheCoordinatorAndTheParticipantsForget()
    {
        final String one = System.getProperty("forgetting.seed");
        if (null != one)
        {
            run(Long.parseLong(one));
            return;
        }
        final int seeds = Integer.getInteger("forgetting.seeds", 200);
        final long base = new Random().nextLong();
        int forgetting = 0;
        for (int i = 0; i < seeds; i++)
        {
            forgetting += run(base + i) ? 1 : 0;
        }
        // Else the runs would prove nothing about forgetting (as when every begin was refused).
        assertThat(forgetting).as("runs from seed %d on in which the coordinator and a bank forgot", base)
            .isGreaterThan(seeds / 2);
    }

    /**
     * @return whether the coordinator forgot transactions and a bank decisions in the run.
     */
    private static boolean run(final long seed)
    {
        try
        {
            return new World(seed).run(200);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("failed with seed " + seed + " (replay: -Dforgetting.seed=" + seed + ")", ex);
        }
    }

    /** A participant command a driver sent, which may arrive again later. */
    private record Sent(String participant, ParticipantCommand command)
    {
    }

    private static final class World
    {
        private final Random random;
        private final MachineDriver<CoordinatorCommand, CoordinatorState> coordinator = new MachineDriver<>(
            new CoordinatorMachine(LEADER, "driver", ReleaseCursorPolicy.every(7), KEPT, Duration.ofMillis(SKEW_MS),
                Duration.ofMillis(KEPT_FOR_MS)), CoordinatorCommand.class);
        private final Map<String, MachineDriver<ParticipantCommand, ParticipantState>> banks = new LinkedHashMap<>();
        private final Map<String, List<Leg>> begun = new LinkedHashMap<>();
        private final Map<String, List<TransferFinished>> told = new LinkedHashMap<>();
        /** Transactions whose every prepare voted yes in some driver's run: a late commit decision may be logged. */
        private final Set<String> allYes = new HashSet<>();
        private final List<Sent> late = new ArrayList<>();
        private final List<Long> watermarks = new ArrayList<>();
        private long epoch;
        /** The coordinator's log time. */
        private long clock = MachineDriver.START_TIME_MS;
        private int ids;

        World(final long seed)
        {
            this.random = new Random(seed);
            for (final String name : PARTICIPANTS)
            {
                final MachineDriver<ParticipantCommand, ParticipantState> bank =
                    new MachineDriver<>(new ParticipantMachine(ReleaseCursorPolicy.every(5)), ParticipantCommand.class);
                bank.apply(new ParticipantCommand.Deposit("acc", DEPOSIT));
                banks.put(name, bank);
            }
            claim();
        }

        boolean run(final int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                step(true);
                check();
            }
            // Heal: no more crashes; every transaction ends, then every late message arrives.
            while (!coordinator.state().unfinished().isEmpty())
            {
                drive(coordinator.state().unfinished().get(0), false);
                check();
            }
            while (!late.isEmpty())
            {
                deliverLate();
                check();
            }
            long total = 0;
            for (final Map.Entry<String, MachineDriver<ParticipantCommand, ParticipantState>> bank : banks.entrySet())
            {
                final ParticipantState state = bank.getValue().state();
                total += state.total();
                assertThat(state.prepared()).as("reservations left at %s", bank.getKey()).isEmpty();
                long expected = DEPOSIT;
                for (final Map.Entry<String, List<TransferFinished>> e : told.entrySet())
                {
                    if (e.getValue().get(0).committed())
                    {
                        expected += begun.get(e.getKey()).stream().filter(l -> l.participant().equals(bank.getKey()))
                            .mapToLong(Leg::delta).sum();
                    }
                }
                assertThat(state.account("acc")).as("the account at %s", bank.getKey())
                    .isEqualTo(new Account(expected, 0));
            }
            // While transfers run, money is in flight between the banks; once all ended, none is.
            assertThat(total).as("money is conserved").isEqualTo(DEPOSIT * banks.size());
            return coordinator.state().horizon() > 0 &&
                banks.values().stream().anyMatch(bank -> bank.state().watermark() > 0);
        }

        private void step(final boolean mayCrash)
        {
            final int choice = random.nextInt(100);
            final List<String> unfinished = coordinator.state().unfinished();
            if (choice < 25)
            {
                beginNew();
            }
            else if (choice < 35 && !begun.isEmpty())
            {
                retry(pick(List.copyOf(begun.keySet())));
            }
            else if (choice < 65 && !unfinished.isEmpty())
            {
                drive(pick(unfinished), mayCrash);
            }
            else if (choice < 80)
            {
                deliverLate();
            }
            else if (choice < 88)
            {
                watermarks.add(coordinator.state().participantWatermark());
                final long watermark = pick(watermarks);
                if (watermark > 0)
                {
                    final String name = pick(PARTICIPANTS);
                    assertThat(bank(name).apply(new ParticipantCommand.Forget(watermark)).reply())
                        .as("the watermark %d at %s", watermark, name).isInstanceOf(Long.class);
                }
            }
            else if (choice < 93)
            {
                claim();
            }
            else if (!unfinished.isEmpty())
            {
                // A replaced driver that had all yes votes logs its commit decision late.
                final String txId = pick(unfinished);
                if (allYes.contains(txId))
                {
                    applyCoordinator(new CoordinatorCommand.Decide(txId, true, ""));
                }
            }
        }

        private void beginNew()
        {
            clock += 1;
            // A client whose clock is a little behind (or ahead) stamps its id earlier (later) than others do.
            final String txId = "txn-" + (clock - SKEW_MS + random.nextInt((int)(2 * SKEW_MS + 1))) + "-" + ++ids;
            final long amount = 1 + random.nextInt(15);
            final boolean pToQ = random.nextBoolean();
            final List<Leg> legs = List.of(new Leg(pToQ ? "p" : "q", "acc", -amount),
                new Leg(pToQ ? "q" : "p", "acc", amount));
            final Object reply = applyCoordinator(new CoordinatorCommand.Begin(txId, legs, CLIENT));
            assertThat(reply).as("a new id stamped within %d ms of the log time %d", SKEW_MS, clock)
                .isEqualTo(Phase.PREPARING);
            begun.put(txId, legs);
        }

        private void retry(final String txId)
        {
            final Transaction before = coordinator.state().transaction(txId);
            final Object reply = applyCoordinator(new CoordinatorCommand.Begin(txId, begun.get(txId), CLIENT));
            if (null == before)
            {
                assertThat(reply).as("a retry of the forgotten %s", txId).isInstanceOf(Refused.class);
            }
            else
            {
                assertThat(reply).as("a retry of %s", txId).isEqualTo(before.phase());
            }
            assertThat(coordinator.state().transaction(txId)).as("a retry changes nothing").isEqualTo(before);
        }

        /** The current driver takes a transaction as far as it goes, crashing between any two steps if allowed. */
        private void drive(final String txId, final boolean mayCrash)
        {
            final Transaction tx = coordinator.state().transaction(txId);
            Phase phase = tx.phase();
            if (phase == Phase.PREPARING)
            {
                String refusal = tx.epoch() == epoch ? "" : "presumed abort";
                for (int i = 0; tx.epoch() == epoch && i < tx.legs().size(); i++)
                {
                    final Leg leg = tx.legs().get(i);
                    final Vote vote = (Vote)send(leg.participant(),
                        new ParticipantCommand.Prepare(txId, List.of(leg.change())));
                    if (!vote.yes() || random.nextInt(8) == 0)
                    {
                        refusal = vote.yes() ? "timed out" : vote.reason();
                        break;
                    }
                    if (crashes(mayCrash))
                    {
                        return;
                    }
                }
                if (refusal.isEmpty())
                {
                    allYes.add(txId);
                }
                phase = (Phase)applyCoordinator(new CoordinatorCommand.Decide(txId, refusal.isEmpty(), refusal));
                if (crashes(mayCrash))
                {
                    return;
                }
            }
            for (final Leg leg : tx.legs())
            {
                final TxStatus status = (TxStatus)send(leg.participant(), phase.commits() ?
                    new ParticipantCommand.Commit(txId) : new ParticipantCommand.Abort(txId));
                assertThat(status).as("%s of %s at %s", phase, txId, leg.participant())
                    .isEqualTo(phase.commits() ? TxStatus.COMMITTED : TxStatus.ABORTED);
                if (crashes(mayCrash))
                {
                    return;
                }
            }
            applyCoordinator(new CoordinatorCommand.Finish(txId));
        }

        /** A crash ends the driver; the next leader claims a new epoch. */
        private boolean crashes(final boolean mayCrash)
        {
            if (mayCrash && random.nextInt(12) == 0)
            {
                claim();
                return true;
            }
            return false;
        }

        private Object send(final String participant, final ParticipantCommand command)
        {
            late.add(new Sent(participant, command));
            return bank(participant).apply(command).reply();
        }

        private void deliverLate()
        {
            if (late.isEmpty())
            {
                return;
            }
            final Sent sent = late.remove(random.nextInt(late.size()));
            bank(sent.participant()).apply(sent.command());
        }

        /** A bank whose log time is the coordinator's (one clock for all the leaders). */
        private MachineDriver<ParticipantCommand, ParticipantState> bank(final String name)
        {
            final MachineDriver<ParticipantCommand, ParticipantState> bank = banks.get(name);
            bank.advance(clock - bank.nowMs());
            return bank;
        }

        private void claim()
        {
            epoch = (Long)applyCoordinator(new CoordinatorCommand.Claim(LEADER));
        }

        private Object applyCoordinator(final CoordinatorCommand command)
        {
            coordinator.advance(clock - coordinator.nowMs());
            final ApplyResult<CoordinatorState> result = coordinator.apply(command);
            for (final Effect effect : result.effects())
            {
                if (effect instanceof Effect.SendMsg send && send.message() instanceof TransferFinished finished)
                {
                    told.computeIfAbsent(finished.txId(), id -> new ArrayList<>()).add(finished);
                }
            }
            return result.reply();
        }

        private void check()
        {
            for (final Map.Entry<String, List<TransferFinished>> e : told.entrySet())
            {
                assertThat(e.getValue()).as("the client of %s is told once", e.getKey()).hasSize(1);
            }
        }

        private <T> T pick(final List<T> values)
        {
            return values.get(random.nextInt(values.size()));
        }
    }
}
