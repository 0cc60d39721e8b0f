package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import dev.ra.examples.watch.EventBatch;
import dev.ra.examples.watch.EventType;
import dev.ra.examples.watch.Watch;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchCursor;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.WatchHub;
import dev.ra.examples.watch.WatchNotification;
import dev.ra.examples.watch.WatchReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The leased KV with sessions and watches against a plain sequential model: random operation sequences of puts,
 * conditional puts, deletes, grants, revokes, expiries (from the current lessor and from stale ones), owner deaths,
 * watch registrations and cancels, leader failovers that lose the messages not yet delivered (and the leader's
 * timers), watcher nodes cut off and back, and time passing (the leader's expiry timer firing, on time or early).
 * After each step the store, the sessions and the watches must equal the model's: an unreachable watch is kept until
 * an expiry check whose log time is at least its first unreachable report plus the bound, never dropped before, and
 * the expiry timer is always armed for the earliest one due. At the end every watch client must have delivered
 * exactly the model's events for its prefix from its start revision, each once and in order (or have been told,
 * correctly, that the history was compacted), including the watchers whose watch expired while they were cut off.
 *
 * <p>Most writes (puts, conditional puts, deletes, grants, revokes) are numbered by one client (machine version 4),
 * the rest plain (another client's): a numbered call may be retried (the retry must answer as the first attempt and
 * change nothing), its first attempt may land late, after the client's later calls (refused as stale, changing
 * nothing, or answered as before while an earlier call of the client is still under way), and a call may stay under
 * way while the client makes later ones, then land (applied as new).
 *
 * <p>Seeded {@link Random}: a failure names its seed; {@code -Dlease.seed=N} replays one, {@code -Dlease.seeds=N}
 * runs more.
 */
class LeasedKvModelTest
{
    private static final int HISTORY_LIMIT = 12;
    private static final long EXPIRY_MS = 5_000;
    private static final long NO_TIMER = Long.MAX_VALUE;
    private static final List<String> KEYS = List.of("a", "a/1", "a/2", "b", "b/1", "c");
    private static final List<String> PREFIXES = List.of("", "a", "a/", "b", "c", "z");
    private static final String CLIENT = "numbered-client";

