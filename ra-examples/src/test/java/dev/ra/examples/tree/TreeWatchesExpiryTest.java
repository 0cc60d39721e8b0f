package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The expiry of the tree's watches whose watcher's node stays unreachable: kept until the bound has passed in log
 * time (never before, whatever the failovers; a second report does not extend it), gone after it, one-shot and
 * persistent alike, and the watcher told to re-register when its node returns, which restores what it still holds
 * (a one-shot watch that fired meanwhile fires then, and is not set again).
 */
class TreeWatchesExpiryTest
{
    private static final long BOUND_MS = 60_000;
    private static final long T0 = 1_000_000;
    private static final ProcessRef WATCHER = new ProcessRef("app", 7);
    private static final ProcessRef OTHER = new ProcessRef("other", 3);
    private static final TreeWatch DATA = new TreeWatch(WATCHER, "/a", WatchMode.DATA);
    private static final TreeWatch RECURSIVE = new TreeWatch(WATCHER, "/", WatchMode.PERSISTENT_RECURSIVE);
    private static final TreeWatch OTHERS = new TreeWatch(OTHER, "/a", WatchMode.CHILD);

    private final List<Effect> effects = new ArrayList<>();

    private TreeWatches watching(final TreeWatch... watches)
    {
        TreeWatches all = TreeWatches.EMPTY;
        for (final TreeWatch watch : watches)
        {
            all = all.set(watch, effects);
        }
        return all;
    }

    private TreeWatches cutOff(final TreeWatches watches, final ProcessRef watcher, final long atMs)
    {
        return watches.unreachable(watcher, atMs, BOUND_MS, effects);
    }

    private List<Effect> timers()
    {
        return effects.stream().filter(e -> e instanceof Effect.Timer).toList();
    }

    @Test
    void shouldKeepAnUnreachableWatchersWatchesUntilTheBoundExactlyAndDropThemAllThen()
    {
        TreeWatches watches = cutOff(watching(DATA, RECURSIVE), WATCHER, T0);
        assertThat(watches.unreachableSinceMs()).containsEntry(WATCHER, T0);
        assertThat(effects).contains(new Effect.MonitorNode("app"),
            new Effect.Timer(TreeWatches.EXPIRY_TIMER, BOUND_MS));

        effects.clear();
        watches = watches.expire(T0 + BOUND_MS - 1, BOUND_MS, effects);
        assertThat(watches.watches()).as("one millisecond early").containsExactly(DATA, RECURSIVE);
        assertThat(timers()).as("re-armed for the rest").containsExactly(new Effect.Timer(TreeWatches.EXPIRY_TIMER, 1));

        effects.clear();
        watches = watches.expire(T0 + BOUND_MS, BOUND_MS, effects);
        assertThat(watches.watches()).as("at the bound: one-shot and persistent").isEmpty();
        assertThat(watches.watchers()).isEmpty();
        assertThat(watches.unreachableSinceMs()).isEmpty();
        assertThat(watches.expired()).containsExactly(WATCHER);
        assertThat(timers()).as("nothing left to expire").isEmpty();
    }

    @Test
    void shouldNotExtendTheBoundOnASecondUnreachableReport()
    {
        TreeWatches watches = cutOff(watching(DATA), WATCHER, T0);
        // A new leader's monitor finds the node still cut off, later.
        watches = cutOff(watches, WATCHER, T0 + BOUND_MS / 2);
        assertThat(watches.unreachableSinceMs()).containsEntry(WATCHER, T0);
        assertThat(watches.expire(T0 + BOUND_MS, BOUND_MS, effects).watches()).isEmpty();
    }

    @Test
    void shouldKeepTheWatchesOfANodeThatCameBackBeforeTheBound()
    {
        TreeWatches watches = cutOff(watching(DATA, RECURSIVE), WATCHER, T0);
        effects.clear();
        watches = watches.nodeUp("app", 40, effects);
        assertThat(effects).containsExactly(new Effect.Monitor(WATCHER),
            new Effect.SendMsg(WATCHER, new TreeWatchMessage.Resync(40)));
        assertThat(watches.unreachableSinceMs()).isEmpty();
        effects.clear();
        watches = watches.expire(T0 + 10 * BOUND_MS, BOUND_MS, effects);
        assertThat(watches.watches()).containsExactly(DATA, RECURSIVE);
        assertThat(timers()).isEmpty();
        // Cut off again later: a fresh bound from then.
        watches = cutOff(watches, WATCHER, T0 + 20 * BOUND_MS);
        assertThat(watches.expire(T0 + 21 * BOUND_MS - 1, BOUND_MS, effects).watches()).hasSize(2);
        assertThat(watches.expire(T0 + 21 * BOUND_MS, BOUND_MS, effects).watches()).isEmpty();
    }

