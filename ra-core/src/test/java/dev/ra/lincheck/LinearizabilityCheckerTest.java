package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest
{
    private static final String KEY = "x";

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    /** Builds single-key histories tersely; ids follow the order operations are added. */
    private static final class Ops
    {
        private final List<Operation> ops = new ArrayList<>();

        Operation write(final int client, final String value, final long invoke, final long complete)
        {
            return add(Operation.write(ops.size(), client, KEY, value, invoke, complete));
        }

        Operation read(final int client, final String observed, final long invoke, final long complete)
        {
            return add(Operation.read(ops.size(), client, KEY, observed, invoke, complete));
        }

        Operation cas(
                final int client,
                final String expected,
                final String newValue,
                final boolean succeeded,
                final long invoke,
                final long complete)
        {
            return add(Operation.cas(ops.size(), client, KEY, expected, newValue, succeeded, invoke, complete));
        }

        Operation add(final Operation op)
        {
            ops.add(op);
            return op;
        }

        /** Replaces the most recently added operation with a copy carrying {@code outcome}. */
        void lastEnds(final Outcome outcome)
        {
            ops.set(ops.size() - 1, ops.get(ops.size() - 1).withOutcome(outcome));
        }

        List<Operation> all()
        {
            return List.copyOf(ops);
        }
    }

    private KeyCheckResult checkOne(final Ops ops)
    {
        final CheckResult result = checker.check(ops.all());
        assertThat(result.keyResults()).containsOnlyKeys(KEY);
        return result.keyResult(KEY);
    }

    @Nested
    class SequentialHistories
    {
        @Test
        void emptyHistoryIsLinearizable()
        {
            final CheckResult result = checker.check(List.of());

            assertThat(result.linearizable()).isTrue();
            assertThat(result.keyResults()).isEmpty();
        }

        @Test
        void readOfNeverWrittenKeyObservesAbsent()
        {
            final Ops ops = new Ops();
            ops.read(1, null, 0, 1);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void readAfterWriteObservesIt()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.read(2, "a", 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void staleReadAfterCompletedWriteIsAViolation()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.read(2, "a", 40, 50);

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).extracting(Operation::id).containsExactly(0L, 1L);
            assertThat(result.explanation())
                    .contains("Key \"x\": NOT linearizable")
                    .contains("Longest linearizable prefix found: 2 of 3")
                    .contains("#2 client 2 read(x) = \"a\" OK [40, 50]: read \"a\" but the register holds \"b\"");
        }

        @Test
        void readOfAbsentAfterCompletedWriteIsAViolation()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.read(2, null, 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void touchingIntervalsAreTreatedAsConcurrent()
        {
            // The read is invoked at the very instant the write completes: either order is acceptable.
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.read(2, null, 10, 20);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class ConcurrentWrites
    {
        @Test
        void readsAgreeingOnOneOrderAreLinearizable()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(2, "b", 0, 10);
            ops.read(3, "b", 20, 30);
            ops.read(4, "b", 40, 50);

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).extracting(Operation::id).containsExactly(0L, 1L, 2L, 3L);
        }

        @Test
        void readsAfterBothWritesCannotObserveBothValues()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(2, "b", 0, 10);
            ops.read(3, "a", 20, 30);
            ops.read(4, "b", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void readersDuringTheWritesCannotSeeThemInOppositeOrders()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 100);
            ops.write(2, "b", 0, 100);
            ops.read(3, "a", 10, 20);
            ops.read(3, "b", 30, 40);
            ops.read(4, "b", 10, 20);
            ops.read(4, "a", 30, 40);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void readersDuringTheWritesMaySeeOneOrderAtDifferentTimes()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 100);
            ops.write(2, "b", 0, 100);
            ops.read(3, "a", 10, 20);
            ops.read(3, "b", 30, 40);
            ops.read(4, null, 5, 8);
            ops.read(4, "b", 50, 60);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class CompareAndSet
    {
        @Test
        void casOnAbsentKeyWithNullExpectationSucceeds()
        {
            final Ops ops = new Ops();
            ops.cas(1, null, "a", true, 0, 10);
            ops.read(2, "a", 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void casChainInRealTimeOrderIsLinearizable()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", true, 20, 30);
            ops.cas(3, "a", "c", false, 40, 50);
            ops.read(1, "b", 60, 70);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void casSuccessContradictingRealTimeOrderIsAViolation()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.cas(2, "a", "c", true, 40, 50);

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation())
                    .contains("succeeded, but the register holds \"b\", not the expected \"a\"");
        }

        @Test
        void casFailureWhileRegisterHoldsExpectedValueIsAViolation()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "c", false, 20, 30);

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation()).contains("failed, but the register holds the expected value \"a\"");
        }

        @Test
        void twoConcurrentCasFromTheSameValueCannotBothSucceed()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", true, 20, 30);
            ops.cas(3, "a", "c", true, 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void concurrentCasMayWinInEitherOrder()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", false, 20, 30);
            ops.cas(3, "a", "c", true, 20, 30);
            ops.read(1, "c", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class IndeterminateAndFailedOperations
    {
        @Test
        void unknownWriteCanExplainALaterRead()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, "a", 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void unknownWriteMayTakeEffectLongAfterTheClientGaveUp()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, null, 100, 110);
            ops.read(2, "a", 200, 210);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void unknownWriteMayNeverTakeEffect()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, "a", 40, 50);
            ops.read(2, "a", 60, 70);

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).extracting(Operation::id).doesNotContain(1L);
        }

        @Test
        void unknownWriteTakesEffectAtMostOnce()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, "b", 40, 50);
            ops.read(2, "a", 60, 70);
            ops.read(2, "b", 80, 90);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void unknownWriteInvokedAfterTheReadCompletedCannotExplainIt()
        {
            final Ops ops = new Ops();
            ops.read(2, "a", 0, 10);
            ops.write(1, "a", 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).isEmpty();
            assertThat(result.explanation()).contains("read \"a\" but the register holds <absent>");
        }

        @Test
        void failedWriteMustNotExplainARead()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.lastEnds(Outcome.FAILED);
            ops.read(2, "a", 20, 30);

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.operations()).extracting(Operation::id).containsExactly(1L);
        }

        @Test
        void unknownReadsConstrainNothing()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.add(Operation.read(1, 2, KEY, "garbage", 20, 30).asUnknown());

            final KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.operations()).extracting(Operation::id).containsExactly(0L);
        }

        @Test
        void unknownCasCanExplainARead()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", false, 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(3, "b", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void unknownCasCannotApplyWhenTheExpectedValueNeverReturns()
        {
            final Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "z", 15, 18);
            ops.cas(2, "a", "b", true, 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(3, "b", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }
    }

    @Nested
    class MultipleKeys
    {
        @Test
        void keysAreCheckedIndependently()
        {
            final List<Operation> ops = List.of(
                    Operation.write(0, 1, "a", "1", 0, 10),
                    Operation.write(1, 1, "b", "2", 0, 10),
                    Operation.read(2, 2, "a", "1", 20, 30),
                    // Key "b" was written before this read began, so "absent" is stale.
                    Operation.read(3, 2, "b", null, 20, 30),
                    Operation.read(4, 3, "c", null, 0, 1));

            final CheckResult result = checker.check(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.linearizable()).isFalse();
            assertThat(result.keyResults()).containsOnlyKeys("a", "b", "c");
            assertThat(result.keyResult("a").linearizable()).isTrue();
            assertThat(result.keyResult("c").linearizable()).isTrue();
            assertThat(result.violations()).extracting(KeyCheckResult::key).containsExactly("b");
            assertThat(result.explanation()).contains("Key \"b\": NOT linearizable").doesNotContain("Key \"a\"");
        }

        @Test
        void checkKeyRejectsOperationsOnOtherKeys()
        {
            assertThatThrownBy(() -> checker.checkKey("a", List.of(Operation.read(0, 1, "b", null, 0, 1))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Budget
    {
        /**
         * Many fully concurrent writes, then two reads that disagree about which came last: exponential to refute
         * (a read of a value nobody wrote would be refuted without a search).
         */
        private List<Operation> pathologicalHistory()
        {
            final List<Operation> ops = new ArrayList<>();
            for (int i = 0; i < 40; i++)
            {
                ops.add(Operation.write(i, i, KEY, "v" + i, 0, 1_000));
            }
            ops.add(Operation.read(40, 99, KEY, "v0", 2_000, 2_001));
            ops.add(Operation.read(41, 98, KEY, "v1", 2_002, 2_003));
            return ops;
        }

        @Test
        void exhaustedStepBudgetYieldsUnknownNeverLinearizable()
        {
            final LinearizabilityChecker tight =
                    new LinearizabilityChecker(SearchBudget.DEFAULT.withMaxStepsPerKey(10_000));

            final CheckResult result = tight.check(pathologicalHistory());

            assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
            assertThat(result.linearizable()).isFalse();
            assertThat(result.undecided()).extracting(KeyCheckResult::key).containsExactly(KEY);
            assertThat(result.keyResult(KEY).steps()).isEqualTo(10_001);
            assertThat(result.explanation()).contains("search budget exhausted");
        }

        @Test
        void exhaustedTimeBudgetYieldsUnknown()
        {
            final LinearizabilityChecker tight = new LinearizabilityChecker(
                    new SearchBudget(Long.MAX_VALUE, Duration.ofMillis(50)));

            final long start = System.nanoTime();
            final CheckResult result = tight.check(pathologicalHistory());
            final long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
            assertThat(elapsedMillis).as("the time budget stops the search").isLessThan(60_000);
        }

        @Test
        void aReadOfAValueNobodyWroteIsRefutedWithoutASearch()
        {
            final List<Operation> ops = new ArrayList<>();
            for (int i = 0; i < 40; i++)
            {
                ops.add(Operation.write(i, i, KEY, "v" + i, 0, 1_000));
            }
            ops.add(Operation.read(40, 99, KEY, "never-written", 2_000, 2_001));
            final LinearizabilityChecker tight =
                    new LinearizabilityChecker(SearchBudget.DEFAULT.withMaxStepsPerKey(10_000));

            final CheckResult result = tight.check(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.keyResult(KEY).steps()).isZero();
            assertThat(result.explanation()).contains("#40");
            assertThat(LinearizabilityChecker.searchOnly(SearchBudget.DEFAULT.withMaxStepsPerKey(10_000)).check(ops)
                    .verdict()).isEqualTo(Verdict.UNKNOWN);
        }

        @Test
        void invalidBudgetsAreRejected()
        {
            assertThatThrownBy(() -> new SearchBudget(0, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new SearchBudget(1, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
