package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.tree.TreeOp;
import dev.ra.examples.watch.EventType;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.WatchNotification;
import dev.ra.examples.watch.WatchReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The leased KV machine, step by step: session-bound keys, the lessor protocol (fresh start per epoch, fenced
 * expiries), watches and their history, and determinism through snapshots.
 */
class LeasedKvMachineTest
{
    private static final String HANDLER = "lessor";
    private static final ProcessRef OWNER = new ProcessRef("app", 1);
    private static final ProcessRef WATCHER = new ProcessRef("app", 2);

    private final MachineDriver<LeasedKvMachineCommand, LeasedKvState> kv =
        new MachineDriver<>(new LeasedKvMachine(HANDLER, 4, ReleaseCursorPolicy.every(1_000)),
            LeasedKvMachineCommand.class);

    LeasedKvMachineTest()
    {
        // The settings in force are in the state (machine version 3): as if the first leader had put its own.
        kv.restore(LeasedKvState.EMPTY.withSettings(new LeasedKvSettings(4,
            LeasedKvMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY.toMillis())));
    }

    @Test
    void shouldDeleteTheKeysOfARevokedSessionAndTellTheWatchers()
    {
        final long session = granted(new SessionCommand.Grant(5_000, null));
        kv.apply(new LeasedKvCommand.Put("svc/a", "10.0.0.1", session));
        kv.apply(new LeasedKvCommand.Put("svc/b", "10.0.0.2", 0));
        kv.apply(new WatchCommand.Register("w", WATCHER, "svc/", 0));

        final ApplyResult<LeasedKvState> revoked = kv.apply(new SessionCommand.Revoke(session));

        assertThat(revoked.reply()).isEqualTo(new SessionReply.Ended(session, true, List.of("svc/a")));
        assertThat(kv.state().get("svc/a")).isNull();
        assertThat(kv.state().get("svc/b")).isNotNull();
        final long revision = kv.nextIndex() - 1;
        assertThat(revoked.effects()).contains(
            new Effect.ModCall(HANDLER, new LessorCall.Untrack(session)),
            new Effect.SendMsg(WATCHER, new WatchNotification.Events("w", revision, revision - 2,
                List.of(new WatchEvent(EventType.DELETE, "svc/a", null, revision, 0, 0)))));
    }

    @Test
    void shouldMoveAKeyBetweenSessionsSoOnlyTheLatestSessionTakesItAlong()
    {
        final long first = granted(new SessionCommand.Grant(5_000, null));
        final long second = granted(new SessionCommand.Grant(5_000, null));
        kv.apply(new LeasedKvCommand.Put("k", "v1", first));
        kv.apply(new LeasedKvCommand.Put("k", "v2", second));

        assertThat(kv.apply(new SessionCommand.Revoke(first)).reply())
            .isEqualTo(new SessionReply.Ended(first, true, List.of()));
        assertThat(kv.state().get("k").value()).isEqualTo("v2");
        assertThat(kv.apply(new SessionCommand.Revoke(second)).reply())
            .isEqualTo(new SessionReply.Ended(second, true, List.of("k")));
        assertThat(kv.state().get("k")).isNull();
    }

    @Test
    void shouldRefuseAPutBoundToASessionThatIsNotLive()
    {
        assertThat(kv.apply(new LeasedKvCommand.Put("k", "v", 42)).reply())
            .isEqualTo(new LeasedKvReply.SessionNotFound(42));
        assertThat(kv.state().keys()).isEmpty();
        assertThat(kv.state().revision()).isZero();
    }

    @Test
    void shouldStartANewLeadersLessorWithEverySessionAndFenceOffTheOldLessorsExpiries()
    {
        final long epoch1 = newLeader();
        final long session = granted(new SessionCommand.Grant(3_000, OWNER));
        kv.apply(new LeasedKvCommand.Put("lock", "me", session));

        final List<Effect> entered = kv.enter(RaftRole.LEADER);
        assertThat(entered).contains(new Effect.Monitor(OWNER));
        assertThat(entered).last().isEqualTo(new Effect.Append(new SessionCommand.NewLeader()));
        final ApplyResult<LeasedKvState> started = kv.apply(new SessionCommand.NewLeader());
        final long epoch2 = kv.nextIndex() - 1;
        assertThat(started.effects()).contains(new Effect.ModCall(HANDLER,
            new LessorCall.Start(epoch2, List.of(new LessorCall.Tracked(session, 3_000)))));

        // The deposed leader's lessor did not hear the keep-alives that went to the new one: its expiry is refused.
        assertThat(kv.apply(new SessionCommand.Expire(session, epoch1)).reply())
            .isEqualTo(new SessionReply.ExpiryRefused(session, epoch1, epoch2));
        assertThat(kv.state().get("lock")).isNotNull();
        assertThat(kv.apply(new SessionCommand.Expire(session, epoch2)).reply())
            .isEqualTo(new SessionReply.Ended(session, true, List.of("lock")));
        assertThat(kv.state().get("lock")).isNull();
    }

