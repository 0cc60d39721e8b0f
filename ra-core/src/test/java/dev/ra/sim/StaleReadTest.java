package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.lincheck.History;
import dev.ra.lincheck.LinearizabilityChecker;
import dev.ra.lincheck.OperationHandle;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The stale read Jepsen found in etcd 0.4 and Consul: a leader cut off from the majority keeps believing it leads
 * while a new leader accepts writes. A consistent query must not be answered from the old leader's state; with the
 * ReadIndex round removed on purpose, it is, and the linearizability checker says so.
 */
class StaleReadTest
{
    @Test
    void isolatedLeaderNeverAnswersAConsistentQuery()
    {
        assertThat(runPartitionedRead(false)).as("linearizable").isTrue();
    }

    @Test
    void readWithoutQuorumRoundIsCaughtAsNotLinearizable()
    {
        assertThat(runPartitionedRead(true)).as("linearizable").isFalse();
    }

    private static boolean runPartitionedRead(final boolean injectBug)
    {
        final AtomicLong clock = new AtomicLong();
        final History history = new History(clock::incrementAndGet);
        final ScenarioRunner runner = new ScenarioRunner();
        runner.run("cluster 3");
        runner.run("trigger s1");
        runner.run("stabilize");
        if (injectBug)
        {
            runner.run("bug s1 READ_WITHOUT_QUORUM");
        }
        // s1 is cut off but its failure detector has not noticed yet: it still thinks it leads term 1.
        runner.run("isolate s1");
        runner.run("unreachable s2 s1");
        runner.run("unreachable s3 s1");
        runner.run("timeout s2");
        runner.run("stabilize");

        final OperationHandle write = history.invokeWrite(1, "x", "1");
        runner.run("propose s2 x 1");
        final long writeCall = runner.lastCallId();
        runner.run("flush s2");
        runner.run("stabilize");
        assertThat(runner.replied(writeCall)).as("the new leader committed the write").isTrue();
        history.ok(write);

        final OperationHandle read = history.invokeRead(2, "x");
        runner.run("query s1");
        final long queryId = runner.lastCallId();
        runner.run("flush s1");
        runner.run("stabilize");
        final Map<String, String> result = runner.queryResult(queryId);
        if (null != result)
        {
            history.ok(read, result.get("x"));
        }
        if (injectBug)
        {
            // The read property the safety checker watches catches it directly, too.
            assertThat(runner.safetyProblem()).startsWith("read reflects prior commits");
        }
        else
        {
            assertThat(runner.safetyProblem()).isNull();
        }
        return new LinearizabilityChecker().check(history).linearizable();
    }
}
