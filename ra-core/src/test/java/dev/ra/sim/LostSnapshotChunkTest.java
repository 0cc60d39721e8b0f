package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A snapshot chunk lost on its way to a follower is sent again at the leader's next tick that heard nothing about the
 * transfer. Consistent queries keep the follower answering heartbeat rounds meanwhile: those answers say nothing about
 * the chunk, and must not keep the leader waiting for a reply to it for ever.
 */
class LostSnapshotChunkTest
{
    @Test
    void lostChunkIsResentWhileTheFollowerAnswersQueryRounds()
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
        // s3 is behind the snapshot: the probe's rejection makes s1 send the first chunk, which is lost.
        runner.run("tick s1");
        runner.run("deliver s3");
        assertThat(runner.run("deliver s1")).contains("InstallSnapshot");
        runner.run("drop s3");
        // Reads keep flowing, one round at least per tick, and every voter answers them, s3 too.
        for (int tick = 0; tick < 5; tick++)
        {
            runner.run("query s1");
            runner.run("flush s1");
            runner.run("stabilize");
            runner.run("tick s1");
            runner.run("stabilize");
        }
        assertThat(runner.core("s3").lastIndex()).as("s3's log after 5 ticks").isEqualTo(runner.core("s1").lastIndex());
        assertThat(runner.safetyProblem()).isNull();
    }
}
