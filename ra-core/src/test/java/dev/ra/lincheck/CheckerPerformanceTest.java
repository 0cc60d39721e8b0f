package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Simulation tests check a history after every seed, so the checker must stay cheap on realistic sizes:
 * 50 keys of ~200 operations each, up to 5 concurrent clients per key.
 */
class CheckerPerformanceTest {

    private static final SimulatedRegisterHistories.Shape SIMULATION_SIZED =
            new SimulatedRegisterHistories.Shape(50, 200, 5, 0.02, 0.02);

    /** Far below the stated goal of "well under a second", leaving room for slow CI machines and a cold JIT. */
    private static final long LIMIT_MILLIS = 1_000;

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    @Test
    void simulationSizedLinearizableHistoryChecksQuickly() {
        List<Operation> history = SimulatedRegisterHistories.generate(1, SIMULATION_SIZED);
        checker.check(SimulatedRegisterHistories.generate(2, SIMULATION_SIZED)); // warm the JIT

        long start = System.nanoTime();
        CheckResult result = checker.check(history);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(result.linearizable()).as(result::explanation).isTrue();
        assertThat(result.keyResults()).hasSize(50);
        assertThat(elapsedMillis).isLessThan(LIMIT_MILLIS);
    }

    @Test
    void simulationSizedViolationIsFoundQuickly() {
        List<Operation> history = new ArrayList<>(SimulatedRegisterHistories.generate(3, SIMULATION_SIZED));
        // Corrupt the last completed read of every key: the search must refute almost the whole history.
        for (int i = history.size() - 1, corrupted = 0; i >= 0 && corrupted < 50; i--) {
            Operation op = history.get(i);
            if (op.kind() == OperationKind.READ && op.outcome() == Outcome.OK) {
                history.set(i, op.withReadValue("never-written"));
                corrupted++;
            }
        }
        checker.check(history); // warm the JIT

        long start = System.nanoTime();
        CheckResult result = checker.check(history);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(elapsedMillis).isLessThan(LIMIT_MILLIS);
    }
}