    @Test
    void shouldTakeTheLessorOfTheCurrentEpochOnly()
    {
        final long epoch1 = newLeader();
        final long epoch2 = newLeader();
        final ProcessRef old = new ProcessRef("n1", 7);
        final ProcessRef current = new ProcessRef("n2", 8);

        assertThat(kv.apply(new SessionCommand.LessorReady(epoch1, old)).reply()).isEqualTo(false);
        assertThat(kv.state().sessions().lessor()).isNull();
        assertThat(kv.apply(new SessionCommand.LessorReady(epoch2, current)).reply()).isEqualTo(true);
        assertThat(kv.state().sessions().lessor()).isEqualTo(current);
        newLeader();
        assertThat(kv.state().sessions().lessor()).as("forgotten with its epoch").isNull();
    }

    @Test
    void shouldCloseTheSessionsOfAnOwnerThatEndedButNotOfOneThatIsOnlyUnreachable()
    {
        final long session = granted(new SessionCommand.Grant(3_000, OWNER));
        kv.apply(new LeasedKvCommand.Put("k", "v", session));

        kv.builtin(new BuiltinCommand.Down(OWNER, DownReason.NOCONNECTION));
        assertThat(kv.state().sessions().contains(session)).isTrue();
        kv.builtin(new BuiltinCommand.Down(OWNER, DownReason.NORMAL));
        assertThat(kv.state().sessions().contains(session)).isFalse();
        assertThat(kv.state().get("k")).isNull();
    }

    @Test
    void shouldWatchTheNodeOfAnUnreachableOwnerAndMonitorTheOwnerAgainWhenItsNodeReturns()
    {
        final ProcessRef elsewhere = new ProcessRef("other", 1);
        final long session = granted(new SessionCommand.Grant(3_000, OWNER));
        granted(new SessionCommand.Grant(3_000, OWNER));
        granted(new SessionCommand.Grant(3_000, elsewhere));
        kv.apply(new LeasedKvCommand.Put("k", "v", session));

        // The runtime forgot its monitor of the owner when it reported it unreachable.
        assertThat(kv.builtin(new BuiltinCommand.Down(OWNER, DownReason.NOCONNECTION)).effects())
            .containsExactly(new Effect.MonitorNode("app"));
        assertThat(kv.builtin(new BuiltinCommand.NodeUp("app")).effects()).as("once, though it owns two sessions")
            .containsExactly(new Effect.Monitor(OWNER));
        kv.builtin(new BuiltinCommand.Down(OWNER, DownReason.NOPROC));
        assertThat(kv.state().sessions().ownedBy(OWNER)).isEmpty();
        assertThat(kv.state().get("k")).isNull();
        assertThat(kv.builtin(new BuiltinCommand.Down(new ProcessRef("app", 9), DownReason.NOCONNECTION)).effects())
            .as("a process that owns no session").isEmpty();
    }

    @Test
    void shouldWatchTheNodeOfAnOwnerThatANewLeaderFindsUnreachable()
    {
        granted(new SessionCommand.Grant(3_000, OWNER));

        assertThat(kv.enter(RaftRole.LEADER)).contains(new Effect.Monitor(OWNER));
        // The new leader's monitor reports at once an owner whose node it does not reach.
        assertThat(kv.builtin(new BuiltinCommand.Down(OWNER, DownReason.NOCONNECTION)).effects())
            .containsExactly(new Effect.MonitorNode("app"));
        assertThat(kv.builtin(new BuiltinCommand.NodeUp("app")).effects()).containsExactly(new Effect.Monitor(OWNER));
    }

