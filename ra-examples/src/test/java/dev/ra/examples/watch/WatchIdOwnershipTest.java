package dev.ra.examples.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.examples.lease.LeasedKvCommand;
import dev.ra.examples.lease.LeasedKvMachine;
import dev.ra.examples.lease.LeasedKvMachineCommand;
import dev.ra.examples.lease.LeasedKvSettings;
import dev.ra.examples.lease.LeasedKvState;
import dev.ra.examples.lease.SessionTable;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A watch id belongs to the watcher that registered it: another watcher registering the same id is refused and the
 * first watch goes on; the watcher itself re-registering it is a resume. Version 0 of the machine replaced the watch.
 */
class WatchIdOwnershipTest
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
    void shouldRefuseAnotherWatchersRegistrationOfAWatchIdInUseAndKeepTheFirstWatch()
    {
        kv.apply(new WatchCommand.Register("w", ALICE, "a/", 0));

        final ApplyResult<LeasedKvState> taken = kv.apply(new WatchCommand.Register("w", MALLORY, "", 0));

        assertThat(taken.reply()).isInstanceOf(WatchReply.Refused.class);
        assertThat(((WatchReply.Refused)taken.reply()).reason()).contains("'w'", "in use", ALICE.toString());
        assertThat(taken.effects()).isEmpty();
        assertThat(kv.state().watches().watch("w").watcher()).isEqualTo(ALICE);
        final ApplyResult<LeasedKvState> put = kv.apply(new LeasedKvCommand.Put("a/1", "v", 0));
        assertThat(put.effects()).as("the first watcher is still served, the other is sent nothing")
            .anyMatch(effect -> effect instanceof Effect.SendMsg send && send.to().equals(ALICE))
            .noneMatch(effect -> effect instanceof Effect.SendMsg send && send.to().equals(MALLORY));
    }

    @Test
    void shouldLetTheWatcherResumeItsOwnWatch()
    {
        kv.apply(new WatchCommand.Register("w", ALICE, "a/", 0));
        final long revision = kv.nextIndex();
        kv.apply(new LeasedKvCommand.Put("a/1", "v", 0));

        final ApplyResult<LeasedKvState> resumed = kv.apply(new WatchCommand.Register("w", ALICE, "a/", revision));

        assertThat(resumed.reply()).isEqualTo(new WatchReply.Watching("w", revision, revision));
        assertThat(resumed.effects()).anyMatch(effect -> effect instanceof Effect.SendMsg send &&
            send.message() instanceof WatchNotification.Events events && events.revision() == revision);
    }

    @Test
    void shouldRefuseAnotherWatchersRegistrationOfTheIdOfAnExpiredWatchAndKeepItsTombstone()
    {
        kv.apply(new WatchCommand.Register("w", ALICE, "a/", 0));
        kv.builtin(new BuiltinCommand.Down(ALICE, DownReason.NOCONNECTION));
        kv.advance(EXPIRY_MS);
        kv.builtin(new BuiltinCommand.Timeout(WatchHub.EXPIRY_TIMER));
        assertThat(kv.state().watches().expired()).containsKey("w");

        final ApplyResult<LeasedKvState> taken = kv.apply(new WatchCommand.Register("w", MALLORY, "", 0));

        assertThat(taken.reply()).isInstanceOf(WatchReply.Refused.class);
        assertThat(kv.state().watches().expired().get("w").watcher()).as("the owner is still told on its return")
            .isEqualTo(ALICE);
    }

    @Test
    void shouldKeepVersionZeroReplacingTheWatch()
    {
        assertThat(latest.version()).isEqualTo(5);
        assertThat(latest.machineFor(5)).isSameAs(latest);
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> v0 =
            new MachineDriver<>(latest.machineFor(0), LeasedKvMachineCommand.class);
        v0.apply(new WatchCommand.Register("w", ALICE, "a/", 0));

        final ApplyResult<LeasedKvState> replaced = v0.apply(new WatchCommand.Register("w", MALLORY, "", 0));

        assertThat(replaced.reply()).isInstanceOf(WatchReply.Watching.class);
        assertThat(v0.state().watches().watch("w").watcher()).isEqualTo(MALLORY);
    }

    @Test
    void shouldRefuseANegativeStartRevisionBeforeItReachesTheLog()
    {
        assertThatThrownBy(() -> new WatchCommand.Register("w", ALICE, "", -1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start revision must be >= 0, got -1");
        // Bytes that hold one anyway (from a foreign encoder) do not decode, so the leader refuses them to the caller.
        final byte[] valid = Codecs.generic().toBytes(new WatchCommand.Register("w", ALICE, "", 1));
        final String hex = HexFormat.of().formatHex(valid);
        final String one = "040000000000000001";
        assertThat(hex).endsWith(one);
        final byte[] negative = HexFormat.of().parseHex(hex.substring(0, hex.length() - one.length()) +
            "04ffffffffffffffff");
        assertThatThrownBy(() -> Codecs.generic().fromBytes(negative)).isInstanceOf(CodecException.class)
            .hasMessageContaining("start revision must be >= 0");
    }
}
