package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.StateMachine;
import dev.ra.codec.CodecException;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.StaleCommand;
import org.junit.jupiter.api.Test;

/**
 * The KV's writes with their attempts applied in the orders retries and late attempts make: a retry whose first
 * attempt was applied gets that attempt's reply (a CAS that swapped answers true, not false on its own write), and a
 * first attempt that lands after its client's later writes is refused as stale and overwrites nothing.
 */
class KvLateAttemptTest
{
    private static final String CLIENT = "client-a";

    private final MachineDriver<KvCommand, KvState> kv =
        new MachineDriver<>(new KvMachine(ReleaseCursorPolicy.every(64)), KvCommand.class);

    @Test
    void aRetriedCasThatSwappedAnswersTrue()
    {
        final KvCommand cas = new KvCommand.Cas("k", null, "mine");
        final Object first = send(cas, number(1, 1));

        assertThat(first).isInstanceOfSatisfying(KvReply.CasResult.class, r -> assertThat(r.swapped()).isTrue());
        assertThat(send(cas, number(1, 1))).isEqualTo(first);
    }

    @Test
    void aRetriedPutAnswersItsOwnWriteAndWritesOnce()
    {
        send(new KvCommand.Put("k", "v0"), number(1, 1));
        final KvCommand put = new KvCommand.Put("k", "v1");
        final Object first = send(put, number(2, 2));

        assertThat(send(put, number(2, 2))).isEqualTo(first).isEqualTo(new KvReply.Written(2, "v0"));
        assertThat(kv.state().entry("k").version()).isEqualTo(2);
    }

    @Test
    void aLateFirstPutAfterTheClientsNextPutIsRefusedAndOverwritesNothing()
    {
        final KvCommand older = new KvCommand.Put("k", "old");
        // The first call's retry is applied; its first attempt is still on its way when the client writes again.
        send(older, number(1, 1));
        send(new KvCommand.Put("k", "new"), number(2, 2));

        assertThat(send(older, number(1, 1))).isInstanceOf(StaleCommand.class);
        assertThat(kv.state().get("k")).isEqualTo("new");
    }

    @Test
    void aSlowCallsRetryAfterTheFasterCallsOfOtherThreadsIsAppliedNotRefused()
    {
        // One numbering for the JVM's KV writes, from several threads: call 1 is slow (its first attempt lost), calls
        // 2 and 3 of other threads start and end meanwhile, then call 1's retry comes.
        final CommandNumbering numbering = new CommandNumbering();
        try (CommandNumbering.Call slow = numbering.start())
        {
            try (CommandNumbering.Call fast = numbering.start())
            {
                assertThat(kv.apply(new KvCommand.Numbered(new KvCommand.Put("b", "fast"), fast.number())).reply())
                    .isInstanceOf(KvReply.Written.class);
            }
            try (CommandNumbering.Call later = numbering.start())
            {
                assertThat(kv.apply(new KvCommand.Numbered(new KvCommand.Put("b", "later"), later.number())).reply())
                    .isInstanceOf(KvReply.Written.class);
            }

            assertThat(kv.apply(new KvCommand.Numbered(new KvCommand.Put("a", "slow"), slow.number())).reply())
                .isEqualTo(new KvReply.Written(3, null));
            assertThat(kv.state().get("a")).isEqualTo("slow");
        }
    }

    @Test
    void aSlowCallsRetryAfterMoreFasterCallsThanTheRepliesKeptIsAppliedNotRefused()
    {
        // Over MAX_UNANSWERED writer threads of one JVM: their calls end while call 1 is slow, then its retry comes.
        final CommandNumbering numbering = new CommandNumbering();
        final int fastCalls = ClientSequences.MAX_UNANSWERED + 50;
        try (CommandNumbering.Call slow = numbering.start())
        {
            for (int i = 0; i < fastCalls; i++)
            {
                try (CommandNumbering.Call fast = numbering.start())
                {
                    assertThat(kv.apply(new KvCommand.Numbered(new KvCommand.Put("b", "fast" + i), fast.number()))
                        .reply()).isInstanceOf(KvReply.Written.class);
                }
            }

            final KvCommand.Numbered retry = new KvCommand.Numbered(new KvCommand.Put("a", "slow"), slow.number());
            assertThat(kv.apply(retry).reply()).isEqualTo(new KvReply.Written(fastCalls + 1, null));
            assertThat(kv.state().get("a")).isEqualTo("slow");
            assertThat(kv.apply(retry).reply()).as("its first attempt, late").isEqualTo(
                new KvReply.Written(fastCalls + 1, null));
        }
    }

    @Test
    void aLateDeleteAfterTheClientsNextPutDeletesNothing()
    {
        final KvCommand delete = new KvCommand.Delete("k");
        send(new KvCommand.Put("k", "v"), number(1, 1));
        send(delete, number(2, 2));
        send(new KvCommand.Put("k", "again"), number(3, 3));

        assertThat(send(delete, number(2, 2))).isInstanceOf(StaleCommand.class);
        assertThat(kv.state().get("k")).isEqualTo("again");
    }

    @Test
    void theNumberedCallsAreInTheSnapshot()
    {
        final KvCommand cas = new KvCommand.Cas("k", null, "mine");
        final Object first = send(cas, number(1, 1));
        final KvMachine machine = new KvMachine(ReleaseCursorPolicy.every(64));
        final KvState restored = machine.stateCodec().fromBytes(machine.stateCodec().toBytes(kv.state()));
        kv.restore(restored);

        assertThat(restored.sequences()).isEqualTo(kv.state().sequences());
        assertThat(send(cas, number(1, 1))).isEqualTo(first);
    }

    @Test
    void versionZeroRefusesANumberedWriteBeforeTheLogAndAppliesNone()
    {
        final StateMachine<KvCommand, KvState> zero = new KvMachine(ReleaseCursorPolicy.every(64)).machineFor(0);
        final KvCommand numbered = new KvCommand.Numbered(new KvCommand.Put("k", "v"), number(1, 1));

        assertThatThrownBy(() -> zero.commandCodec().toBytes(numbered)).isInstanceOf(CodecException.class)
            .hasMessageContaining("machine version 1");
        final MachineDriver<KvCommand, KvState> old = new MachineDriver<>(zero, KvCommand.class);
        assertThat(old.apply(numbered).reply()).isNull();
        assertThat(old.state().get("k")).isNull();
    }

    @Test
    void aNumberedCommandCarriesAWriteNotAnotherNumberedOne()
    {
        final KvCommand.Numbered inner = new KvCommand.Numbered(new KvCommand.Delete("k"), number(1, 1));
        assertThatThrownBy(() -> new KvCommand.Numbered(inner, number(2, 2)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Put, a Delete or a Cas");
    }

    private Object send(final KvCommand write, final CommandNumber number)
    {
        return kv.apply(new KvCommand.Numbered(write, number)).reply();
    }

    private static CommandNumber number(final long number, final long firstUnanswered)
    {
        return new CommandNumber(CLIENT, number, firstUnanswered);
    }
}
