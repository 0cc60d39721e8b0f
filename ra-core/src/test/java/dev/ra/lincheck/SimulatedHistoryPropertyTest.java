package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Histories of a real sequential register observed through random concurrent intervals are linearizable
 * by construction; corrupting a single read makes them provably not linearizable.
 */
class SimulatedHistoryPropertyTest
{
    private static final int KEYS = 3;
    private static final String NEVER_WRITTEN = "never-written";

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    /** The seed and shape of one simulated history. */
    record Params(long seed, int opsPerKey, int maxClientsPerKey, double unknownRate, double failedRate)
    {
        SimulatedRegisterHistories.Shape shape()
        {
            return new SimulatedRegisterHistories.Shape(KEYS, opsPerKey, maxClientsPerKey, unknownRate, failedRate);
        }
    }

    private static Gen<Params> params()
    {
        final Gen<Long> seeds = Gen.longs();
        final Gen<Integer> opsPerKey = Gen.ints(1, 80);
        final Gen<Integer> maxClientsPerKey = Gen.ints(1, 5);
        final Gen<Double> rates = Gen.decimals(0, 0.15, 2);
        return c -> new Params(seeds.next(c), opsPerKey.next(c), maxClientsPerKey.next(c), rates.next(c),
                rates.next(c));
    }

    @Test
    void simulatedRegisterHistoriesAreLinearizable()
    {
        Property.forAll(300, params(), params ->
        {
            final List<Operation> history = SimulatedRegisterHistories.generate(params.seed(), params.shape());

            final CheckResult result = checker.check(history);

            assertThat(result.verdict()).as(result::explanation).isEqualTo(Verdict.LINEARIZABLE);
            result.keyResults().values().forEach(SimulatedHistoryPropertyTest::assertWitnessIsALegalLinearization);
        });
    }

    @Test
    void aReadOfANeverWrittenValueIsAViolation()
    {
        Property.forAll(300, params(), params -> aReadOfANeverWrittenValueIsAViolation(params.seed(), params.shape()));
    }

    private void aReadOfANeverWrittenValueIsAViolation(final long seed, final SimulatedRegisterHistories.Shape shape)
    {
        final List<Operation> history = new ArrayList<>(SimulatedRegisterHistories.generate(seed, shape));
        final List<Integer> completedReads = new ArrayList<>();
        for (int i = 0; i < history.size(); i++)
        {
            final Operation op = history.get(i);
            if (op.kind() == OperationKind.READ && op.outcome() == Outcome.OK)
            {
                completedReads.add(i);
            }
        }
        Property.assume(!completedReads.isEmpty());
        final int victim = completedReads.get(new Random(seed).nextInt(completedReads.size()));
        final Operation corrupted = history.get(victim).withReadValue(NEVER_WRITTEN);
        history.set(victim, corrupted);

        final CheckResult result = checker.check(history);

        assertThat(result.verdict()).as(result::explanation).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.violations()).extracting(KeyCheckResult::key).containsExactly(corrupted.key());
        assertThat(result.keyResult(corrupted.key()).longestLinearizablePrefix()).doesNotContain(corrupted);
        assertThat(result.explanation()).contains("#" + corrupted.id());
    }

    /**
     * Independently validates the checker's witness: it contains every completed operation once, respects
     * real-time order, and replaying it on a plain register reproduces every observed output.
     */
    private static void assertWitnessIsALegalLinearization(final KeyCheckResult result)
    {
        final List<Operation> witness = result.longestLinearizablePrefix();
        final List<Operation> completed =
                result.operations().stream().filter(op -> op.outcome() == Outcome.OK).toList();
        assertThat(witness).doesNotHaveDuplicates().containsAll(completed);
        assertThat(result.operations()).containsAll(witness);

        for (int later = 0; later < witness.size(); later++)
        {
            for (int earlier = 0; earlier < later; earlier++)
            {
                assertThat(witness.get(later).effectiveCompleteTime())
                        .as("%s linearized after %s although it completed before that was invoked",
                                witness.get(later), witness.get(earlier))
                        .isGreaterThanOrEqualTo(witness.get(earlier).invokeTime());
            }
        }

        String register = null;
        for (final Operation op : witness)
        {
            final boolean matches = Objects.equals(register, op.expectedValue());
            switch (op.kind())
            {
                case READ -> assertThat(op.readValue()).as("%s", op).isEqualTo(register);
                case WRITE -> register = op.writeValue();
                case CAS ->
                {
                    if (op.outcome() == Outcome.OK)
                    {
                        assertThat(op.casSucceeded()).as("%s", op).isEqualTo(matches);
                    }
                    if (matches)
                    {
                        register = op.writeValue();
                    }
                }
            }
        }
    }
}
