package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leased KV's writes with their attempts applied in the orders retries and late attempts make (machine version
 * 4): a retry whose first attempt was applied gets that attempt's reply and changes nothing, and a first attempt that
 * lands after its client's later calls is refused as stale and changes nothing.
 */
class LeasedKvLateAttemptTest
{
    private static final String CLIENT = "client-a";

    private final MachineDriver<LeasedKvMachineCommand, LeasedKvState> kv = new MachineDriver<>(machine(),
        LeasedKvMachineCommand.class);

    @Test
    void aLateDeleteAfterTheClientsNextPutDeletesNothing()
    {
        final long session = granted(send(new SessionCommand.Grant(60_000, null), number(1, 1)));
        send(new LeasedKvCommand.Put("k", "v", 0), number(2, 2));
        final LeasedKvCommand.Delete delete = new LeasedKvCommand.Delete("k", false);
        // The delete's retry is applied; its first attempt is still on its way when the client puts again.
        send(delete, number(3, 3));
        send(new LeasedKvCommand.Put("k", "again", session), number(4, 4));

        assertThat(send(delete, number(3, 3))).isInstanceOf(StaleCommand.class);
        assertThat(kv.state().get("k").value()).isEqualTo("again");
        assertThat(kv.state().sessions().session(session).bound()).containsExactly("k");
    }

    @Test
    void aLatePrefixDeleteAfterTheClientsNextPutDeletesNothing()
    {
        final LeasedKvCommand.Delete delete = new LeasedKvCommand.Delete("svc/", true);
        send(delete, number(1, 1));
        send(new LeasedKvCommand.Put("svc/a", "a", 0), number(2, 2));

        assertThat(send(delete, number(1, 1))).isInstanceOf(StaleCommand.class);
        assertThat(kv.state().get("svc/a")).isNotNull();
    }

    @Test
    void aLatePutAfterTheClientsNextPutOverwritesNothing()
    {
        final LeasedKvCommand.Put older = new LeasedKvCommand.Put("k", "old", 0);
        send(older, number(1, 1));
        send(new LeasedKvCommand.Put("k", "new", 0), number(2, 2));

        assertThat(send(older, number(1, 1))).isInstanceOf(StaleCommand.class);
        assertThat(kv.state().get("k").value()).isEqualTo("new");
        assertThat(kv.state().get("k").version()).isEqualTo(2);
    }

    @Test
    void aRetriedPutIfThatWroteAnswersWrittenAndWritesOnce()
    {
        final LeasedKvCommand.PutIf putIf = new LeasedKvCommand.PutIf("lock", 0, "me", 0);
        final Object first = send(putIf, number(1, 1));

        assertThat(first).isInstanceOf(LeasedKvReply.Written.class);
        assertThat(send(putIf, number(1, 1))).isEqualTo(first);
        assertThat(kv.state().get("lock").version()).isEqualTo(1);
    }

    @Test
    void aRetriedPutAnswersItsOwnWriteAndWritesOnce()
    {
        send(new LeasedKvCommand.Put("k", "v0", 0), number(1, 1));
        final LeasedKvCommand.Put put = new LeasedKvCommand.Put("k", "v1", 0);
        final Object first = send(put, number(2, 2));
        final long revision = kv.state().revision();

        assertThat(send(put, number(2, 2))).isEqualTo(first);
        assertThat(kv.state().get("k").version()).isEqualTo(2);
        assertThat(kv.state().revision()).isEqualTo(revision);
    }

    @Test
    void aRetriedDeleteSaysWhatItsFirstAttemptDeleted()
    {
        send(new LeasedKvCommand.Put("k", "v", 0), number(1, 1));
        final LeasedKvCommand.Delete delete = new LeasedKvCommand.Delete("k", false);
        final Object first = send(delete, number(2, 2));

        assertThat(first).isInstanceOfSatisfying(LeasedKvReply.Deleted.class,
            deleted -> assertThat(deleted.deleted()).hasSize(1));
        assertThat(send(delete, number(2, 2))).isEqualTo(first);
    }

