package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.RaftRpc;
import org.junit.jupiter.api.Test;

/**
 * A snapshot chunk reply naming an offset before the snapshot's start (a broken or foreign build: the wire decoder
 * checks shapes, not ranges) must not take the leader down: it sends from the start, and the follower, which never
 * asks for less than 0, says where it is.
 */
class MalformedSnapshotReplyTest
{
    @Test
    void negativeOffsetDoesNotStopTheLeader()
    {
        final ScenarioRunner runner = new ScenarioRunner();
        runner.run("cluster 3 snapshotEvery=3");
        runner.run("trigger s1");
        runner.run("stabilize");
        runner.run("isolate s3");
        for (int i = 1; i <= 6; i++)
        {
            runner.run("propose s1 k" + i + " " + i);
        }
        runner.run("flush s1");
        runner.run("stabilize");
        runner.run("heal");
        runner.run("tick s1");
        runner.run("deliver s3");
        assertThat(runner.run("deliver s1")).contains("InstallSnapshot");
        final long term = runner.core("s1").currentTerm();
        final long snapshotIndex = runner.core("s1").snapshotIndex();

        runner.deliverForged("s1", "s3", new RaftRpc.InstallSnapshotReply(term, snapshotIndex, -16, false));
        runner.run("stabilize");

        assertThat(runner.core("s1").role().toString()).isEqualTo("LEADER");
        assertThat(runner.core("s3").lastIndex()).as("s3's log").isEqualTo(runner.core("s1").lastIndex());
        assertThat(runner.safetyProblem()).isNull();
    }
}