    @Test
    void shouldReplayTheHistoryFromTheStartRevisionAndRefuseACompactedOne()
    {
        final List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            kv.apply(new LeasedKvCommand.Put("k", "v" + i, 0));
            revisions.add(kv.nextIndex() - 1);
        }
        // History limit 4: the first two revisions are gone.
        final ApplyResult<LeasedKvState> compacted =
            kv.apply(new WatchCommand.Register("old", WATCHER, "k", revisions.get(1)));
        assertThat(compacted.reply()).isEqualTo(new WatchReply.Compacted("old", revisions.get(1), revisions.get(1)));
        assertThat(((WatchReply.Compacted)compacted.reply()).oldestAvailable()).isEqualTo(revisions.get(2));
        assertThat(kv.state().watches().watches()).isEmpty();

        final ApplyResult<LeasedKvState> watching =
            kv.apply(new WatchCommand.Register("w", WATCHER, "k", revisions.get(4)));
        assertThat(watching.reply()).isEqualTo(new WatchReply.Watching("w", revisions.get(4), revisions.get(5)));
        assertThat(watching.effects()).filteredOn(Effect.SendMsg.class::isInstance).containsExactly(
            new Effect.SendMsg(WATCHER, new WatchNotification.Events("w", revisions.get(4), revisions.get(4) - 1,
                List.of(new WatchEvent(EventType.PUT, "k", "v4", revisions.get(4), revisions.get(0), 5)))),
            new Effect.SendMsg(WATCHER, new WatchNotification.Events("w", revisions.get(5), revisions.get(4),
                List.of(new WatchEvent(EventType.PUT, "k", "v5", revisions.get(5), revisions.get(0), 6)))));
    }

    @Test
    void shouldEndAWatchWhoseResumeIsRefusedAsCompacted()
    {
        kv.apply(new WatchCommand.Register("w", WATCHER, "k", 0));
        for (int i = 0; i < 6; i++)
        {
            kv.apply(new LeasedKvCommand.Put("k", "v" + i, 0));
        }
        // The client delivered nothing and asks to resume from the start: the history no longer reaches back.
        assertThat(kv.apply(new WatchCommand.Register("w", WATCHER, "k", 1)).reply())
            .isInstanceOf(WatchReply.Compacted.class);
        assertThat(kv.state().watches().watches()).as("a watch that could only deliver with a gap").isEmpty();
        assertThat(kv.apply(new LeasedKvCommand.Put("k", "after", 0)).effects())
            .noneMatch(Effect.SendMsg.class::isInstance);
    }

    @Test
    void shouldTellEveryWatchWhereItStandsOnANewLeader()
    {
        kv.apply(new WatchCommand.Register("w", WATCHER, "", 0));
        kv.apply(new LeasedKvCommand.Put("k", "v", 0));
        final long revision = kv.nextIndex() - 1;

        assertThat(kv.enter(RaftRole.LEADER)).contains(new Effect.Monitor(WATCHER),
            new Effect.SendMsg(WATCHER, new WatchNotification.Resync("w", revision)));
        assertThat(kv.enter(RaftRole.FOLLOWER)).isEmpty();
    }

    @Test
    void shouldKeepTheWatchesOfAnUnreachableWatcherAndAskItToResumeWhenItsNodeReturns()
    {
        kv.apply(new WatchCommand.Register("w", WATCHER, "", 0));
        assertThat(kv.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION)).effects())
            .contains(new Effect.MonitorNode("app"));
        assertThat(kv.builtin(new BuiltinCommand.NodeUp("app")).effects())
            .contains(new Effect.Monitor(WATCHER), new Effect.SendMsg(WATCHER, new WatchNotification.Resync("w", 0)));
        kv.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOPROC));
        assertThat(kv.state().watches().watches()).isEmpty();
    }

    @Test
    void shouldFailACommandOfAnotherTypeWithAClearMessageAndChangeNothing()
    {
        // A command of another type is refused before the log (CommandTypeTest); these are the families it takes.
        assertThat(new LeasedKvMachine().commandType())
            .matches(type -> type.isInstance(new LeasedKvCommand.Delete("k", false)), "takes kv commands")
            .matches(type -> type.isInstance(new SessionCommand.Revoke(1)), "takes session commands")
            .matches(type -> type.isInstance(new WatchCommand.Cancel("w")), "takes watch commands")
            .matches(type -> !type.isInstance("put k v"), "refuses a string")
            .matches(type -> !type.isInstance(new TreeOp.Delete("/k", TreeOp.ANY_VERSION)), "refuses a tree op");
        assertThatThrownBy(() -> new LeasedKvMachine().query("get", 3, LeasedKvState.EMPTY))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes a key or prefix");
        assertThatThrownBy(() -> new LeasedKvMachine().query("nope", null, LeasedKvState.EMPTY))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 'nope'");
    }

    @Test
    void shouldHandleEveryPermittedCommandType()
    {
        final List<Class<?>> handled = List.of(LeasedKvCommand.Put.class, LeasedKvCommand.PutIf.class,
            LeasedKvCommand.Delete.class, LeasedKvCommand.Configure.class, LeasedKvCommand.Numbered.class,
            SessionCommand.Grant.class,
            SessionCommand.Revoke.class,
            SessionCommand.Expire.class, SessionCommand.NewLeader.class, SessionCommand.LessorReady.class,
            WatchCommand.Register.class, WatchCommand.NumberedRegister.class, WatchCommand.CancelOwn.class,
            WatchCommand.Cancel.class);
        final List<Class<?>> permitted = new ArrayList<>();
        for (final Class<?> sealed : List.of(LeasedKvCommand.class, SessionCommand.class, WatchCommand.class))
        {
            permitted.addAll(List.of(sealed.getPermittedSubclasses()));
        }
        assertThat(handled).containsExactlyInAnyOrderElementsOf(permitted);
    }

    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        final long seed = new Random().nextLong();
        final Random random = new Random(seed);
        for (int run = 0; run < 50; run++)
        {
            final List<Input> inputs = randomInputs(random);
            final int cut = random.nextInt(inputs.size() + 1);
            try
            {
                Determinism.check(() -> new LeasedKvMachine(HANDLER, 3, ReleaseCursorPolicy.every(5)),
                    LeasedKvMachineCommand.class, inputs, cut);
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError("seed " + seed + ", run " + run, ex);
            }
        }
    }

    private static boolean isNumberable(final LeasedKvMachineCommand command)
    {
        return command instanceof LeasedKvCommand.Put || command instanceof LeasedKvCommand.PutIf ||
            command instanceof LeasedKvCommand.Delete || command instanceof SessionCommand.Grant ||
            command instanceof SessionCommand.Revoke || command instanceof WatchCommand.Register;
    }

    private static List<Input> randomInputs(final Random random)
    {
        final List<Input> inputs = new ArrayList<>();
        final List<String> keys = List.of("a", "a/b", "b");
        for (int i = 0; i < 40; i++)
        {
            final String key = keys.get(random.nextInt(keys.size()));
            final long session = random.nextInt(20);
            final Object payload = switch (random.nextInt(11))
            {
                case 0 -> new LeasedKvCommand.Put(key, "v" + i, random.nextBoolean() ? 0 : session);
                case 1 -> new LeasedKvCommand.PutIf(key, random.nextInt(10), "w" + i, 0);
                case 2 -> new LeasedKvCommand.Delete(key, random.nextBoolean());
                case 3 -> new SessionCommand.Grant(1 + random.nextInt(100), random.nextBoolean() ? OWNER : null);
                case 4 -> new SessionCommand.Revoke(session);
                case 5 -> new SessionCommand.Expire(session, random.nextInt(20));
                case 6 -> new SessionCommand.NewLeader();
                case 7 -> new WatchCommand.Register("w" + random.nextInt(3), WATCHER, key, random.nextInt(12));
                case 8 -> new BuiltinCommand.Down(random.nextBoolean() ? OWNER : WATCHER,
                    DownReason.values()[random.nextInt(DownReason.values().length)]);
                case 9 -> new BuiltinCommand.NodeUp("app");
                default -> RaftRole.LEADER;
            };
            if (payload instanceof LeasedKvMachineCommand write && isNumberable(write) && random.nextBoolean())
            {
                // Numbered by one of two clients, from few numbers: retries, stale attempts and new calls mix.
                final long number = 1 + random.nextInt(8);
                final CommandNumber numbered = new CommandNumber("c" + random.nextInt(2), number,
                    1 + random.nextInt((int)number));
                inputs.add(Input.of(write instanceof WatchCommand.Register register ?
                    new WatchCommand.NumberedRegister(register, numbered) : new LeasedKvCommand.Numbered(write,
                        numbered)));
                continue;
            }
            inputs.add(Input.of(payload));
        }
        return inputs;
    }

    private long granted(final SessionCommand.Grant grant)
    {
        return ((SessionReply.Granted)kv.apply(grant).reply()).sessionId();
    }

    private long newLeader()
    {
        kv.apply(new SessionCommand.NewLeader());
        return kv.nextIndex() - 1;
    }
}
