package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OperationTest
{
    @Test
    void rejectsComponentsThatDoNotFitItsKind()
    {
        assertThatThrownBy(
                () -> new Operation(0, 1, "k", OperationKind.READ, null, "oops", null, false, 0, 1, Outcome.OK))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Operation(0, 1, "k", OperationKind.WRITE, null, "a", null, true, 0, 1, Outcome.OK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsCompletionBeforeInvocation()
    {
        assertThatThrownBy(() -> Operation.write(0, 1, "k", "a", 5, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownOperationsNeverComplete()
    {
        final Operation write = Operation.write(0, 1, "k", "a", 5, 9);

        assertThat(write.effectiveCompleteTime()).isEqualTo(9);
        assertThat(write.asUnknown().effectiveCompleteTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(write.asFailed().outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void describesItselfReadably()
    {
        assertThat(Operation.read(0, 1, "k", null, 0, 1).describe())
                .isEqualTo("#0 client 1 read(k) = <absent> OK [0, 1]");
        assertThat(Operation.cas(7, 2, "k", "a", "b", true, 10, 14).describe())
                .isEqualTo("#7 client 2 cas(k, \"a\" -> \"b\") = true OK [10, 14]");
        assertThat(Operation.write(3, 4, "k", "v", 2, 8).asUnknown().describe())
                .isEqualTo("#3 client 4 write(k, \"v\") UNKNOWN [2, inf)");
    }
}