    @Test
    void shouldBehaveLikeTheSequentialModelAcrossFailovers()
    {
        final String one = System.getProperty("lease.seed");
        if (null != one)
        {
            run(Long.parseLong(one));
            return;
        }
        final int seeds = Integer.getInteger("lease.seeds", 300);
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
            new Simulation(seed).run(120);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("failed with seed " + seed + " (replay: -Dlease.seed=" + seed + ")", ex);
        }
    }

    /**
     * One random run: the machine, the model, a lossy network of watch messages and the watch clients.
     */
    private static final class Simulation
    {
        private final Random random;
        private final MachineDriver<LeasedKvMachineCommand, LeasedKvState> kv = new MachineDriver<>(
            new LeasedKvMachine("lessor", HISTORY_LIMIT, Duration.ofMillis(EXPIRY_MS), ReleaseCursorPolicy.every(7)),
            LeasedKvMachineCommand.class);
        private final Map<String, ModelKey> keys = new LinkedHashMap<>();
        private final Map<Long, LinkedHashSet<String>> sessions = new LinkedHashMap<>();
        private final Map<Long, ProcessRef> owners = new LinkedHashMap<>();
        private final List<Long> everGranted = new ArrayList<>();
        private final List<EventBatch> history = new ArrayList<>();
        private final Map<String, SimWatch> watches = new LinkedHashMap<>();
        private final List<Effect.SendMsg> network = new ArrayList<>();
        private long epoch;
        private long previousEpoch;
        private long revision;
        private int watchCount;
        private long expiryTimerDueMs = NO_TIMER;
        // ---- the numbered client: its last number, the calls under way, and attempts still to land
        private long lastNumber;
        private final TreeSet<Long> unanswered = new TreeSet<>();
        /** A number taken for a call still under way, whose write lands at a later step; 0 when none. */
        private long underWay;
        /** The machine's first unanswered number of the client: the highest any of its applied new calls carried. */
        private long machineFirstUnanswered = 1;
        private final List<Attempt> retries = new ArrayList<>();
        private final List<Attempt> late = new ArrayList<>();

        Simulation(final long seed)
        {
            this.random = new Random(seed);
            // The settings in force are in the state (machine version 3): as if the first leader had put its own.
            kv.restore(LeasedKvState.EMPTY.withSettings(new LeasedKvSettings(HISTORY_LIMIT, EXPIRY_MS)));
        }

        void run(final int steps)
        {
            failover();
            for (int i = 0; i < steps; i++)
            {
                step();
                otherAttempts(false);
                checkState();
            }
            otherAttempts(true);
            checkState();
            // Heal: no more failures; every cut-off node comes back, deliver everything, and let a last leader change
            // prompt every watch to catch up.
            for (final SimWatch watch : List.copyOf(watches.values()))
            {
                if (watch.cutOff)
                {
                    nodeBack(watch);
                }
            }
            deliver(network.size());
            failover();
            deliver(Integer.MAX_VALUE);
            checkState();
            for (final SimWatch watch : watches.values())
            {
                checkWatch(watch);
            }
        }

        private void step()
        {
            final int choice = random.nextInt(100);
            if (choice < 20)
            {
                put(random.nextBoolean());
            }
            else if (choice < 28)
            {
                delete();
            }
            else if (choice < 36)
            {
                grant();
            }
            else if (choice < 41)
            {
                endSession(new SessionCommand.Revoke(anySession()));
            }
            else if (choice < 49)
            {
                final boolean stale = random.nextInt(3) == 0 && previousEpoch > 0;
                final long session = anySession();
                endSession(new SessionCommand.Expire(session, stale ? previousEpoch : epoch));
            }
            else if (choice < 52)
            {
                ownerDies();
            }
            else if (choice < 60)
            {
                registerWatch();
            }
            else if (choice < 62)
            {
                cancelWatch();
            }
            else if (choice < 68)
            {
                // The leader fails: messages not yet delivered are lost, and so is its timer.
                final int keep = network.isEmpty() ? 0 : random.nextInt(network.size() + 1);
                deliver(keep);
                network.clear();
                expiryTimerDueMs = NO_TIMER;
                failover();
            }
            else if (choice < 72)
            {
                cutOff();
            }
            else if (choice < 75)
            {
                final List<SimWatch> cut = watches.values().stream().filter(w -> w.cutOff).toList();
                if (!cut.isEmpty())
                {
                    nodeBack(pick(cut));
                }
            }
            else if (choice < 82)
            {
                timePasses();
            }
            else
            {
                deliver(random.nextInt(network.size() + 1));
            }
        }

        // ---- operations -------------------------------------------------------------------------------------------

        private void put(final boolean conditional)
        {
            final String key = pick(KEYS);
            final String value = "v" + random.nextInt(5);
            final long session = random.nextInt(3) == 0 ? 0 : anySession();
            final ModelKey current = keys.get(key);
            final long currentMod = null == current ? 0 : current.mod();
            final long expected = random.nextBoolean() ? currentMod : random.nextInt(3);
            final Object reply = write(conditional ? new LeasedKvCommand.PutIf(key, expected, value, session) :
                new LeasedKvCommand.Put(key, value, session));
            if (conditional && expected != currentMod)
            {
                assertThat(reply).isEqualTo(new LeasedKvReply.CompareFailed(kvOf(key, current)));
                return;
            }
            if (0 != session && !sessions.containsKey(session))
            {
                assertThat(reply).isEqualTo(new LeasedKvReply.SessionNotFound(session));
                return;
            }
            final long index = kv.nextIndex() - 1;
            assertThat(reply).isEqualTo(new LeasedKvReply.Written(index, kvOf(key, current)));
            if (null != current && 0 != current.session() && current.session() != session)
            {
                sessions.get(current.session()).remove(key);
            }
            if (0 != session)
            {
                sessions.get(session).add(key);
            }
            final ModelKey next = null == current ? new ModelKey(value, session, index, index, 1) :
                new ModelKey(value, session, current.create(), index, current.version() + 1);
            keys.put(key, next);
            record(index, List.of(new WatchEvent(EventType.PUT, key, value, index, next.create(), next.version())));
        }

        private void delete()
        {
            final boolean prefix = random.nextBoolean();
            final String key = pick(prefix ? PREFIXES : KEYS);
            final Object reply = write(new LeasedKvCommand.Delete(key, prefix));
            final long index = kv.nextIndex() - 1;
            final List<String> doomed = keys.keySet().stream()
                .filter(k -> prefix ? k.startsWith(key) : k.equals(key)).sorted().toList();
            final List<KeyValue> before = doomed.stream().map(k -> kvOf(k, keys.get(k))).toList();
            assertThat(reply).isEqualTo(new LeasedKvReply.Deleted(doomed.isEmpty() ? revision : index, before));
            record(index, removeKeys(doomed, index));
        }

        private void grant()
        {
            final long ttl = 1 + random.nextInt(10_000);
            final ProcessRef owner = random.nextBoolean() ? null : new ProcessRef("app", 1 + random.nextInt(3));
            final Object reply = write(new SessionCommand.Grant(ttl, owner));
            final long index = kv.nextIndex() - 1;
            assertThat(reply).isEqualTo(new SessionReply.Granted(index, ttl));
            sessions.put(index, new LinkedHashSet<>());
            owners.put(index, owner);
            everGranted.add(index);
        }

        private void endSession(final SessionCommand command)
        {
            final long id = command instanceof SessionCommand.Revoke revoke ? revoke.sessionId() :
                ((SessionCommand.Expire)command).sessionId();
            final Object reply = command instanceof SessionCommand.Revoke ? write(command) : apply(command);
            final long index = kv.nextIndex() - 1;
            if (command instanceof SessionCommand.Expire expire && expire.lessorEpoch() != epoch)
            {
                // An expiry decided by a lessor that a newer leader's lessor replaced: the session had a fresh TTL.
                assertThat(reply).isEqualTo(new SessionReply.ExpiryRefused(id, expire.lessorEpoch(), epoch));
                return;
            }
            assertThat(reply).isEqualTo(endInModel(id, index));
        }

        private SessionReply.Ended endInModel(final long id, final long index)
        {
            final LinkedHashSet<String> bound = sessions.remove(id);
            owners.remove(id);
            if (null == bound)
            {
                return new SessionReply.Ended(id, false, List.of());
            }
            final List<String> released = List.copyOf(bound);
            record(index, removeKeys(released, index));
            return new SessionReply.Ended(id, true, released);
        }

        private void ownerDies()
        {
            final ProcessRef owner = new ProcessRef("app", 1 + random.nextInt(3));
            final DownReason reason = random.nextBoolean() ? DownReason.NOCONNECTION : DownReason.NOPROC;
            collect(kv.builtin(new BuiltinCommand.Down(owner, reason)).effects());
            final long index = kv.nextIndex() - 1;
            if (reason == DownReason.NOCONNECTION)
            {
                return;
            }
            final List<EventBatch> before = new ArrayList<>(history);
            final List<WatchEvent> events = new ArrayList<>();
            for (final long id : new ArrayList<>(owners.keySet()))
            {
                if (owner.equals(owners.get(id)))
                {
                    final LinkedHashSet<String> bound = sessions.remove(id);
                    owners.remove(id);
                    events.addAll(removeKeys(List.copyOf(bound), index));
                }
            }
            history.clear();
            history.addAll(before);
            record(index, events);
        }

        private void registerWatch()
        {
            final String watchId = "w" + watchCount++;
            final String prefix = pick(PREFIXES);
            final ProcessRef watcher = new ProcessRef("watcher" + watchCount, 1);
            final long start = switch (random.nextInt(3))
            {
                case 0 -> 0;
                case 1 -> Math.max(1, revision + 1 - random.nextInt(4));
                default -> 1 + random.nextInt((int)Math.max(1, revision + 1));
            };
            final Object reply = apply(new WatchCommand.Register(watchId, watcher, prefix, start));
            final long compacted = compactRevision();
            if (0 != start && start <= compacted)
            {
                assertThat(reply).isEqualTo(new WatchReply.Compacted(watchId, start, compacted));
                return;
            }
            final long resolved = 0 == start ? revision + 1 : start;
            assertThat(reply).isEqualTo(new WatchReply.Watching(watchId, resolved, revision));
            watches.put(watchId, new SimWatch(watchId, watcher, prefix, resolved));
        }

        private void cancelWatch()
        {
            if (watches.isEmpty())
            {
                return;
            }
            final SimWatch watch = pick(List.copyOf(watches.values()));
            // True also for the tombstone of a watch that expired while cut off: the cancel frees its id.
            final boolean held = watch.inMachine || kv.state().watches().expired().containsKey(watch.watchId);
            assertThat(apply(new WatchCommand.CancelOwn(watch.watchId, watch.watcher))).isEqualTo(held);
            watches.remove(watch.watchId);
        }

        private void failover()
        {
            for (final Effect effect : kv.enter(RaftRole.LEADER))
            {
                if (effect instanceof Effect.Append append)
                {
                    apply((LeasedKvMachineCommand)append.command());
                    previousEpoch = epoch;
                    epoch = kv.nextIndex() - 1;
                }
                else
                {
                    collect(List.of(effect));
                }
            }
            // The new leader's monitors find the cut-off watchers still unreachable, a little later.
            kv.advance(random.nextInt(500));
            for (final SimWatch watch : watches.values())
            {
                if (watch.cutOff)
                {
                    collect(kv.builtin(new BuiltinCommand.Down(watch.watcher, DownReason.NOCONNECTION)).effects());
                }
            }
        }

        /** A watcher's node becomes unreachable: the leader's monitor reports it. */
        private void cutOff()
        {
            final List<SimWatch> reachable = watches.values().stream().filter(w -> !w.cutOff && !w.ended).toList();
            if (reachable.isEmpty())
            {
                return;
            }
            final SimWatch watch = pick(reachable);
            watch.cutOff = true;
            if (watch.inMachine && watch.unreachableSinceMs == Watch.REACHABLE)
            {
                watch.unreachableSinceMs = kv.nowMs();
            }
            collect(kv.builtin(new BuiltinCommand.Down(watch.watcher, DownReason.NOCONNECTION)).effects());
        }

        /** A cut-off watcher's node is reachable again. */
        private void nodeBack(final SimWatch watch)
        {
            watch.cutOff = false;
            watch.unreachableSinceMs = Watch.REACHABLE;
            collect(kv.builtin(new BuiltinCommand.NodeUp(watch.watcher.node())).effects());
        }

        /** Leader time passes; its expiry timer fires when due, and now and then early (a wall clock step). */
        private void timePasses()
        {
            kv.advance(random.nextInt(3_000));
            final boolean early = random.nextInt(10) == 0;
            if (expiryTimerDueMs == NO_TIMER || (expiryTimerDueMs > kv.nowMs() && !early))
            {
                return;
            }
            expiryTimerDueMs = NO_TIMER;
            final long nowMs = kv.nowMs();
            for (final SimWatch watch : watches.values())
            {
                if (watch.inMachine && watch.unreachableSinceMs != Watch.REACHABLE &&
                    nowMs - watch.unreachableSinceMs >= EXPIRY_MS)
                {
                    watch.inMachine = false;
                    watch.unreachableSinceMs = Watch.REACHABLE;
                }
            }
            collect(kv.builtin(new BuiltinCommand.Timeout(WatchHub.EXPIRY_TIMER)).effects());
        }

        // ---- the network and the watch clients -------------------------------------------------------------------

        private void deliver(final int count)
        {
            int delivered = 0;
            while (!network.isEmpty() && delivered < count)
            {
                final Effect.SendMsg message = network.remove(0);
                delivered++;
                final Object payload = message.message();
                final String watchId;
                if (payload instanceof WatchNotification.Events events)
                {
                    watchId = events.watchId();
                }
                else if (payload instanceof WatchNotification.Resync resync)
                {
                    watchId = resync.watchId();
                }
                else
                {
                    watchId = ((WatchNotification.Expired)payload).watchId();
                }
                final SimWatch watch = watches.get(watchId);
                if (null == watch || watch.ended || watch.cutOff || !watch.watcher.equals(message.to()))
                {
                    continue;
                }
                if (payload instanceof WatchNotification.Expired)
                {
                    // As the Watcher does: the watch is gone, register it again from the last delivered revision + 1.
                    resume(watch);
                }
                else if (payload instanceof WatchNotification.Events events)
                {
                    watch.delivered.addAll(watch.cursor.offer(events));
                    if (watch.cursor.hasGap())
                    {
                        resume(watch);
                    }
                }
                else if (watch.cursor.isBehind(((WatchNotification.Resync)payload).lastSent()))
                {
                    resume(watch);
                }
            }
        }

        private void resume(final SimWatch watch)
        {
            final long from = watch.cursor.resumeFrom();
            final Object reply = apply(new WatchCommand.Register(watch.watchId, watch.watcher, watch.prefix, from));
            if (reply instanceof WatchReply.Compacted compacted)
            {
                assertThat(from).isLessThanOrEqualTo(compacted.compactRevision());
                watch.ended = true;
                watch.inMachine = false;
                watch.compactedAt = from;
            }
            else
            {
                watch.inMachine = true;
                watch.unreachableSinceMs = Watch.REACHABLE;
            }
        }

        /**
         * A client's write: plain now and then (another client's), else numbered by the client, with a retry or a
         * late first attempt to land after this step now and then. The model takes the write as applied now.
         */
        private Object write(final LeasedKvMachineCommand command)
        {
            if (random.nextInt(4) == 0)
            {
                return apply(command);
            }
            final long number;
            if (0 != underWay && random.nextInt(3) == 0)
            {
                // The call under way lands at last, behind the client's later calls: new all the same.
                number = underWay;
                underWay = 0;
            }
            else
            {
                number = ++lastNumber;
                unanswered.add(number);
            }
            final LeasedKvCommand.Numbered numbered = new LeasedKvCommand.Numbered(command,
                new CommandNumber(CLIENT, number, unanswered.first()));
            final Object reply = apply(numbered);
            assertThat(reply).as("a new call is never stale").isNotInstanceOf(StaleCommand.class);
            machineFirstUnanswered = Math.max(machineFirstUnanswered, numbered.number().firstUnanswered());
            unanswered.remove(number);
            final int fate = random.nextInt(8);
            if (fate == 0)
            {
                retries.add(new Attempt(numbered, reply));
            }
            else if (fate == 1)
            {
                late.add(new Attempt(numbered, reply));
            }
            else if (fate == 2 && 0 == underWay)
            {
                // The client starts a call that is still under way when it makes its next ones.
                underWay = ++lastNumber;
                unanswered.add(underWay);
            }
            return reply;
        }

        /**
         * The retries and late first attempts still to land: a retry answers as its first attempt, a late attempt
         * of a call its client finished is stale (or answered as before while an earlier call is under way); none
         * changes anything, which the state check after the step shows.
         *
         * @param all whether every one lands now (the end of the run), else each now and then.
         */
        private void otherAttempts(final boolean all)
        {
            for (final Attempt retry : List.copyOf(retries))
            {
                retries.remove(retry);
                assertThat(apply(retry.numbered())).as("a retry of %s", retry.numbered()).isEqualTo(retry.reply());
            }
            for (final Attempt attempt : List.copyOf(late))
            {
                if (!all && random.nextBoolean())
                {
                    continue;
                }
                late.remove(attempt);
                final Object reply = apply(attempt.numbered());
                if (attempt.numbered().number().number() < machineFirstUnanswered)
                {
                    assertThat(reply).as("a late %s", attempt.numbered()).isInstanceOf(StaleCommand.class);
                }
                else
                {
                    assertThat(reply).as("a late %s, an earlier call under way", attempt.numbered())
                        .isEqualTo(attempt.reply());
                }
            }
        }

        private Object apply(final LeasedKvMachineCommand command)
        {
            final var result = kv.apply(command);
            collect(result.effects());
            return result.reply();
        }

        private void collect(final List<Effect> effects)
        {
            for (final Effect effect : effects)
            {
                if (effect instanceof Effect.SendMsg send)
                {
                    network.add(send);
                }
                else if (effect instanceof Effect.Timer timer && WatchHub.EXPIRY_TIMER.equals(timer.name()))
                {
                    expiryTimerDueMs = kv.nowMs() + timer.delayMs();
                }
            }
        }

        // ---- the model ---------------------------------------------------------------------------------------------

        private List<WatchEvent> removeKeys(final List<String> doomed, final long index)
        {
            final List<WatchEvent> events = new ArrayList<>();
            for (final String key : doomed)
            {
                final ModelKey gone = keys.remove(key);
                if (null != gone)
                {
                    if (0 != gone.session() && sessions.containsKey(gone.session()))
                    {
                        sessions.get(gone.session()).remove(key);
                    }
                    events.add(new WatchEvent(EventType.DELETE, key, null, index, 0, 0));
                }
            }
            return events;
        }

        private void record(final long index, final List<WatchEvent> events)
        {
            if (!events.isEmpty())
            {
                history.add(new EventBatch(index, events));
                revision = index;
            }
        }

        private long compactRevision()
        {
            return history.size() > HISTORY_LIMIT ? history.get(history.size() - HISTORY_LIMIT - 1).revision() : 0;
        }

        private long anySession()
        {
            if (everGranted.isEmpty() || random.nextInt(8) == 0)
            {
                return 999_999;
            }
            return pick(everGranted);
        }

        private void checkState()
        {
            final LeasedKvState state = kv.state();
            final Map<String, KeyValue> expected = new LinkedHashMap<>();
            keys.forEach((key, value) -> expected.put(key, kvOf(key, value)));
            assertThat(state.keys()).isEqualTo(expected);
            assertThat(state.revision()).isEqualTo(revision);
            assertThat(state.sessions().sessions().keySet()).containsExactlyElementsOf(sessions.keySet());
            sessions.forEach((id, bound) ->
                assertThat(state.sessions().session(id).bound()).containsExactlyElementsOf(bound));
            assertThat(state.sessions().lessorEpoch()).isEqualTo(epoch);
            assertThat(state.watches().compactRevision()).isEqualTo(compactRevision());
            long earliestDueMs = NO_TIMER;
            for (final SimWatch watch : watches.values())
            {
                final Watch held = state.watches().watch(watch.watchId);
                assertThat(null != held).as("watch %s held by the machine", watch.watchId).isEqualTo(watch.inMachine);
                if (null != held)
                {
                    assertThat(held.unreachableSinceMs()).as("watch %s unreachable since", watch.watchId)
                        .isEqualTo(watch.unreachableSinceMs);
                    if (!held.reachable())
                    {
                        earliestDueMs = Math.min(earliestDueMs, held.unreachableSinceMs() + EXPIRY_MS);
                    }
                }
            }
            // A timer armed after the earliest was due fires at once.
            assertThat(expiryTimerDueMs).as("the expiry timer armed for the earliest unreachable watch due")
                .isLessThanOrEqualTo(NO_TIMER == earliestDueMs ? NO_TIMER : Math.max(earliestDueMs, kv.nowMs()));
        }

        private void checkWatch(final SimWatch watch)
        {
            final List<EventBatch> expected = new ArrayList<>();
            for (final EventBatch batch : history)
            {
                final List<WatchEvent> covered = batch.events().stream()
                    .filter(e -> e.key().startsWith(watch.prefix)).toList();
                if (batch.revision() >= watch.start && !covered.isEmpty())
                {
                    expected.add(new EventBatch(batch.revision(), covered));
                }
            }
            if (watch.ended)
            {
                // Told "compacted": what it got before is exactly the start of the stream, and the rest was gone.
                assertThat(expected.subList(0, watch.delivered.size())).isEqualTo(watch.delivered);
                if (expected.size() > watch.delivered.size())
                {
                    assertThat(expected.get(watch.delivered.size()).revision())
                        .isGreaterThanOrEqualTo(watch.compactedAt);
                }
                // Else nothing was missed, but a watch that expired (and so resumed without a gap to show) cannot
                // prove it once the history has moved past its revision: compacted, as etcd would say.
                return;
            }
            assertThat(watch.delivered).as("watch %s on '%s' from %d", watch.watchId, watch.prefix, watch.start)
                .isEqualTo(expected);
        }

        private <T> T pick(final List<T> from)
        {
            return from.get(random.nextInt(from.size()));
        }

        private static KeyValue kvOf(final String key, final ModelKey model)
        {
            return null == model ? null :
                new KeyValue(key, model.value(), model.create(), model.mod(), model.version(), model.session());
        }
    }

    /**
     * An attempt of a numbered call still to land, and the reply its first one got.
     */
    private record Attempt(LeasedKvCommand.Numbered numbered, Object reply)
    {
    }

    /**
     * A key in the model.
     */
    private record ModelKey(String value, long session, long create, long mod, long version)
    {
    }

    /**
     * A watch client in the simulation, using the same cursor as {@link dev.ra.examples.watch.Watcher}.
     */
    private static final class SimWatch
    {
        private final String watchId;
        private final ProcessRef watcher;
        private final String prefix;
        private final long start;
        private final WatchCursor cursor;
        private final List<EventBatch> delivered = new ArrayList<>();
        private boolean ended;
        private long compactedAt;
        private boolean inMachine = true;
        private boolean cutOff;
        private long unreachableSinceMs = Watch.REACHABLE;

        SimWatch(final String watchId, final ProcessRef watcher, final String prefix, final long start)
        {
            this.watchId = watchId;
            this.watcher = watcher;
            this.prefix = prefix;
            this.start = start;
            this.cursor = new WatchCursor(start - 1);
        }
    }

}
