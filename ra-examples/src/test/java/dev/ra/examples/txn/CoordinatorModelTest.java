package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.codec.Codec;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two-phase-commit coordinator against a plain sequential model, on random runs of begins (retried, with other
 * legs too), drivers collecting votes (yes, no, or a participant that times out) and logging decisions, stale drivers
 * logging contrary decisions, participants' acknowledgements (finishes, also before any decision), commands that are
 * duplicated and delivered out of order, and leader changes. A leader change loses some commands in flight, starts a
 * fresh machine on the new leader from the last release cursor (a snapshot) and replays the log after it, which must
 * give the same replies, effects and state, then enters LEADER and applies its claim; the new driver resumes every
 * unfinished transaction (presumed abort for those still preparing under an older epoch).
 *
 * <p>After every step the machine must equal the model: each transaction's legs, epoch, phase, decision and reason,
 * the epoch and driver, the unfinished transactions in begin order; the replies and effects of every command; a
 * decision, once logged, never changes (never both commit and abort); each client is told at most once, and at the
 * end, after healing, every transaction has ended and its client was told its decision exactly once. Half of the ids
 * are stamped ({@link TransferIds}) and the machine keeps only {@link #KEPT} finished ones of those, and each at least
 * until the log time (which wanders back and forth, as leaders' clocks differ) is {@link #KEPT_FOR_MS} after its
 * stamp: the model forgets the oldest stamp first, a begin of an id stamped further than {@link #SKEW_MS} from the log
 * time is refused, so is one of a forgotten id (or of any unknown one stamped no later), and neither begins anything;
 * the transactions are held in the order the model places them (begin, then finish).
 *
 * <p>Seeded {@link Random}: a failure names its seed; {@code -Dcoordinator.seed=N} replays one,
 * {@code -Dcoordinator.seeds=N} runs more.
 */
class CoordinatorModelTest
{
    private static final String HANDLER = "driver";
    private static final List<ServerId> MEMBERS = List.of(new ServerId("coordinator", "n1"),
        new ServerId("coordinator", "n2"), new ServerId("coordinator", "n3"));
    /** The log time the runs wander around; the stamped ids are stamped just after it. */
    private static final long START_MS = MachineDriver.START_TIME_MS;
    private static final List<String> TX_IDS = List.of("t1", "t2", "t3", "t4", "txn-" + (START_MS + 1) + "-a",
        "txn-" + (START_MS + 2) + "-b", "txn-" + (START_MS + 3) + "-c", "txn-" + (START_MS + 4) + "-d",
        "txn-" + (START_MS + 5) + "-e", "txn-" + (START_MS + 6) + "-f");
    /** Finished transactions of stamped ids the machine keeps. */
    private static final int KEPT = 2;
    /** How far a stamp may be from the log time. */
    private static final long SKEW_MS = 2;
    /** How long after its stamp, in log time, a finished transaction is kept at least. */
    private static final long KEPT_FOR_MS = 3;
    private static final List<String> PARTICIPANTS = List.of("p", "q", "r");
    private static final List<ProcessRef> CLIENTS = List.of(new ProcessRef("n1", 1), new ProcessRef("n2", 7));
    private static final String PRESUMED_ABORT = "presumed abort";

    @Test
    void shouldBehaveLikeTheSequentialModelAcrossFailovers()
    {
        final String one = System.getProperty("coordinator.seed");
        if (null != one)
        {
            run(Long.parseLong(one));
            return;
        }
        final int seeds = Integer.getInteger("coordinator.seeds", 300);
        final long base = new Random().nextLong();
        for (int i = 0; i < seeds; i++)
        {
            run(base + i);
        }
    }

    private static void run(final long seed)
    {
        try
        {
            new Simulation(seed).run(150);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("failed with seed " + seed + " (replay: -Dcoordinator.seed=" + seed + ")", ex);
        }
    }

    /**
     * A transaction as the model sees it: a plain mutable record of what was logged.
     */
    private static final class ModelTx
    {
        private final List<Leg> legs;
        private final long epoch;
        private final ProcessRef client;
        private Boolean commit;
        private String reason = "";
        private boolean finished;

        ModelTx(final List<Leg> legs, final long epoch, final ProcessRef client)
        {
            this.legs = legs;
            this.epoch = epoch;
            this.client = client;
        }

        Phase phase()
        {
            if (null == commit)
            {
                return Phase.PREPARING;
            }
            if (commit)
            {
                return finished ? Phase.COMMITTED : Phase.COMMITTING;
            }
            return finished ? Phase.ABORTED : Phase.ABORTING;
        }
    }

    /**
     * A command the log applied, with what it produced: what a new leader's replay must reproduce.
     */
    private record Applied(long index, long timeMs, CoordinatorCommand command, Object reply, List<Effect> effects)
    {
    }

    /**
     * One random run: the machine on the current leader, the model, and the commands in flight from drivers.
     */
    private static final class Simulation
    {
        private final Random random;
        private final Codec<CoordinatorState> stateCodec = machine(MEMBERS.get(0)).stateCodec();
        private final Map<String, ModelTx> txs = new LinkedHashMap<>();
        /** The finished transactions of stamped ids still held, oldest stamp first. */
        private final List<String> forgettable = new ArrayList<>();
        /** The log time of the next entry. */
        private long timeMs = START_MS;
        /** The latest log time of an entry. */
        private long latestMs = START_MS;
        private final Map<String, ModelTx> forgotten = new LinkedHashMap<>();
        private long horizon;
        private final Map<String, Boolean> decisionsSeen = new LinkedHashMap<>();
        private final Map<String, List<TransferFinished>> told = new LinkedHashMap<>();
        private final List<Applied> log = new ArrayList<>();
        private final List<CoordinatorCommand> network = new ArrayList<>();
        private MachineDriver<CoordinatorCommand, CoordinatorState> member;
        private ServerId leader;
        private long snapshotIndex;
        private byte[] snapshot;
        private long epoch;
        private ServerId driver;
        private CoordinatorCommand last;

        Simulation(final long seed)
        {
            this.random = new Random(seed);
            this.member = new MachineDriver<>(machine(MEMBERS.get(0)), CoordinatorCommand.class);
            this.leader = MEMBERS.get(0);
            this.snapshot = stateCodec.toBytes(member.state());
        }

        private static CoordinatorMachine machine(final ServerId local)
        {
            return new CoordinatorMachine(local, HANDLER, ReleaseCursorPolicy.every(9), KEPT,
                Duration.ofMillis(SKEW_MS), Duration.ofMillis(KEPT_FOR_MS));
        }

        void run(final int steps)
        {
            if (random.nextBoolean())
            {
                failover();
            }
            for (int i = 0; i < steps; i++)
            {
                step();
                checkState();
            }
            // Heal: everything in flight arrives, a last leader change, and its driver takes every transaction to the
            // end.
            while (!network.isEmpty())
            {
                apply(network.remove(0));
                checkState();
            }
            failover();
            for (final String txId : List.copyOf(txs.keySet()))
            {
                if (!txs.containsKey(txId))
                {
                    // Finished, and forgotten by the finish of another one in this loop.
                    continue;
                }
                if (null == txs.get(txId).commit)
                {
                    apply(new CoordinatorCommand.Decide(txId, false, PRESUMED_ABORT));
                }
                apply(new CoordinatorCommand.Finish(txId));
                checkState();
            }
            assertThat(member.state().unfinished()).as("every transaction ended").isEmpty();
            final Map<String, ModelTx> all = new LinkedHashMap<>(forgotten);
            all.putAll(txs);
            for (final Map.Entry<String, ModelTx> e : all.entrySet())
            {
                final ModelTx tx = e.getValue();
                assertThat(told.get(e.getKey())).as("the client of %s is told once", e.getKey())
                    .containsExactly(new TransferFinished(e.getKey(), tx.commit, tx.reason));
            }
        }

        private void step()
        {
            if (random.nextInt(4) == 0)
            {
                timeMs = START_MS - 1 + random.nextInt(10);
            }
            final int choice = random.nextInt(100);
            if (choice < 18)
            {
                begin();
            }
            else if (choice < 36)
            {
                collectVotes();
            }
            else if (choice < 42)
            {
                // A driver that was replaced (or a duplicate of an old message) logs any decision on any transaction.
                send(new CoordinatorCommand.Decide(pick(TX_IDS), random.nextBoolean(), "stale driver"));
            }
            else if (choice < 54)
            {
                acknowledged();
            }
            else if (choice < 78)
            {
                deliver();
            }
            else if (choice < 83)
            {
                if (null != last)
                {
                    apply(last);
                }
            }
            else if (choice < 90)
            {
                failover();
            }
            else
            {
                // A role change that is not leadership changes nothing.
                final RaftRole role = random.nextBoolean() ? RaftRole.FOLLOWER : RaftRole.CANDIDATE;
                assertThat(member.enter(role)).as("entering %s", role).isEmpty();
            }
        }

        // ---- the environment: clients, drivers, participants, the network ------------------------------------------

        private void begin()
        {
            final List<Leg> legs = new ArrayList<>();
            long sum = 0;
            final int count = 1 + random.nextInt(2);
            for (int i = 0; i < count; i++)
            {
                final long delta = (1 + random.nextInt(5)) * (random.nextBoolean() ? 1 : -1);
                legs.add(new Leg(pick(PARTICIPANTS), "acc" + random.nextInt(3), delta));
                sum += delta;
            }
            legs.add(new Leg(pick(PARTICIPANTS), "acc" + random.nextInt(3), 0 == sum ? 1 : -sum));
            if (0 == sum)
            {
                legs.add(new Leg(pick(PARTICIPANTS), "acc" + random.nextInt(3), -1));
            }
            apply(new CoordinatorCommand.Begin(pick(TX_IDS), legs, pick(CLIENTS)));
        }

        /**
         * The current driver asks the participants of a transaction begun in its epoch to prepare: each votes yes,
         * no, or does not answer in time; all yes commits, anything else aborts.
         */
        private void collectVotes()
        {
            final List<String> preparing = txs.entrySet().stream()
                .filter(e -> null == e.getValue().commit && e.getValue().epoch == epoch).map(Map.Entry::getKey)
                .toList();
            if (preparing.isEmpty())
            {
                return;
            }
            final String txId = pick(preparing);
            String refusal = "";
            for (final Leg leg : txs.get(txId).legs)
            {
                final int vote = random.nextInt(6);
                if (vote == 0)
                {
                    refusal = "participant '" + leg.participant() + "' voted no";
                    break;
                }
                if (vote == 1)
                {
                    refusal = "participant '" + leg.participant() + "' did not vote: timed out";
                    break;
                }
            }
            send(new CoordinatorCommand.Decide(txId, refusal.isEmpty(), refusal));
        }

        /**
         * Every participant of a transaction acknowledged its decision (or, rarely, a Finish for one not decided:
         * a driver's message arriving out of order).
         */
        private void acknowledged()
        {
            final List<String> decided = txs.entrySet().stream().filter(e -> null != e.getValue().commit)
                .map(Map.Entry::getKey).toList();
            final String txId = decided.isEmpty() || random.nextInt(5) == 0 ? pick(TX_IDS) : pick(decided);
            send(new CoordinatorCommand.Finish(txId));
        }

        private void send(final CoordinatorCommand command)
        {
            if (random.nextBoolean())
            {
                apply(command);
            }
            else
            {
                network.add(command);
            }
        }

        /**
         * Apply a command in flight, in any order; sometimes it stays in flight to be delivered again.
         */
        private void deliver()
        {
            if (network.isEmpty())
            {
                return;
            }
            final int at = random.nextInt(network.size());
            final CoordinatorCommand command = random.nextInt(4) == 0 ? network.get(at) : network.remove(at);
            apply(command);
        }

        /**
         * The leader fails: some commands in flight are lost; another member (or the same, re-elected) starts from
         * the last release cursor, replays the log after it, becomes leader, claims, and its driver resumes.
         */
        private void failover()
        {
            network.removeIf(c -> random.nextBoolean());
            assertThat(member.enter(RaftRole.FOLLOWER)).isEmpty();
            leader = pick(MEMBERS);
            final MachineDriver<CoordinatorCommand, CoordinatorState> fresh =
                new MachineDriver<>(machine(leader), CoordinatorCommand.class);
            fresh.restore(stateCodec.fromBytes(snapshot));
            fresh.skip(snapshotIndex);
            for (final Applied applied : log)
            {
                if (applied.index() <= snapshotIndex)
                {
                    continue;
                }
                fresh.skip(applied.index() - fresh.nextIndex());
                fresh.advance(applied.timeMs() - fresh.nowMs());
                final ApplyResult<CoordinatorState> again = fresh.apply(applied.command());
                assertThat(again.reply()).as("replayed reply of %s at %d", applied.command(), applied.index())
                    .isEqualTo(applied.reply());
                assertThat(again.effects()).as("replayed effects of %s at %d", applied.command(), applied.index())
                    .isEqualTo(applied.effects());
            }
            assertThat(fresh.state()).as("replayed from the snapshot at %d", snapshotIndex).isEqualTo(member.state());
            assertThat(List.copyOf(fresh.state().transactions().keySet())).as("replayed order")
                .isEqualTo(List.copyOf(member.state().transactions().keySet()));
            member = fresh;

            assertThat(member.enter(RaftRole.LEADER)).as("a new leader claims")
                .containsExactly(new Effect.Append(new CoordinatorCommand.Claim(leader)));
            // The new leader's no-op entry, which the machine never sees.
            member.skip(1);
            apply(new CoordinatorCommand.Claim(leader));
            for (final String txId : member.state().unfinished())
            {
                final ModelTx tx = txs.get(txId);
                if (null == tx.commit && tx.epoch < epoch)
                {
                    send(new CoordinatorCommand.Decide(txId, false, PRESUMED_ABORT));
                }
                else if (null != tx.commit)
                {
                    send(new CoordinatorCommand.Finish(txId));
                }
            }
        }

        // ---- the machine against the model -------------------------------------------------------------------------

        private void apply(final CoordinatorCommand command)
        {
            last = command;
            final long index = member.nextIndex();
            member.advance(timeMs - member.nowMs());
            latestMs = Math.max(latestMs, timeMs);
            final ApplyResult<CoordinatorState> result = member.apply(command);
            final List<Effect> effects = new ArrayList<>();
            for (final Effect effect : result.effects())
            {
                if (effect instanceof Effect.ReleaseCursor cursor)
                {
                    assertThat(cursor.index()).isEqualTo(index);
                    assertThat(cursor.state()).as("cursor state is the state after the entry")
                        .isEqualTo(result.state());
                    snapshotIndex = index;
                    snapshot = stateCodec.toBytes(result.state());
                }
                else
                {
                    effects.add(effect);
                }
            }
            log.add(new Applied(index, timeMs, command, result.reply(), result.effects()));
            final Expected expected = model(command, index);
            assertThat(result.reply()).as("reply to %s at %d", command, index).isEqualTo(expected.reply());
            assertThat(effects).as("effects of %s at %d", command, index).isEqualTo(expected.effects());
            for (final Effect effect : effects)
            {
                if (effect instanceof Effect.SendMsg send && send.message() instanceof TransferFinished finished)
                {
                    told.computeIfAbsent(finished.txId(), id -> new ArrayList<>()).add(finished);
                }
            }
        }

        private record Expected(Object reply, List<Effect> effects)
        {
        }

        private Expected model(final CoordinatorCommand command, final long index)
        {
            if (command instanceof CoordinatorCommand.Claim claim)
            {
                epoch = index;
                driver = claim.leader();
                return new Expected(index, List.of(new Effect.ModCall(HANDLER, new DriverSignal(driver, epoch))));
            }
            if (command instanceof CoordinatorCommand.Begin begin)
            {
                final ModelTx existing = txs.get(begin.txId());
                if (null != existing)
                {
                    return new Expected(existing.phase(), List.of());
                }
                final long stamp = TransferIds.stampOf(begin.txId());
                if (stamp > 0 && Math.abs(stamp - timeMs) > SKEW_MS)
                {
                    return new Expected(CoordinatorMachine.skewRefusal(begin.txId(), stamp, timeMs, SKEW_MS),
                        List.of());
                }
                if (stamp > 0 && stamp <= horizon)
                {
                    // The horizon stays KEPT_FOR_MS behind the log time: it stops a stamp within the skew only if
                    // it names a transaction forgotten or the log time went back (a leader whose clock is behind).
                    assertThat(forgotten.containsKey(begin.txId()) || timeMs < latestMs - (KEPT_FOR_MS - SKEW_MS))
                        .as("%s, stamped within %d ms of the log time %d, refused by the horizon %d", begin.txId(),
                            SKEW_MS, timeMs, horizon).isTrue();
                    return new Expected(CoordinatorMachine.forgottenRefusal(begin.txId(), stamp, horizon), List.of());
                }
                txs.put(begin.txId(), new ModelTx(begin.legs(), epoch, begin.client()));
                return new Expected(Phase.PREPARING, null == driver ? List.of() :
                    List.of(new Effect.ModCall(HANDLER, new DriverSignal(driver, epoch))));
            }
            if (command instanceof CoordinatorCommand.Decide decide)
            {
                final ModelTx tx = txs.get(decide.txId());
                if (null == tx)
                {
                    return new Expected(null, List.of());
                }
                if (null == tx.commit)
                {
                    tx.commit = decide.commit();
                    tx.reason = decide.commit() ? "" : decide.reason();
                }
                return new Expected(tx.phase(), List.of());
            }
            final CoordinatorCommand.Finish finish = (CoordinatorCommand.Finish)command;
            final ModelTx tx = txs.get(finish.txId());
            if (null == tx)
            {
                return new Expected(null, List.of());
            }
            if (null == tx.commit || tx.finished)
            {
                return new Expected(tx.phase(), List.of());
            }
            tx.finished = true;
            // Placed after every other; of the stamped ones, those beyond the bound and stamped longer than KEPT_FOR_MS
            // ago are forgotten, oldest stamp first.
            txs.remove(finish.txId());
            txs.put(finish.txId(), tx);
            if (TransferIds.stampOf(finish.txId()) > 0)
            {
                forgettable.add(finish.txId());
                forgettable.sort(
                    Comparator.comparingLong(TransferIds::stampOf).thenComparing(Comparator.naturalOrder()));
            }
            while (forgettable.size() > KEPT && TransferIds.stampOf(forgettable.get(0)) < timeMs - KEPT_FOR_MS)
            {
                final String oldest = forgettable.remove(0);
                forgotten.put(oldest, txs.remove(oldest));
                horizon = Math.max(horizon, TransferIds.stampOf(oldest));
            }
            return new Expected(tx.phase(), List.of(new Effect.SendMsg(tx.client,
                new TransferFinished(finish.txId(), tx.commit, tx.reason))));
        }

        private void checkState()
        {
            final CoordinatorState state = member.state();
            assertThat(state.epoch()).as("epoch").isEqualTo(epoch);
            assertThat(state.driver()).as("driver").isEqualTo(driver);
            assertThat(List.copyOf(state.transactions().keySet())).as("transactions, in order")
                .isEqualTo(List.copyOf(txs.keySet()));
            assertThat(state.horizon()).as("horizon").isEqualTo(horizon);
            final List<String> unfinished = new ArrayList<>();
            for (final Map.Entry<String, ModelTx> e : txs.entrySet())
            {
                final ModelTx tx = e.getValue();
                assertThat(state.transaction(e.getKey())).as("transaction %s", e.getKey())
                    .isEqualTo(new Transaction(tx.legs, tx.epoch, tx.phase(), tx.client, tx.reason));
                if (!tx.finished)
                {
                    unfinished.add(e.getKey());
                }
                final Phase phase = state.transaction(e.getKey()).phase();
                if (phase.isDecided())
                {
                    final Boolean before = decisionsSeen.putIfAbsent(e.getKey(), phase.commits());
                    assertThat(null == before || before == phase.commits()).as("the decision of %s never changes",
                        e.getKey()).isTrue();
                }
                assertThat(told.getOrDefault(e.getKey(), List.of()).size()).as("the client of %s is told at most once",
                    e.getKey()).isLessThanOrEqualTo(phase.isFinal() ? 1 : 0);
            }
            assertThat(state.unfinished()).as("unfinished, in begin order").isEqualTo(unfinished);
        }

        private <T> T pick(final List<T> values)
        {
            return values.get(random.nextInt(values.size()));
        }
    }
}
