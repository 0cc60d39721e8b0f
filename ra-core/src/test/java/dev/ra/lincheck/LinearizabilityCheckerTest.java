package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static final String KEY = "x";

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    /** Builds single-key histories tersely; ids follow the order operations are added. */
    private static final class Ops {
        private final List<Operation> ops = new ArrayList<>();

        Operation write(int client, String value, long invoke, long complete) {
            return add(Operation.write(ops.size(), client, KEY, value, invoke, complete));
        }

        Operation read(int client, String observed, long invoke, long complete) {
            return add(Operation.read(ops.size(), client, KEY, observed, invoke, complete));
        }

        Operation cas(int client, String expected, String newValue, boolean succeeded, long invoke, long complete) {
            return add(Operation.cas(ops.size(), client, KEY, expected, newValue, succeeded, invoke, complete));
        }

        Operation add(Operation op) {
            ops.add(op);
            return op;
        }

        /** Replaces the most recently added operation with a copy carrying {@code outcome}. */
        void lastEnds(Outcome outcome) {
            ops.set(ops.size() - 1, ops.get(ops.size() - 1).withOutcome(outcome));
        }

        List<Operation> all() {
            return List.copyOf(ops);
        }
    }

    private KeyCheckResult checkOne(Ops ops) {
        CheckResult result = checker.check(ops.all());
        assertThat(result.keyResults()).containsOnlyKeys(KEY);
        return result.keyResult(KEY);
    }

    @Nested
    class SequentialHistories {

        @Test
        void emptyHistoryIsLinearizable() {
            CheckResult result = checker.check(List.of());

            assertThat(result.linearizable()).isTrue();
            assertThat(result.keyResults()).isEmpty();
        }

        @Test
        void readOfNeverWrittenKeyObservesAbsent() {
            Ops ops = new Ops();
            ops.read(1, null, 0, 1);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void readAfterWriteObservesIt() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.read(2, "a", 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void staleReadAfterCompletedWriteIsAViolation() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.read(2, "a", 40, 50);

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).extracting(Operation::id).containsExactly(0L, 1L);
            assertThat(result.explanation())
                    .contains("Key \"x\": NOT linearizable")
                    .contains("Longest linearizable prefix found: 2 of 3")
                    .contains("#2 client 2 read(x) = \"a\" OK [40, 50]: read \"a\" but the register holds \"b\"");
        }

        @Test
        void readOfAbsentAfterCompletedWriteIsAViolation() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.read(2, null, 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void touchingIntervalsAreTreatedAsConcurrent() {
            // The read is invoked at the very instant the write completes: either order is acceptable.
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.read(2, null, 10, 20);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class ConcurrentWrites {

        @Test
        void readsAgreeingOnOneOrderAreLinearizable() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(2, "b", 0, 10);
            ops.read(3, "b", 20, 30);
            ops.read(4, "b", 40, 50);

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).extracting(Operation::id).containsExactly(0L, 1L, 2L, 3L);
        }

        @Test
        void readsAfterBothWritesCannotObserveBothValues() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(2, "b", 0, 10);
            ops.read(3, "a", 20, 30);
            ops.read(4, "b", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void readersDuringTheWritesCannotSeeThemInOppositeOrders() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 100);
            ops.write(2, "b", 0, 100);
            ops.read(3, "a", 10, 20);
            ops.read(3, "b", 30, 40);
            ops.read(4, "b", 10, 20);
            ops.read(4, "a", 30, 40);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void readersDuringTheWritesMaySeeOneOrderAtDifferentTimes() {
            Ops ops = new Ops();
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
    class CompareAndSet {

        @Test
        void casOnAbsentKeyWithNullExpectationSucceeds() {
            Ops ops = new Ops();
            ops.cas(1, null, "a", true, 0, 10);
            ops.read(2, "a", 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void casChainInRealTimeOrderIsLinearizable() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", true, 20, 30);
            ops.cas(3, "a", "c", false, 40, 50);
            ops.read(1, "b", 60, 70);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void casSuccessContradictingRealTimeOrderIsAViolation() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.cas(2, "a", "c", true, 40, 50);

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation())
                    .contains("succeeded, but the register holds \"b\", not the expected \"a\"");
        }

        @Test
        void casFailureWhileRegisterHoldsExpectedValueIsAViolation() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "c", false, 20, 30);

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.explanation()).contains("failed, but the register holds the expected value \"a\"");
        }

        @Test
        void twoConcurrentCasFromTheSameValueCannotBothSucceed() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", true, 20, 30);
            ops.cas(3, "a", "c", true, 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void concurrentCasMayWinInEitherOrder() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", false, 20, 30);
            ops.cas(3, "a", "c", true, 20, 30);
            ops.read(1, "c", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Nested
    class IndeterminateAndFailedOperations {

        @Test
        void unknownWriteCanExplainALaterRead() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, "a", 20, 30);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void unknownWriteMayTakeEffectLongAfterTheClientGaveUp() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, null, 100, 110);
            ops.read(2, "a", 200, 210);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void unknownWriteMayNeverTakeEffect() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, "a", 40, 50);
            ops.read(2, "a", 60, 70);

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).extracting(Operation::id).doesNotContain(1L);
        }

        @Test
        void unknownWriteTakesEffectAtMostOnce() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "b", 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(2, "b", 40, 50);
            ops.read(2, "a", 60, 70);
            ops.read(2, "b", 80, 90);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }

        @Test
        void unknownWriteInvokedAfterTheReadCompletedCannotExplainIt() {
            Ops ops = new Ops();
            ops.read(2, "a", 0, 10);
            ops.write(1, "a", 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.longestLinearizablePrefix()).isEmpty();
            assertThat(result.explanation()).contains("read \"a\" but the register holds <absent>");
        }

        @Test
        void failedWriteMustNotExplainARead() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.lastEnds(Outcome.FAILED);
            ops.read(2, "a", 20, 30);

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.operations()).extracting(Operation::id).containsExactly(1L);
        }

        @Test
        void unknownReadsConstrainNothing() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.add(Operation.read(1, 2, KEY, "garbage", 20, 30).asUnknown());

            KeyCheckResult result = checkOne(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.operations()).extracting(Operation::id).containsExactly(0L);
        }

        @Test
        void unknownCasCanExplainARead() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.cas(2, "a", "b", false, 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(3, "b", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        }

        @Test
        void unknownCasCannotApplyWhenTheExpectedValueNeverReturns() {
            Ops ops = new Ops();
            ops.write(1, "a", 0, 10);
            ops.write(1, "z", 15, 18);
            ops.cas(2, "a", "b", true, 20, 30);
            ops.lastEnds(Outcome.UNKNOWN);
            ops.read(3, "b", 40, 50);

            assertThat(checkOne(ops).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }
    }

    @Nested
    class MultipleKeys {

        @Test
        void keysAreCheckedIndependently() {
            List<Operation> ops = List.of(
                    Operation.write(0, 1, "a", "1", 0, 10),
                    Operation.write(1, 1, "b", "2", 0, 10),
                    Operation.read(2, 2, "a", "1", 20, 30),
                    // Key "b" was written before this read began, so "absent" is stale.
                    Operation.read(3, 2, "b", null, 20, 30),
                    Operation.read(4, 3, "c", null, 0, 1));

            CheckResult result = checker.check(ops);

            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.linearizable()).isFalse();
            assertThat(result.keyResults()).containsOnlyKeys("a", "b", "c");
            assertThat(result.keyResult("a").linearizable()).isTrue();
            assertThat(result.keyResult("c").linearizable()).isTrue();
            assertThat(result.violations()).extracting(KeyCheckResult::key).containsExactly("b");
            assertThat(result.explanation()).contains("Key \"b\": NOT linearizable").doesNotContain("Key \"a\"");
        }

        @Test
        void checkKeyRejectsOperationsOnOtherKeys() {
            assertThatThrownBy(() -> checker.checkKey("a", List.of(Operation.read(0, 1, "b", null, 0, 1))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Budget {

        /** Many fully concurrent writes and a read nobody could have caused: exponential to refute. */
        private List<Operation> pathologicalHistory() {
            List<Operation> ops = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ops.add(Operation.write(i, i, KEY, "v" + i, 0, 1_000));
            }
            ops.add(Operation.read(40, 99, KEY, "never-written", 2_000, 2_001));
            return ops;
        }

        @Test
        void exhaustedStepBudgetYieldsUnknownNeverLinearizable() {
            LinearizabilityChecker tight = new LinearizabilityChecker(SearchBudget.DEFAULT.withMaxStepsPerKey(10_000));

            CheckResult result = tight.check(pathologicalHistory());

            assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
            assertThat(result.linearizable()).isFalse();
            assertThat(result.undecided()).extracting(KeyCheckResult::key).containsExactly(KEY);
            assertThat(result.keyResult(KEY).steps()).isEqualTo(10_001);
            assertThat(result.explanation()).contains("search budget exhausted");
        }

        @Test
        void exhaustedTimeBudgetYieldsUnknown() {
            LinearizabilityChecker tight = new LinearizabilityChecker(
                    new SearchBudget(Long.MAX_VALUE, Duration.ofMillis(50)));

            long start = System.nanoTime();
            CheckResult result = tight.check(pathologicalHistory());
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
            assertThat(elapsedMillis).as("the time budget stops the search").isLessThan(60_000);
        }

        @Test
        void invalidBudgetsAreRejected() {
            assertThatThrownBy(() -> new SearchBudget(0, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new SearchBudget(1, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
