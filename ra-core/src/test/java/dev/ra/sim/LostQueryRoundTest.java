package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A consistent query's heartbeat round that is lost (the heartbeats, or their replies) is sent again at the leader's
 * ticks. The runtime ticks a core only while it wants ticks ({@code ServerCore.wantsTicks}), so a leader with a round
 * unacknowledged must want them, even in a cluster where nothing else is outstanding: otherwise, with no write to
 * wake it, that query and every later one (which wait for the round in flight) are never answered.
 */
class LostQueryRoundTest
{
    @Test
    void lostRoundIsSentAgainInAClusterThatOnlyReads()
    {
        final ScenarioRunner runner = new ScenarioRunner();
        runner.run("cluster 3");
        runner.run("trigger s1");
        runner.run("stabilize");
        runner.run("query s1");
        final long first = runner.lastCallId();
        runner.run("flush s1");
        // Every heartbeat of the round is lost.
        runner.run("drop");
        runner.run("query s1");
        final long second = runner.lastCallId();
        runner.run("flush s1");
        runner.run("stabilize");
        // Ticks as the runtime gives them: only while the leader wants them.
        for (int tick = 0; tick < 5 && runner.core("s1").wantsTicks(); tick++)
        {
            runner.run("tick s1");
            runner.run("stabilize");
        }
        assertThat(runner.queryResult(first)).as("the first query's answer").isNotNull();
        assertThat(runner.queryResult(second)).as("the second query's answer").isNotNull();
        assertThat(runner.core("s1").wantsTicks()).as("ticks wanted once both are answered").isFalse();
        assertThat(runner.safetyProblem()).isNull();
    }
}