    @Test
    void shouldExpireOnlyTheWatchersWhoseBoundHasPassed()
    {
        TreeWatches watches = watching(DATA, OTHERS);
        watches = cutOff(watches, WATCHER, T0);
        watches = cutOff(watches, OTHER, T0 + 1_000);
        effects.clear();
        watches = watches.expire(T0 + BOUND_MS, BOUND_MS, effects);
        assertThat(watches.watches()).containsExactly(OTHERS);
        assertThat(timers()).containsExactly(new Effect.Timer(TreeWatches.EXPIRY_TIMER, 1_000));
    }

    @Test
    void shouldArmTheTimerAtOnceOnANewLeaderAndNeverExpireEarly()
    {
        final TreeWatches watches = cutOff(watching(DATA), WATCHER, T0);
        assertThat(watches.leaderEffects(9)).contains(new Effect.Monitor(WATCHER), new Effect.MonitorNode("app"),
            new Effect.Timer(TreeWatches.EXPIRY_TIMER, 0));
        // The new leader's first check, at its own time, short of the bound: kept, re-armed with the remainder.
        effects.clear();
        final TreeWatches checked = watches.expire(T0 + 1_500, BOUND_MS, effects);
        assertThat(checked.watches()).containsExactly(DATA);
        assertThat(timers()).containsExactly(new Effect.Timer(TreeWatches.EXPIRY_TIMER, BOUND_MS - 1_500));
        assertThat(watching(DATA).leaderEffects(9)).as("nothing to expire, no timer")
            .noneMatch(e -> e instanceof Effect.Timer);
    }

    @Test
    void shouldTellAWatcherWhoseNodeReturnsAfterTheBoundToReregisterAndKnowItAgain()
    {
        TreeWatches watches = cutOff(watching(DATA), WATCHER, T0);
        watches = watches.expire(T0 + BOUND_MS, BOUND_MS, effects);
        assertThat(watches.leaderEffects(9)).as("a tombstone is told by every new leader, and its node watched")
            .contains(new Effect.Monitor(WATCHER), new Effect.MonitorNode("app"),
                new Effect.SendMsg(WATCHER, new TreeWatchMessage.Resync(9)))
            .noneMatch(e -> e instanceof Effect.Timer);

        effects.clear();
        watches = watches.nodeUp("app", 12, effects);
        assertThat(effects).containsExactly(new Effect.Monitor(WATCHER),
            new Effect.SendMsg(WATCHER, new TreeWatchMessage.Resync(12)));
        assertThat(watches.watchers()).containsExactly(WATCHER);
        assertThat(watches.expired()).isEmpty();

        effects.clear();
        watches = watches.set(DATA, effects);
        assertThat(watches.watches()).containsExactly(DATA);
    }

    @Test
    void shouldForgetAWatcherThatEndedWithItsTombstone()
    {
        TreeWatches watches = cutOff(watching(DATA), WATCHER, T0);
        assertThat(watches.down(WATCHER)).isEqualTo(TreeWatches.EMPTY);
        watches = watches.expire(T0 + BOUND_MS, BOUND_MS, effects);
        assertThat(watches.down(WATCHER)).isEqualTo(TreeWatches.EMPTY);
    }

    @Test
    void shouldMarkAWatcherThatSetsAWatchReachableAndMonitorItAgain()
    {
        TreeWatches watches = cutOff(watching(DATA), WATCHER, T0);
        effects.clear();
        watches = watches.set(RECURSIVE, effects);
        assertThat(watches.unreachableSinceMs()).isEmpty();
        assertThat(effects).containsExactly(new Effect.Monitor(WATCHER));
    }

    @Test
    void shouldArmALongBoundWithoutOverflow()
    {
        final List<Effect> armed = new ArrayList<>();
        watching(DATA).unreachable(WATCHER, T0, Long.MAX_VALUE, armed);
        assertThat(armed).contains(new Effect.Timer(TreeWatches.EXPIRY_TIMER, Long.MAX_VALUE));
    }

    @Test
    void shouldKeepABoundedNumberOfTombstonesOldestDroppedFirst()
    {
        TreeWatches watches = TreeWatches.EMPTY;
        final int count = TreeWatches.EXPIRED_KEPT + 5;
        for (int i = 0; i < count; i++)
        {
            final ProcessRef watcher = new ProcessRef("gone" + i, 1);
            watches = cutOff(watches.set(new TreeWatch(watcher, "/a", WatchMode.DATA), effects), watcher, T0 + i);
        }
        for (int i = 0; i < count; i++)
        {
            watches = watches.expire(T0 + BOUND_MS + i, BOUND_MS, effects);
        }
        assertThat(watches.watches()).isEmpty();
        assertThat(watches.watchers()).isEmpty();
        assertThat(watches.expired()).hasSize(TreeWatches.EXPIRED_KEPT)
            .doesNotContain(new ProcessRef("gone4", 1)).contains(new ProcessRef("gone5", 1))
            .endsWith(new ProcessRef("gone" + (count - 1), 1));
    }

