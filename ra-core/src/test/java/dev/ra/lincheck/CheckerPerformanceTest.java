package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Simulation tests check a history after every seed, so the checker must stay cheap on realistic sizes
 * (measured in search steps):
 * 50 keys of ~200 operations each, up to 5 concurrent clients per key.
 */
class CheckerPerformanceTest
{
    private static final SimulatedRegisterHistories.Shape SIMULATION_SIZED =
            new SimulatedRegisterHistories.Shape(50, 200, 5, 0.02, 0.02);

    /**
     * Cost is asserted in search steps, not milliseconds, so that the test cannot fail on a slow or busy machine:
     * a budget this small per key still decides every key, which is what keeps a whole simulation run cheap.
     */
    private static final long STEPS_PER_KEY = 20_000;

    // The search itself is what is measured: no refutation of unwritten values before it.
    private final LinearizabilityChecker checker = LinearizabilityChecker.searchOnly(
            new SearchBudget(STEPS_PER_KEY, java.time.Duration.ofMinutes(5)));

    @Test
    void simulationSizedLinearizableHistoryChecksQuickly()
    {
        final List<Operation> history = SimulatedRegisterHistories.generate(1, SIMULATION_SIZED);
        final CheckResult result = checker.check(history);

        assertThat(result.linearizable()).as(result::explanation).isTrue();
        assertThat(result.keyResults()).hasSize(50);
    }

    @Test
    void simulationSizedViolationIsFoundQuickly()
    {
        final List<Operation> history = new ArrayList<>(SimulatedRegisterHistories.generate(3, SIMULATION_SIZED));
        // Corrupt the last completed read of every key: the search must refute almost the whole history.
        for (int i = history.size() - 1, corrupted = 0; i >= 0 && corrupted < 50; i--)
        {
            final Operation op = history.get(i);
            if (op.kind() == OperationKind.READ && op.outcome() == Outcome.OK)
            {
                history.set(i, op.withReadValue("never-written"));
                corrupted++;
            }
        }
        final CheckResult result = checker.check(history);

        assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
}
