package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.codec.CodecException;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A participant forgets the decisions of the ids stamped up to the coordinator's watermark, and a late prepare of
 * one still votes no and reserves nothing.
 */
class ParticipantForgettingTest
{
    private final ParticipantMachine machine = new ParticipantMachine(ReleaseCursorPolicy.every(1_000));
    private final MachineDriver<ParticipantCommand, ParticipantState> bank =
        new MachineDriver<>(machine, ParticipantCommand.class);

    @Test
    void keepsOnlyTheDecisionsAboveTheWatermark()
    {
        bank.apply(new ParticipantCommand.Deposit("alice", 1_000_000));
        final int transfers = 20_000;
        for (int i = 1; i <= transfers; i++)
        {
            final String txId = stamped(i);
            bank.apply(new ParticipantCommand.Prepare(txId, List.of(new Change("alice", -1))));
            bank.apply(i % 3 == 0 ? new ParticipantCommand.Abort(txId) : new ParticipantCommand.Commit(txId));
        }
        bank.apply(new ParticipantCommand.Abort("plain"));

        assertThat(bank.apply(new ParticipantCommand.Forget(transfers - 1_000)).reply()).isEqualTo(19_000L);

        assertThat(bank.state().decided()).as("decisions kept after %d transfers", transfers).hasSize(1_001);
        assertThat(bank.state().status("plain")).as("an id not stamped").isEqualTo(TxStatus.ABORTED);
        assertThat(bank.state().status(stamped(19_001))).isEqualTo(TxStatus.COMMITTED);
        assertThat(bank.state().status(stamped(19_000))).isEqualTo(TxStatus.UNKNOWN);
        assertThat(bank.apply(new ParticipantCommand.Forget(5)).reply()).as("a watermark never goes back")
            .isEqualTo(19_000L);
    }

    @Test
    void aLatePrepareOfAForgottenIdVotesNoAndReservesNothing()
    {
        bank.apply(new ParticipantCommand.Deposit("alice", 100));
        bank.apply(new ParticipantCommand.Abort(stamped(3)));
        bank.apply(new ParticipantCommand.Prepare(stamped(4), List.of(new Change("alice", -10))));
        bank.apply(new ParticipantCommand.Commit(stamped(4)));
        bank.apply(new ParticipantCommand.Forget(4));
        final ParticipantState forgotten = bank.state();

        for (final int stamp : List.of(3, 4, 2))
        {
            final Vote vote = (Vote)bank.apply(new ParticipantCommand.Prepare(stamped(stamp),
                List.of(new Change("alice", -10)))).reply();
            assertThat(vote.yes()).as("a late prepare of the id stamped %d", stamp).isFalse();
            assertThat(vote.reason()).contains("no later than 4");
        }
        assertThat(bank.apply(new ParticipantCommand.Abort(stamped(2))).reply()).isEqualTo(TxStatus.ABORTED);
        assertThat(bank.apply(new ParticipantCommand.Commit(stamped(3))).reply()).isEqualTo(TxStatus.UNKNOWN);
        assertThat(bank.state()).as("nothing reserved, nothing recorded").isEqualTo(forgotten);
        assertThat(bank.state().account("alice")).isEqualTo(new Account(90, 0));
        assertThat(((Vote)bank.apply(new ParticipantCommand.Prepare(stamped(5), List.of(new Change("alice", -10))))
            .reply()).yes()).as("above the watermark").isTrue();
    }

    @Test
    void aWatermarkAfterTheLogTimeIsRefusedAndForgetsNothing()
    {
        bank.apply(new ParticipantCommand.Deposit("alice", 100));
        final String decided = "txn-" + bank.nowMs() + "-decided";
        bank.apply(new ParticipantCommand.Abort(decided));

        // The coordinator's watermark is behind its log time by keptFor: one after this log time was not its own.
        final Object reply = bank.apply(new ParticipantCommand.Forget(Long.MAX_VALUE)).reply();

        assertThat(reply).isInstanceOf(Refused.class);
        assertThat(((Refused)reply).reason()).contains(Long.toString(Long.MAX_VALUE), Long.toString(bank.nowMs()));
        assertThat(bank.state().status(decided)).isEqualTo(TxStatus.ABORTED);
        bank.advance(1_000);
        final Vote vote = (Vote)bank.apply(new ParticipantCommand.Prepare("txn-" + bank.nowMs() + "-new",
            List.of(new Change("alice", -10)))).reply();
        assertThat(vote.yes()).as("a prepare of a new id: %s", vote).isTrue();
    }

    @Test
    void versionZeroRefusesTheWatermarkBeforeItIsAppended()
    {
        assertThatThrownBy(() -> machine.machineFor(0).commandCodec().toBytes(new ParticipantCommand.Forget(1)))
            .isInstanceOf(CodecException.class).hasMessageContaining("needs machine version 1");
    }

    private static String stamped(final int stamp)
    {
        return "txn-" + stamp + "-u";
    }
}
