package dev.ra.examples.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.lease.LeasedKvCommand;
import dev.ra.examples.lease.LeasedKvMachine;
import dev.ra.examples.lease.LeasedKvMachineCommand;
import dev.ra.examples.lease.LeasedKvSettings;
import dev.ra.examples.lease.LeasedKvState;
import dev.ra.examples.lease.SessionTable;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A watch is cancelled by its own watcher only (machine version 2): a cancel naming another watcher, or none, leaves
 * the watch alone. A cancel that removes the tombstone of an expired watch says it removed something. Versions 0
 * and 1 keep the cancel that names no watcher, and refuse the new one before the log; the {@link Watcher} falls back
 * to the old cancel on such a cluster.
 */
class WatchCancelOwnershipTest
{
    private static final ProcessRef ALICE = new ProcessRef("app", 1);
    private static final ProcessRef MALLORY = new ProcessRef("other", 7);
    private static final long EXPIRY_MS = 1_000;

    private final LeasedKvMachine latest = new LeasedKvMachine("lessor", 16, Duration.ofMillis(EXPIRY_MS),
        ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<LeasedKvMachineCommand, LeasedKvState> kv =
        new MachineDriver<>(latest, LeasedKvMachineCommand.class);

    {
        // The settings in force are in the state (machine version 3): as if the first leader had put its own.
        kv.restore(new LeasedKvState(Map.of(), SessionTable.EMPTY, WatchHub.EMPTY, 0, 0,
            new LeasedKvSettings(16, EXPIRY_MS)));
    }

    @Test
    void aCancelNamingNoWatcherDoesNotEndAnotherWatchersWatch()
    {
        kv.apply(new WatchCommand.Register("w", ALICE, "a/", 0));

        final ApplyResult<LeasedKvState> cancelled = kv.apply(new WatchCommand.Cancel("w"));

        assertThat(kv.state().watches().watch("w")).as("reply " + cancelled.reply()).isNotNull();
        assertThat(cancelled.reply()).isInstanceOf(WatchReply.Refused.class);
        assertThat(((WatchReply.Refused)cancelled.reply()).reason()).contains("CancelOwn");
        assertThat(cancelled.effects()).isEmpty();
    }

    @Test
    void anotherWatchersCancelIsRefusedAndTheWatchGoesOn()
    {
        kv.apply(new WatchCommand.Register("w", ALICE, "a/", 0));

        final ApplyResult<LeasedKvState> cancelled = kv.apply(new WatchCommand.CancelOwn("w", MALLORY));

        assertThat(cancelled.reply()).isInstanceOf(WatchReply.Refused.class);
        assertThat(((WatchReply.Refused)cancelled.reply()).reason()).contains("'w'", "in use", ALICE.toString());
        assertThat(kv.state().watches().watch("w").watcher()).isEqualTo(ALICE);
        assertThat(kv.apply(new LeasedKvCommand.Put("a/1", "v", 0)).effects()).as("the watcher is still served")
            .anyMatch(effect -> effect instanceof Effect.SendMsg send && send.to().equals(ALICE));
    }

    @Test
    void theWatcherCancelsItsOwnWatchOnce()
    {
        kv.apply(new WatchCommand.Register("w", ALICE, "a/", 0));

        assertThat(kv.apply(new WatchCommand.CancelOwn("w", ALICE)).reply()).isEqualTo(Boolean.TRUE);
        assertThat(kv.state().watches().watch("w")).isNull();
        assertThat(kv.apply(new WatchCommand.CancelOwn("w", ALICE)).reply()).isEqualTo(Boolean.FALSE);
        assertThat(kv.apply(new LeasedKvCommand.Put("a/1", "v", 0)).effects())
            .noneMatch(effect -> effect instanceof Effect.SendMsg);
    }

    @Test
    void aCancelThatRemovesAnExpiredWatchsTombstoneSaysItRemovedSomething()
    {
        expire(kv, "w");

        final ApplyResult<LeasedKvState> refused = kv.apply(new WatchCommand.CancelOwn("w", MALLORY));
        assertThat(refused.reply()).isInstanceOf(WatchReply.Refused.class);
        assertThat(kv.state().watches().expired()).as("its owner is still told on its return").containsKey("w");

        final ApplyResult<LeasedKvState> cancelled = kv.apply(new WatchCommand.CancelOwn("w", ALICE));

        assertThat(kv.state().watches().expired()).isEmpty();
        assertThat(cancelled.reply()).isEqualTo(Boolean.TRUE);
        assertThat(kv.apply(new WatchCommand.CancelOwn("w", ALICE)).reply()).isEqualTo(Boolean.FALSE);
    }

    @Test
    void versionsZeroAndOneKeepTheCancelOfAnyWatchAndRefuseTheOwnCancelBeforeTheLog()
    {
        assertThat(latest.version()).isEqualTo(5);
        assertThat(latest.machineFor(5)).isSameAs(latest);
        final byte[] own = latest.commandCodec().toBytes(new WatchCommand.CancelOwn("w", ALICE));
        for (final int version : List.of(0, 1))
        {
            final StateMachine<LeasedKvMachineCommand, LeasedKvState> old = latest.machineFor(version);
            assertThatThrownBy(() -> old.commandCodec().toBytes(new WatchCommand.CancelOwn("w", ALICE)))
                .isInstanceOf(CodecException.class).hasMessageContaining("machine version 2");
            assertThatThrownBy(() -> old.commandCodec().fromBytes(own)).isInstanceOf(CodecException.class)
                .hasMessageContaining("machine version 2");
            final WatchCommand.Cancel plain = new WatchCommand.Cancel("w");
            assertThat(old.commandCodec().fromBytes(old.commandCodec().toBytes(plain))).isEqualTo(plain);

            final MachineDriver<LeasedKvMachineCommand, LeasedKvState> driver =
                new MachineDriver<>(old, LeasedKvMachineCommand.class);
            driver.apply(new WatchCommand.Register("w", ALICE, "a/", 0));
            assertThat(driver.apply(new WatchCommand.CancelOwn("w", ALICE)).reply()).as("kept out of apply too")
                .isInstanceOf(WatchReply.Refused.class);
            assertThat(driver.state().watches().watch("w")).isNotNull();
            assertThat(driver.apply(plain).reply()).as("version %d", version).isEqualTo(Boolean.TRUE);
            assertThat(driver.state().watches().watch("w")).isNull();

            expire(driver, "t");
            assertThat(driver.apply(new WatchCommand.Cancel("t")).reply()).as("version %d, tombstone", version)
                .isEqualTo(Boolean.FALSE);
            assertThat(driver.state().watches().expired()).isEmpty();
        }
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> one =
            new MachineDriver<>(latest.machineFor(1), LeasedKvMachineCommand.class);
        one.apply(new WatchCommand.Register("w", ALICE, "a/", 0));
        assertThat(one.apply(new WatchCommand.Register("w", MALLORY, "", 0)).reply()).as("version 1 owns ids")
            .isInstanceOf(WatchReply.Refused.class);
    }

    @Test
    void theWatcherFallsBackToTheOldCancelOnAClusterAtAnOlderVersion()
    {
        final Script script = new Script();
        script.replies.add(new InvalidCommandException("needs machine version 2"));
        script.replies.add(Boolean.TRUE);

        assertThat(Watcher.cancel("w", ALICE, script::send)).isEqualTo(Boolean.TRUE);
        assertThat(script.sent).containsExactly(new WatchCommand.CancelOwn("w", ALICE), new WatchCommand.Cancel("w"));
    }

    @Test
    void theWatcherSendsItsOwnCancelAgainWhenTheClusterSwitchedBetweenTheTwo()
    {
        final Script script = new Script();
        script.replies.add(new InvalidCommandException("needs machine version 2"));
        script.replies.add(new WatchReply.Refused("w", "names no watcher"));
        script.replies.add(Boolean.TRUE);

        assertThat(Watcher.cancel("w", ALICE, script::send)).isEqualTo(Boolean.TRUE);
        assertThat(script.sent).containsExactly(new WatchCommand.CancelOwn("w", ALICE), new WatchCommand.Cancel("w"),
            new WatchCommand.CancelOwn("w", ALICE));
    }

    @Test
    void theWatcherFallsBackToTheOldCancelWhenAnOlderVersionRefusesItsOwnInApply()
    {
        final Script script = new Script();
        script.replies.add(new WatchReply.Refused("w", "needs machine version 2"));
        script.replies.add(Boolean.TRUE);

        assertThat(Watcher.cancel("w", ALICE, script::send)).isEqualTo(Boolean.TRUE);
        assertThat(script.sent).containsExactly(new WatchCommand.CancelOwn("w", ALICE), new WatchCommand.Cancel("w"));
    }

    @Test
    void theWatcherLeavesAnotherWatchersWatchAloneAtVersionTwo()
    {
        final Script script = new Script();
        script.replies.add(new WatchReply.Refused("w", "in use by another watcher"));
        script.replies.add(new WatchReply.Refused("w", "names no watcher"));

        assertThat(Watcher.cancel("w", ALICE, script::send)).isInstanceOf(WatchReply.Refused.class);
        assertThat(script.sent).containsExactly(new WatchCommand.CancelOwn("w", ALICE), new WatchCommand.Cancel("w"));
    }

    @Test
    void theWatcherSendsOnlyItsOwnCancelToAClusterAtVersionTwo()
    {
        final Script script = new Script();
        script.replies.add(Boolean.FALSE);

        assertThat(Watcher.cancel("w", ALICE, script::send)).isEqualTo(Boolean.FALSE);
        assertThat(script.sent).containsExactly(new WatchCommand.CancelOwn("w", ALICE));
    }

    /** Register a watch of ALICE and let it expire while she is cut off, leaving its tombstone. */
    private static void expire(final MachineDriver<LeasedKvMachineCommand, LeasedKvState> driver,
        final String watchId)
    {
        driver.apply(new WatchCommand.Register(watchId, ALICE, "a/", 0));
        driver.builtin(new BuiltinCommand.Down(ALICE, DownReason.NOCONNECTION));
        driver.advance(EXPIRY_MS);
        driver.builtin(new BuiltinCommand.Timeout(WatchHub.EXPIRY_TIMER));
        assertThat(driver.state().watches().expired()).containsKey(watchId);
    }

    /** The cluster as the Watcher's cancel sees it: the replies (or failures) to give, in order. */
    private static final class Script
    {
        private final Deque<Object> replies = new ArrayDeque<>();
        private final List<WatchCommand> sent = new ArrayList<>();

        Object send(final WatchCommand command)
        {
            sent.add(command);
            final Object reply = replies.remove();
            if (reply instanceof RuntimeException failure)
            {
                throw failure;
            }
            return reply;
        }
    }
}