    @Test
    void aRetriedGrantGivesTheSessionItOpenedAndOpensNoOther()
    {
        final SessionCommand.Grant grant = new SessionCommand.Grant(60_000, null);
        final Object first = send(grant, number(1, 1));
        final ApplyResult<LeasedKvState> retried = kv.apply(new LeasedKvCommand.Numbered(grant, number(1, 1)));

        assertThat(retried.reply()).isEqualTo(first);
        assertThat(retried.effects()).isEmpty();
        assertThat(kv.state().sessions().sessions()).hasSize(1);
    }

    @Test
    void aLateGrantAfterTheClientsNextCallOpensNoSession()
    {
        final SessionCommand.Grant grant = new SessionCommand.Grant(60_000, null);
        send(grant, number(1, 1));
        send(new LeasedKvCommand.Put("k", "v", 0), number(2, 2));

        final ApplyResult<LeasedKvState> late = kv.apply(new LeasedKvCommand.Numbered(grant, number(1, 1)));

        assertThat(late.reply()).isInstanceOf(StaleCommand.class);
        assertThat(late.effects()).isEmpty();
        assertThat(kv.state().sessions().sessions()).hasSize(1);
    }

    @Test
    void aRetriedRevokeSaysWhatItsFirstAttemptReleased()
    {
        final long session = granted(send(new SessionCommand.Grant(60_000, null), number(1, 1)));
        send(new LeasedKvCommand.Put("k", "v", session), number(2, 2));
        final SessionCommand.Revoke revoke = new SessionCommand.Revoke(session);
        final Object first = send(revoke, number(3, 3));

        assertThat(first).isEqualTo(new SessionReply.Ended(session, true, List.of("k")));
        assertThat(send(revoke, number(3, 3))).isEqualTo(first);
    }

    @Test
    void theNumberedCallsAreInTheSnapshot()
    {
        final LeasedKvCommand.PutIf putIf = new LeasedKvCommand.PutIf("lock", 0, "me", 0);
        final Object first = send(putIf, number(1, 1));
        final LeasedKvMachine machine = machine();
        final LeasedKvState restored = machine.stateCodec().fromBytes(machine.stateCodec().toBytes(kv.state()));
        kv.restore(restored);

        assertThat(restored.sequences()).isEqualTo(kv.state().sequences());
        assertThat(restored.sequences()).isNotEqualTo(ClientSequences.NONE);
        assertThat(send(putIf, number(1, 1))).isEqualTo(first);
    }

    @Test
    void versionThreeRefusesANumberedWriteBeforeTheLogAndAppliesNone()
    {
        final StateMachine<LeasedKvMachineCommand, LeasedKvState> three = machine().machineFor(3);
        final LeasedKvCommand.Numbered numbered = new LeasedKvCommand.Numbered(new LeasedKvCommand.Put("k", "v", 0),
            number(1, 1));

        assertThatThrownBy(() -> three.commandCodec().toBytes(numbered)).isInstanceOf(CodecException.class)
            .hasMessageContaining("machine version 4");
        final MachineDriver<LeasedKvMachineCommand, LeasedKvState> old = new MachineDriver<>(three,
            LeasedKvMachineCommand.class);
        assertThat(old.apply(numbered).reply()).isNull();
        assertThat(old.state().get("k")).isNull();
        assertThat(old.state().sequences()).isEqualTo(ClientSequences.NONE);
    }

    @Test
    void aNumberedCommandCarriesOnlyAWriteAClientRetries()
    {
        assertThatThrownBy(() -> new LeasedKvCommand.Numbered(new SessionCommand.NewLeader(), number(1, 1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Put, PutIf, Delete");
        final LeasedKvCommand.Numbered inner = new LeasedKvCommand.Numbered(new LeasedKvCommand.Delete("k", false),
            number(1, 1));
        assertThatThrownBy(() -> new LeasedKvCommand.Numbered(inner, number(2, 2)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Numbered");
    }

    private static LeasedKvMachine machine()
    {
        return new LeasedKvMachine("lessor", 16, ReleaseCursorPolicy.every(64));
    }

    private Object send(final LeasedKvMachineCommand write, final CommandNumber number)
    {
        return kv.apply(new LeasedKvCommand.Numbered(write, number)).reply();
    }

    private static long granted(final Object reply)
    {
        return ((SessionReply.Granted)reply).sessionId();
    }

    private static CommandNumber number(final long number, final long firstUnanswered)
    {
        return new CommandNumber(CLIENT, number, firstUnanswered);
    }
}
