package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The calls a leader owes an outcome: each gets exactly one, whether its entry is applied here or leadership is lost
 * first, and nothing is owed after {@link CallLedger#failAll}.
 */
class CallLedgerTest
{
    private static final ServerId NEXT_LEADER = new ServerId("c", "n2");

    @Test
    void everyCallGetsExactlyOneOutcome()
    {
        for (long seed = 0; seed < 500; seed++)
        {
            final String failing = "seed " + seed;
            final SplittableRandom random = new SplittableRandom(seed);
            final List<RaftAction> actions = new ArrayList<>();
            final ReadIndexQueue reads = new ReadIndexQueue(actions);
            final CallLedger calls = new CallLedger(actions, reads);
            final Set<Long> owed = new HashSet<>();
            final Set<Long> settled = new HashSet<>();
            long index = 0;
            long applied = 0;
            long callId = 1;
            for (int step = 0; step < 40; step++)
            {
                if (random.nextBoolean())
                {
                    index += 1 + random.nextInt(2);
                    calls.awaitApply(index, new ReplyMode.AwaitConsensus(callId));
                    owed.add(callId++);
                }
                else
                {
                    // Entries apply one by one; those without a caller (a noop, a command without reply) are skipped.
                    final long upTo = Math.min(index, applied + 1 + random.nextInt(3));
                    while (applied < upTo)
                    {
                        calls.replyApplied(++applied, "ok", 0);
                    }
                }
                collect(actions, owed, settled, failing);
            }
            if (random.nextBoolean())
            {
                calls.awaitConfig(callId);
                owed.add(callId++);
            }
            if (random.nextBoolean())
            {
                calls.awaitTransfer(callId);
                owed.add(callId++);
                if (random.nextBoolean())
                {
                    calls.transferHandedOver();
                }
            }
            if (random.nextBoolean())
            {
                calls.awaitDelete(callId);
                owed.add(callId++);
            }
            reads.add(callId, index, false);
            owed.add(callId);
            collect(actions, owed, settled, failing);
            calls.failAll(NEXT_LEADER);
            collect(actions, owed, settled, failing);
            assertThat(owed).as(failing).isEmpty();
            calls.failAll(NEXT_LEADER);
            assertThat(actions).as(failing).isEmpty();
            assertThat(calls.deleting()).as(failing).isFalse();
            assertThat(calls.transferAwaited()).as(failing).isFalse();
        }
    }

    @Test
    void aTransferCompletesOrFailsOnce()
    {
        final List<RaftAction> actions = new ArrayList<>();
        final CallLedger calls = new CallLedger(actions, new ReadIndexQueue(actions));
        calls.awaitTransfer(5);
        calls.transferHandedOver();
        calls.transferTimedOut();
        calls.failAll(null);
        assertThat(actions).containsExactly(new RaftAction.CallCompleted(5, 0, 0));

        actions.clear();
        calls.awaitTransfer(6);
        calls.transferTimedOut();
        calls.failAll(null);
        assertThat(actions).containsExactly(new RaftAction.CallFailed(6, CallError.NOT_UP_TO_DATE, null));
    }

    private static void collect(final List<RaftAction> actions, final Set<Long> owed, final Set<Long> settled,
        final String failing)
    {
        for (final RaftAction action : actions)
        {
            final long callId;
            if (action instanceof RaftAction.ReplyToCaller reply)
            {
                callId = reply.callId();
            }
            else if (action instanceof RaftAction.CallCompleted completed)
            {
                callId = completed.callId();
            }
            else
            {
                callId = ((RaftAction.CallFailed)action).callId();
            }
            assertThat(settled.add(callId)).as(failing + ": call " + callId + " settled twice").isTrue();
            assertThat(owed.remove(callId)).as(failing + ": call " + callId + " was not owed").isTrue();
        }
        actions.clear();
    }
}
