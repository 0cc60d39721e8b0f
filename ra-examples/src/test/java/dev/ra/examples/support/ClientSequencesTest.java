package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The machine side of numbered calls on its own: new, retried and stale calls, and what bounds the entries.
 */
class ClientSequencesTest
{
    private static final ProcessRef A = new ProcessRef("n1", 1);
    private static final ProcessRef B = new ProcessRef("n1", 2);

    @Test
    void aCallIsNewThenARetryThenStaleOnceItsClientWentOn()
    {
        final CommandNumber first = new CommandNumber("c", 1, 1);
        assertThat(ClientSequences.NONE.earlier(A, first)).isNull();
        final ClientSequences once = ClientSequences.NONE.applied(A, first, "one", 10);
        assertThat(once.earlier(A, first)).isEqualTo(new ClientSequences.Earlier("one"));
        assertThat(once.earlier(B, first)).as("a call of the same client about another process").isNull();

        final ClientSequences went = once.applied(A, new CommandNumber("c", 2, 2), null, 20);
        assertThat(went.earlier(A, first)).isEqualTo(new ClientSequences.Earlier(new StaleCommand(first, 2)));
        assertThat(went.earlier(A, new CommandNumber("c", 2, 2))).isEqualTo(new ClientSequences.Earlier(null));
        assertThat(went.clients().get(new ClientSequences.Caller("c", A)).replies()).as("the reply of call 1 goes")
            .extracting(ClientSequences.Reply::number).containsExactly(2L);
    }

    @Test
    void callsUnderWayAtOnceAreEachNewUntilAnswered()
    {
        final ClientSequences second = ClientSequences.NONE.applied(A, new CommandNumber("c", 2, 1), true, 10);
        assertThat(second.earlier(A, new CommandNumber("c", 1, 1))).isNull();
        final ClientSequences both = second.applied(A, new CommandNumber("c", 1, 1), false, 11);
        assertThat(both.earlier(A, new CommandNumber("c", 1, 1))).isEqualTo(new ClientSequences.Earlier(false));
        assertThat(both.earlier(A, new CommandNumber("c", 2, 1))).isEqualTo(new ClientSequences.Earlier(true));
    }

    @Test
    void aClientIdleLongerThanRetainedGoesInLogTime()
    {
        final ClientSequences old = ClientSequences.NONE.applied(A, new CommandNumber("old", 1, 1), 1, 1_000);
        final ClientSequences kept = old.applied(B, new CommandNumber("new", 1, 1), 2,
            1_000 + ClientSequences.RETAINED_MS);
        assertThat(kept.clients()).hasSize(2);
        final ClientSequences gone = kept.applied(B, new CommandNumber("new", 2, 2), 3,
            1_001 + ClientSequences.RETAINED_MS);
        assertThat(gone.clients().keySet()).containsExactly(new ClientSequences.Caller("new", B));
        assertThat(gone.earlier(A, new CommandNumber("old", 1, 1))).as("after its entry went, a call is new")
            .isNull();
    }

    @Test
    void theLeastRecentlyUsedClientGoesBeyondTheBound()
    {
        final Map<ClientSequences.Caller, ClientSequences.Calls> full = new LinkedHashMap<>();
        for (int i = 0; i < ClientSequences.MAX_CLIENTS; i++)
        {
            full.put(new ClientSequences.Caller("c" + i, A), new ClientSequences.Calls(1, List.of(), List.of(), 0));
        }
        ClientSequences sequences = ClientSequences.of(full).applied(A, new CommandNumber("c0", 2, 1), 0, 0);
        sequences = sequences.applied(A, new CommandNumber("late", 1, 1), 0, 0);
        assertThat(sequences.clients()).hasSize(ClientSequences.MAX_CLIENTS)
            .containsKey(new ClientSequences.Caller("c0", A)).doesNotContainKey(new ClientSequences.Caller("c1", A));
    }

