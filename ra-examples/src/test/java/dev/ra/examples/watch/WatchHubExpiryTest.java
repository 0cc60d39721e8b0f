package dev.ra.examples.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The expiry of watches whose watcher's node stays unreachable: kept until the bound has passed in log time (never
 * before, whatever the failovers), gone after it, and the watcher told when its node returns, until it registers
 * again.
 */
class WatchHubExpiryTest
{
    private static final long BOUND_MS = 60_000;
    private static final long T0 = 1_000_000;
    private static final ProcessRef WATCHER = new ProcessRef("app", 7);
    private static final ProcessRef OTHER = new ProcessRef("other", 3);

    private final List<Effect> effects = new ArrayList<>();

    private WatchHub registered(final ProcessRef watcher, final String watchId)
    {
        return registered(WatchHub.EMPTY, watcher, watchId);
    }

    private WatchHub registered(final WatchHub hub, final ProcessRef watcher, final String watchId)
    {
        return hub.register(new WatchCommand.Register(watchId, watcher, "k", 0), 10, effects).hub();
    }

    private WatchHub cutOff(final WatchHub hub, final ProcessRef watcher, final long atMs)
    {
        return hub.down(watcher, DownReason.NOCONNECTION, atMs, BOUND_MS, effects);
    }

    private List<Effect> timers()
    {
        return effects.stream().filter(e -> e instanceof Effect.Timer).toList();
    }

    @Test
    void shouldKeepAnUnreachableWatchUntilTheBoundAndDropItThen()
    {
        WatchHub hub = cutOff(registered(WATCHER, "w"), WATCHER, T0);
        assertThat(hub.watch("w").reachable()).isFalse();
        assertThat(hub.watch("w").unreachableSinceMs()).isEqualTo(T0);
        assertThat(effects).contains(new Effect.MonitorNode("app"), new Effect.Timer(WatchHub.EXPIRY_TIMER, BOUND_MS));

        effects.clear();
        hub = hub.expire(T0 + BOUND_MS - 1, BOUND_MS, effects);
        assertThat(hub.watch("w")).as("one millisecond early").isNotNull();
        assertThat(timers()).as("re-armed for the rest").containsExactly(new Effect.Timer(WatchHub.EXPIRY_TIMER, 1));

        effects.clear();
        hub = hub.expire(T0 + BOUND_MS, BOUND_MS, effects);
        assertThat(hub.watch("w")).as("at the bound").isNull();
        assertThat(hub.watches()).isEmpty();
        assertThat(hub.expired()).containsOnlyKeys("w");
        assertThat(timers()).as("nothing left to expire").isEmpty();
    }

    @Test
    void shouldNotExtendTheBoundOnASecondUnreachableReport()
    {
        WatchHub hub = cutOff(registered(WATCHER, "w"), WATCHER, T0);
        // A new leader's monitor finds the node still cut off, later.
        hub = cutOff(hub, WATCHER, T0 + BOUND_MS / 2);
        assertThat(hub.watch("w").unreachableSinceMs()).isEqualTo(T0);
        assertThat(timers()).last().isEqualTo(new Effect.Timer(WatchHub.EXPIRY_TIMER, BOUND_MS / 2));
        assertThat(hub.expire(T0 + BOUND_MS, BOUND_MS, effects).watch("w")).isNull();
    }

    @Test
    void shouldKeepTheWatchOfANodeThatCameBackBeforeTheBound()
    {
        WatchHub hub = cutOff(registered(WATCHER, "w"), WATCHER, T0);
        hub = hub.nodeUp("app", effects);
        assertThat(hub.watch("w").reachable()).isTrue();
        effects.clear();
        hub = hub.expire(T0 + 10 * BOUND_MS, BOUND_MS, effects);
        assertThat(hub.watch("w")).isNotNull();
        assertThat(timers()).isEmpty();
        // Cut off again later: a fresh bound from then.
        hub = cutOff(hub, WATCHER, T0 + 20 * BOUND_MS);
        assertThat(hub.expire(T0 + 21 * BOUND_MS - 1, BOUND_MS, effects).watch("w")).isNotNull();
        assertThat(hub.expire(T0 + 21 * BOUND_MS, BOUND_MS, effects).watch("w")).isNull();
    }

    @Test
    void shouldExpireOnlyTheWatchesWhoseBoundHasPassed()
    {
        WatchHub hub = registered(registered(WATCHER, "w"), OTHER, "o");
        hub = cutOff(hub, WATCHER, T0);
        hub = cutOff(hub, OTHER, T0 + 1_000);
        effects.clear();
        hub = hub.expire(T0 + BOUND_MS, BOUND_MS, effects);
        assertThat(hub.watches()).containsOnlyKeys("o");
        assertThat(timers()).containsExactly(new Effect.Timer(WatchHub.EXPIRY_TIMER, 1_000));
    }

