package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Histories of a real sequential register observed through random concurrent intervals are linearizable
 * by construction; corrupting a single read makes them provably not linearizable.
 */
class SimulatedHistoryPropertyTest {

    private static final int KEYS = 3;
    private static final String NEVER_WRITTEN = "never-written";

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    @Property(tries = 300)
    void simulatedRegisterHistoriesAreLinearizable(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 80) int opsPerKey,
            @ForAll @IntRange(min = 1, max = 5) int maxClientsPerKey,
            @ForAll @DoubleRange(min = 0, max = 0.15) double unknownRate,
            @ForAll @DoubleRange(min = 0, max = 0.15) double failedRate) {
        List<Operation> history = SimulatedRegisterHistories.generate(seed,
                new SimulatedRegisterHistories.Shape(KEYS, opsPerKey, maxClientsPerKey, unknownRate, failedRate));

        CheckResult result = checker.check(history);

        assertThat(result.verdict()).as(result::explanation).isEqualTo(Verdict.LINEARIZABLE);
        result.keyResults().values().forEach(SimulatedHistoryPropertyTest::assertWitnessIsALegalLinearization);
    }

    @Property(tries = 300)
    void aReadOfANeverWrittenValueIsAViolation(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 80) int opsPerKey,
            @ForAll @IntRange(min = 1, max = 5) int maxClientsPerKey,
            @ForAll @DoubleRange(min = 0, max = 0.15) double unknownRate,
            @ForAll @DoubleRange(min = 0, max = 0.15) double failedRate) {
        List<Operation> history = new ArrayList<>(SimulatedRegisterHistories.generate(seed,
                new SimulatedRegisterHistories.Shape(KEYS, opsPerKey, maxClientsPerKey, unknownRate, failedRate)));
        List<Integer> completedReads = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            Operation op = history.get(i);
            if (op.kind() == OperationKind.READ && op.outcome() == Outcome.OK) {
                completedReads.add(i);
            }
        }
        Assume.that(!completedReads.isEmpty());
        int victim = completedReads.get(new Random(seed).nextInt(completedReads.size()));
        Operation corrupted = history.get(victim).withReadValue(NEVER_WRITTEN);
        history.set(victim, corrupted);

        CheckResult result = checker.check(history);

        assertThat(result.verdict()).as(result::explanation).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.violations()).extracting(KeyCheckResult::key).containsExactly(corrupted.key());
        assertThat(result.keyResult(corrupted.key()).longestLinearizablePrefix()).doesNotContain(corrupted);
        assertThat(result.explanation()).contains("#" + corrupted.id());
    }

    /**
     * Independently validates the checker's witness: it contains every completed operation once, respects
     * real-time order, and replaying it on a plain register reproduces every observed output.
     */
    private static void assertWitnessIsALegalLinearization(KeyCheckResult result) {
        List<Operation> witness = result.longestLinearizablePrefix();
        List<Operation> completed = result.operations().stream().filter(op -> op.outcome() == Outcome.OK).toList();
        assertThat(witness).doesNotHaveDuplicates().containsAll(completed);
        assertThat(result.operations()).containsAll(witness);

        for (int later = 0; later < witness.size(); later++) {
            for (int earlier = 0; earlier < later; earlier++) {
                assertThat(witness.get(later).effectiveCompleteTime())
                        .as("%s linearized after %s although it completed before that was invoked",
                                witness.get(later), witness.get(earlier))
                        .isGreaterThanOrEqualTo(witness.get(earlier).invokeTime());
            }
        }

        String register = null;
        for (Operation op : witness) {
            boolean matches = Objects.equals(register, op.expectedValue());
            switch (op.kind()) {
                case READ -> assertThat(op.readValue()).as("%s", op).isEqualTo(register);
                case WRITE -> register = op.writeValue();
                case CAS -> {
                    if (op.outcome() == Outcome.OK) {
                        assertThat(op.casSucceeded()).as("%s", op).isEqualTo(matches);
                    }
                    if (matches) {
                        register = op.writeValue();
                    }
                }
            }
        }
    }
}