    @Test
    void aClientThatNeverSaysItsCallsEndedKeepsABoundedNumberOfRepliesAndItsOtherCallsAsRanges()
    {
        ClientSequences sequences = ClientSequences.NONE;
        for (int i = 1; i <= ClientSequences.MAX_UNANSWERED + 2; i++)
        {
            sequences = sequences.applied(A, new CommandNumber("c", i, 1), i, 0);
        }
        final ClientSequences.Calls calls = sequences.clients().get(new ClientSequences.Caller("c", A));
        assertThat(calls.replies()).hasSize(ClientSequences.MAX_UNANSWERED);
        assertThat(calls.appliedWithoutReply()).containsExactly(new ClientSequences.NumberRange(1, 2));
        assertThat(calls.firstUnanswered()).isEqualTo(1);
        assertThat(sequences.earlier(A, new CommandNumber("c", 1, 1)).reply()).isInstanceOf(StaleCommand.class);

        final ClientSequences on = sequences.applied(A, new CommandNumber("c", 200, 2), 200, 0);
        assertThat(on.clients().get(new ClientSequences.Caller("c", A)).appliedWithoutReply())
            .as("the client's first unanswered number cuts the ranges").containsExactly(
                new ClientSequences.NumberRange(2, 3));
    }

    /**
     * A client that leaves a call unanswered between every two it makes, beyond the bound of ranges: the lowest
     * range goes, and the first unanswered number moves past it, so the gap below it is refused from then on.
     */
    @Test
    void aClientThatLeavesEveryOtherCallUnansweredKeepsABoundedNumberOfRanges()
    {
        ClientSequences sequences = ClientSequences.NONE;
        final int calls = ClientSequences.MAX_UNANSWERED + ClientSequences.MAX_APPLIED_RANGES + 1;
        for (int i = 1; i <= calls; i++)
        {
            sequences = sequences.applied(A, new CommandNumber("c", 2L * i, 1), i, 0);
        }
        final ClientSequences.Calls kept = sequences.clients().get(new ClientSequences.Caller("c", A));
        assertThat(kept.appliedWithoutReply()).hasSize(ClientSequences.MAX_APPLIED_RANGES)
            .startsWith(new ClientSequences.NumberRange(4, 4));
        assertThat(kept.firstUnanswered()).isEqualTo(3);
        assertThat(sequences.earlier(A, new CommandNumber("c", 1, 1)).reply()).isInstanceOf(StaleCommand.class);
        assertThat(sequences.earlier(A, new CommandNumber("c", 3, 1))).as("a gap above the first unanswered")
            .isNull();
    }

    /**
     * 150 calls of one client under way at once (a client shared by many threads): the first is slow and lands
     * last, after the reply bound dropped the replies of the oldest applied. It was never applied, so it is applied
     * now; a retry of a call whose reply was dropped is answered stale, since what it answered is unknown.
     */
    @Test
    void aSlowCallLandingAfterMoreThanTheBoundOfLaterCallsIsAppliedAndADroppedReplysRetryIsStale()
    {
        ClientSequences sequences = ClientSequences.NONE;
        for (int i = 2; i <= 150; i++)
        {
            final CommandNumber number = new CommandNumber("c", i, 1);
            assertThat(sequences.earlier(A, number)).as("call %d", i).isNull();
            sequences = sequences.applied(A, number, i, 0);
        }
        final CommandNumber slow = new CommandNumber("c", 1, 1);
        assertThat(sequences.earlier(A, slow)).as("the slow call was never applied").isNull();
        sequences = sequences.applied(A, slow, 1, 0);
        assertThat(sequences.earlier(A, slow)).as("its retry").isEqualTo(new ClientSequences.Earlier(1));

        final CommandNumber dropped = new CommandNumber("c", 2, 1);
        assertThat(sequences.earlier(A, dropped).reply()).as("the retry of a call whose reply was dropped")
            .isInstanceOf(StaleCommand.class);
        assertThat(sequences.earlier(A, new CommandNumber("c", 150, 1))).isEqualTo(new ClientSequences.Earlier(150));
        assertThat(sequences.earlier(A, new CommandNumber("c", 151, 1))).as("a new call").isNull();
    }

