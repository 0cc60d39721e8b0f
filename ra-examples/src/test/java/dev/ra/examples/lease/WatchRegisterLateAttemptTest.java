package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchNotification;
import dev.ra.examples.watch.WatchReply;
import org.junit.jupiter.api.Test;

/**
 * The leased KV's numbered watch registrations with their attempts applied in the orders retries and late attempts
 * make (machine version 5): a copy of a resume held up on its way, landing after its retry resumed the watch and
 * after its start revision was compacted away, is refused as stale and leaves the live watch alone; a retry of a
 * registration applied already gets its first reply and replays nothing again.
 */
class WatchRegisterLateAttemptTest
{
    private static final String CLIENT = "client-a";
    private static final ProcessRef WATCHER = new ProcessRef("n2", 1);
    private static final int HISTORY_LIMIT = 2;

    private final MachineDriver<LeasedKvMachineCommand, LeasedKvState> kv = new MachineDriver<>(machine(),
        LeasedKvMachineCommand.class);

    WatchRegisterLateAttemptTest()
    {
        // A new store applies the default settings until a Configure puts others in force.
        kv.apply(new LeasedKvCommand.Configure(new LeasedKvSettings(HISTORY_LIMIT, 20_000)));
    }

    @Test
    void aLateResumeWhoseStartWasCompactedLeavesTheLiveWatch()
    {
        register(0, number(1, 1));
        final long from = kv.state().revision() + 1;
        kv.apply(new LeasedKvCommand.Put("k/a", "a", 0));
        // The resume's first attempt is held up on its way; the watcher gave it up and resumed again, which landed.
        final WatchCommand.Register resume = new WatchCommand.Register("w", WATCHER, "k/", from);
        assertThat(kv.apply(new WatchCommand.NumberedRegister(resume, number(3, 3))).reply())
            .isInstanceOf(WatchReply.Watching.class);
        for (int i = 0; i < 2 * HISTORY_LIMIT; i++)
        {
            kv.apply(new LeasedKvCommand.Put("k/" + i, "v", 0));
        }
        assertThat(kv.state().watches().compactRevision()).isGreaterThanOrEqualTo(from);

        final ApplyResult<LeasedKvState> late = kv.apply(new WatchCommand.NumberedRegister(resume, number(2, 2)));

        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).isEmpty();
        assertThat(kv.state().watches().watch("w")).as("the live watch").isNotNull();
        final ApplyResult<LeasedKvState> next = kv.apply(new LeasedKvCommand.Put("k/after", "v", 0));
        assertThat(next.effects()).anyMatch(effect -> effect instanceof Effect.SendMsg send &&
            send.message() instanceof WatchNotification.Events events && events.watchId().equals("w"));
    }

    @Test
    void aLateRegistrationAfterTheClientsNextWriteChangesNothing()
    {
        final WatchCommand.Register register = new WatchCommand.Register("w", WATCHER, "k/", 0);
        kv.apply(new WatchCommand.NumberedRegister(register, number(2, 2)));
        kv.apply(new LeasedKvCommand.Numbered(new LeasedKvCommand.Put("k/a", "a", 0), number(3, 3)));
        final long lastSent = kv.state().watches().watch("w").lastSent();

        final ApplyResult<LeasedKvState> late = kv.apply(new WatchCommand.NumberedRegister(register, number(1, 1)));

        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).isEmpty();
        assertThat(kv.state().watches().watch("w").lastSent()).isEqualTo(lastSent);
    }

    @Test
    void aRetriedRegistrationGetsItsFirstReplyAndReplaysNothing()
    {
        kv.apply(new LeasedKvCommand.Put("k/a", "a", 0));
        final WatchCommand.NumberedRegister register = new WatchCommand.NumberedRegister(
            new WatchCommand.Register("w", WATCHER, "k/", 1), number(1, 1));
        final ApplyResult<LeasedKvState> first = kv.apply(register);
        assertThat(first.effects()).anyMatch(effect -> effect instanceof Effect.SendMsg);
        kv.apply(new LeasedKvCommand.Put("k/b", "b", 0));
        final LeasedKvState before = kv.state();

        final ApplyResult<LeasedKvState> retried = kv.apply(register);

        assertThat(retried.reply()).isEqualTo(first.reply());
        assertThat(retried.effects()).isEmpty();
        assertThat(kv.state()).isEqualTo(before);
    }

    @Test
    void aNumberedRegistrationThatCannotBeServedIsAnsweredCompactedToItsClient()
    {
        for (int i = 0; i < 2 * HISTORY_LIMIT; i++)
        {
            kv.apply(new LeasedKvCommand.Put("k/" + i, "v", 0));
        }

        final Object reply = register(1, number(1, 1));

        assertThat(reply).isInstanceOf(WatchReply.Compacted.class);
        assertThat(kv.state().watches().watch("w")).isNull();
    }

    @Test
    void versionsBeforeFiveRefuseANumberedRegistrationBeforeTheLogAndApplyNone()
    {
        final StateMachine<LeasedKvMachineCommand, LeasedKvState> four = machine().machineFor(4);
        final WatchCommand.NumberedRegister numbered = new WatchCommand.NumberedRegister(
            new WatchCommand.Register("w", WATCHER, "", 0), number(1, 1));

        for (final int version : new int[] {0, 3, 4})
        {
            assertThatThrownBy(() -> machine().machineFor(version).commandCodec().toBytes(numbered))
                .isInstanceOf(CodecException.class).hasMessageContaining("machine version 5");
        }
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> old = new MachineDriver<>(four,
            LeasedKvMachineCommand.class);
        assertThat(old.apply(numbered).reply()).isNull();
        assertThat(old.state().watches().watch("w")).isNull();
        assertThat(old.state().sequences()).isEqualTo(ClientSequences.NONE);
    }

    private Object register(final long startRevision, final CommandNumber number)
    {
        return kv.apply(new WatchCommand.NumberedRegister(new WatchCommand.Register("w", WATCHER, "k/",
            startRevision), number)).reply();
    }

    private static LeasedKvMachine machine()
    {
        return new LeasedKvMachine("lessor", HISTORY_LIMIT, ReleaseCursorPolicy.every(64));
    }

    private static CommandNumber number(final long number, final long firstUnanswered)
    {
        return new CommandNumber(CLIENT, number, firstUnanswered);
    }
}