    @Test
    void shouldArmTheTimerAtOnceOnANewLeaderAndNeverExpireEarly()
    {
        final WatchHub hub = cutOff(registered(WATCHER, "w"), WATCHER, T0);
        assertThat(hub.leaderEffects()).contains(new Effect.Monitor(WATCHER), new Effect.MonitorNode("app"),
            new Effect.Timer(WatchHub.EXPIRY_TIMER, 0));
        // The new leader's first check, at its own time, short of the bound: kept, re-armed with the remainder.
        effects.clear();
        final WatchHub checked = hub.expire(T0 + 1_500, BOUND_MS, effects);
        assertThat(checked.watch("w")).isNotNull();
        assertThat(timers()).containsExactly(new Effect.Timer(WatchHub.EXPIRY_TIMER, BOUND_MS - 1_500));
        assertThat(registered(WATCHER, "w").leaderEffects()).as("nothing to expire, no timer")
            .noneMatch(e -> e instanceof Effect.Timer);
    }

    @Test
    void shouldTellAWatcherWhoseNodeReturnsAfterTheBoundUntilItRegistersAgain()
    {
        WatchHub hub = registered(WATCHER, "w");
        final List<WatchEvent> events = List.of(new WatchEvent(EventType.PUT, "k1", "v", 12, 12, 1));
        hub = hub.record(new EventBatch(12, events), 100, effects);
        hub = cutOff(hub, WATCHER, T0);
        hub = hub.expire(T0 + BOUND_MS, BOUND_MS, effects);

        effects.clear();
        hub = hub.nodeUp("app", effects);
        final WatchNotification.Expired notice = new WatchNotification.Expired("w", 12);
        assertThat(effects).containsExactly(new Effect.Monitor(WATCHER), new Effect.SendMsg(WATCHER, notice));
        assertThat(hub.leaderEffects()).as("a notice lost with the leader is sent again by the next")
            .contains(new Effect.SendMsg(WATCHER, notice), new Effect.MonitorNode("app"))
            .noneMatch(e -> e instanceof Effect.Timer);

        // The watcher resumes from its last delivered revision + 1: registered afresh, the tombstone goes.
        effects.clear();
        final WatchHub.Registration again = hub.register(new WatchCommand.Register("w", WATCHER, "k", 11), 12, effects);
        assertThat(again.reply()).isEqualTo(new WatchReply.Watching("w", 11, 12));
        assertThat(again.hub().watch("w").reachable()).isTrue();
        assertThat(again.hub().expired()).isEmpty();
        assertThat(effects).contains(new Effect.SendMsg(WATCHER, new WatchNotification.Events("w", 12, 10, events)));
    }

    @Test
    void shouldDropTheTombstoneOfAWatcherThatEndedOrCancelled()
    {
        WatchHub hub = registered(registered(WATCHER, "w"), WATCHER, "w2");
        hub = cutOff(hub, WATCHER, T0);
        hub = hub.expire(T0 + BOUND_MS, BOUND_MS, effects);
        assertThat(hub.expired()).containsOnlyKeys("w", "w2");
        assertThat(hub.down(WATCHER, DownReason.NOCONNECTION, T0 + BOUND_MS, BOUND_MS, effects).expired())
            .containsOnlyKeys("w", "w2");
        assertThat(hub.cancel("w").expired()).containsOnlyKeys("w2");
        assertThat(hub.down(WATCHER, DownReason.NOPROC, T0 + BOUND_MS, BOUND_MS, effects).expired()).isEmpty();
    }

    @Test
    void shouldArmALongBoundWithoutOverflow()
    {
        final List<Effect> armed = new ArrayList<>();
        registered(WATCHER, "w").down(WATCHER, DownReason.NOCONNECTION, T0, Long.MAX_VALUE, armed);
        assertThat(armed).contains(new Effect.Timer(WatchHub.EXPIRY_TIMER, Long.MAX_VALUE));
    }

    @Test
    void shouldKeepABoundedNumberOfTombstonesOldestDroppedFirst()
    {
        WatchHub hub = WatchHub.EMPTY;
        final int count = WatchHub.EXPIRED_KEPT + 5;
        for (int i = 0; i < count; i++)
        {
            final ProcessRef watcher = new ProcessRef("gone" + i, 1);
            hub = cutOff(registered(hub, watcher, "w" + i), watcher, T0 + i);
        }
        for (int i = 0; i < count; i++)
        {
            hub = hub.expire(T0 + BOUND_MS + i, BOUND_MS, effects);
        }
        assertThat(hub.watches()).isEmpty();
        assertThat(hub.expired()).hasSize(WatchHub.EXPIRED_KEPT).doesNotContainKey("w4").containsKey("w5")
            .containsKey("w" + (count - 1));
    }
}