    @Test
    void anEndedProcessIsForgotten()
    {
        final ClientSequences two = ClientSequences.NONE.applied(A, new CommandNumber("c", 1, 1), 1, 0)
            .applied(B, new CommandNumber("c", 2, 1), 2, 0);
        assertThat(two.forget(A).clients().keySet()).containsExactly(new ClientSequences.Caller("c", B));
        assertThat(two.forget(new ProcessRef("n9", 9))).isSameAs(two);
    }

    @Test
    void theNumberingOfAClientSaysWhichCallsAreUnanswered()
    {
        final CommandNumbering numbering = new CommandNumbering();
        final CommandNumbering.Call one = numbering.start();
        final CommandNumbering.Call two = numbering.start();
        assertThat(two.number()).isEqualTo(new CommandNumber(numbering.client(), 2, 1));
        two.close();
        one.close();
        assertThat(numbering.start().number()).isEqualTo(new CommandNumber(numbering.client(), 3, 3));
        assertThat(CommandNumbering.shared()).as("one numbering for the JVM").isSameAs(CommandNumbering.shared())
            .isNotSameAs(numbering);
    }

    @Test
    void aStaleReplyToACallStillAwaitedIsAnUnknownOutcome()
    {
        final StaleCommand stale = new StaleCommand(new CommandNumber("c", 1, 1), 2);
        assertThatThrownBy(() -> CommandNumbering.replyOf(stale, "lock call", new ServerId("locks", "n1")))
            .isInstanceOf(CommandOutcomeUnknownException.class).hasMessageContaining("lock call")
            .hasMessageContaining("stale");
        assertThat(CommandNumbering.<Boolean>replyOf(true, "lock call", new ServerId("locks", "n1"))).isTrue();
    }

    /**
     * One client's calls, each sent one to three times, the attempts the client stopped waiting for delivered at any
     * later point, in any order: every call is applied once, the calls are applied in the order the client made
     * them, and every attempt not applied is answered the call's reply or refused as stale after a later call.
     */
    @Test
    void attemptsDeliveredLateAndOutOfOrderApplyEachCallOnceInItsOrder()
    {
        for (long seed = 1; seed <= 300; seed++)
        {
            final Random random = new Random(seed);
            final CommandNumbering numbering = new CommandNumbering();
            final List<CommandNumber> delayed = new ArrayList<>();
            final List<Long> appliedInOrder = new ArrayList<>();
            ClientSequences sequences = ClientSequences.NONE;
            for (int call = 0; call < 20; call++)
            {
                try (CommandNumbering.Call started = numbering.start())
                {
                    final int attempts = 1 + random.nextInt(3);
                    final int answering = random.nextInt(attempts);
                    for (int attempt = 0; attempt < attempts; attempt++)
                    {
                        if (attempt == answering || random.nextBoolean())
                        {
                            sequences = deliver(sequences, started.number(), appliedInOrder);
                        }
                        else
                        {
                            delayed.add(started.number());
                        }
                        while (!delayed.isEmpty() && random.nextInt(3) == 0)
                        {
                            sequences = deliver(sequences, delayed.remove(random.nextInt(delayed.size())),
                                appliedInOrder);
                        }
                    }
                }
            }
            while (!delayed.isEmpty())
            {
                sequences = deliver(sequences, delayed.remove(0), appliedInOrder);
            }
            assertThat(appliedInOrder).as("seed " + seed).isSorted().doesNotHaveDuplicates().hasSize(20);
        }
    }

    /** Applies the attempt if the sequences find it new, checking what they answer otherwise. */
    private static ClientSequences deliver(final ClientSequences sequences, final CommandNumber number,
        final List<Long> appliedInOrder)
    {
        final ClientSequences.Earlier earlier = sequences.earlier(A, number);
        if (null == earlier)
        {
            appliedInOrder.add(number.number());
            return sequences.applied(A, number, number.number(), 0);
        }
        if (!(earlier.reply() instanceof StaleCommand))
        {
            assertThat(earlier.reply()).as("a retry's reply").isEqualTo(number.number());
        }
        else
        {
            assertThat(appliedInOrder).as("a stale attempt's call was applied").contains(number.number());
        }
        return sequences;
    }
}