    /** Through the machine: log time decides, a failover re-arms, and the returning watcher gets its watches back. */
    @Test
    void shouldExpireThroughTheMachineAndRestoreWhatTheReturningWatcherStillHolds()
    {
        final MachineDriver<TreeMachineCommand, TreeState> tree = new MachineDriver<>(
            new TreeMachine("lessor", Duration.ofMillis(BOUND_MS), ReleaseCursorPolicy.every(64)),
            TreeMachineCommand.class);
        // The expiry in force is in the state (machine version 2): as if the first leader had put its own.
        tree.restore(TreeState.EMPTY.withUnreachableWatchExpiryMs(BOUND_MS));
        tree.apply(new TreeOp.Create("/a", "", CreateMode.PERSISTENT, 0));
        tree.apply(new TreeOp.Create("/b", "", CreateMode.PERSISTENT, 0));
        final long setAt = ((TreeReply.NodeData)tree.apply(new TreeCommand.GetData("/a", WATCHER)).reply()).zxid();
        tree.apply(new TreeCommand.GetData("/b", WATCHER));
        tree.apply(new TreeCommand.AddWatch("/", WATCHER, true));
        final long cutAt = tree.nowMs();
        assertThat(tree.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION)).effects())
            .contains(new Effect.MonitorNode("app"), new Effect.Timer(TreeWatches.EXPIRY_TIMER, BOUND_MS));
        final long changedAt = tree.nextIndex();
        tree.apply(new TreeOp.SetData("/a", "x", TreeOp.ANY_VERSION));    // fires /a's one-shot watch: event lost

        tree.advance(BOUND_MS / 2);
        assertThat(tree.enter(RaftRole.LEADER)).as("a new leader re-arms at once")
            .contains(new Effect.Timer(TreeWatches.EXPIRY_TIMER, 0));
        tree.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER));
        // The new leader's monitor finds the node still cut off: the first time stays.
        tree.builtin(new BuiltinCommand.Down(WATCHER, DownReason.NOCONNECTION));
        assertThat(tree.state().watches().watches()).as("half way").hasSize(2);
        assertThat(tree.state().watches().unreachableSinceMs()).containsEntry(WATCHER, cutAt);

        tree.advance(BOUND_MS / 2);
        tree.builtin(new BuiltinCommand.Timeout(TreeWatches.EXPIRY_TIMER));
        assertThat(tree.state().watches().watches()).as("at the bound").isEmpty();
        assertThat(tree.state().watches().expired()).containsExactly(WATCHER);

        final ApplyResult<TreeState> back = tree.builtin(new BuiltinCommand.NodeUp("app"));
        assertThat(back.effects()).contains(new Effect.SendMsg(WATCHER,
            new TreeWatchMessage.Resync(tree.state().zxid())));
        // The client re-registers all it holds: /a's watch (it never saw the event), /b's, the recursive one.
        final ApplyResult<TreeState> again = tree.apply(new TreeCommand.Reregister(WATCHER, List.of(
            new TreeCommand.HeldWatch("/a", WatchMode.DATA, setAt),
            new TreeCommand.HeldWatch("/b", WatchMode.DATA, setAt + 1),
            new TreeCommand.HeldWatch("/", WatchMode.PERSISTENT_RECURSIVE, setAt + 2))));
        assertThat(again.effects()).as("the change to /a fires now")
            .contains(new Effect.SendMsg(WATCHER,
                new TreeWatchMessage.Event(TreeEventType.NODE_DATA_CHANGED, "/a", changedAt)));
        assertThat(tree.state().watches().watches()).as("the fired one-shot watch is not set again")
            .containsExactly(new TreeWatch(WATCHER, "/b", WatchMode.DATA), RECURSIVE);
        assertThat(tree.state().watches().expired()).isEmpty();
        assertThat(tree.apply(new TreeOp.SetData("/b", "y", TreeOp.ANY_VERSION)).effects())
            .as("restored watches fire again")
            .contains(new Effect.SendMsg(WATCHER,
                new TreeWatchMessage.Event(TreeEventType.NODE_DATA_CHANGED, "/b", tree.nextIndex() - 1)));
    }
}
