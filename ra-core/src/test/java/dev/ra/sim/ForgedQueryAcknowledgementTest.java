package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.RaftRpc;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat reply acknowledging a query round the leader has not sent (a broken build: no member echoes more than it
 * was sent) acknowledges no later round. Otherwise that one reply confirms every later round with the leader's own
 * acknowledgement, a majority of three: a leader deposed meanwhile answers a consistent query from its own state as
 * soon as any reply makes it count the rounds again, here a member's late acknowledgement of an earlier round.
 */
class ForgedQueryAcknowledgementTest
{
    @Test
    void replyAheadOfTheRoundsSentDoesNotConfirmLaterRounds()
    {
        final ScenarioRunner runner = new ScenarioRunner();
        runner.run("cluster 3");
        runner.run("trigger s1");
        runner.run("stabilize");
        runner.deliverForged("s1", "s2", new RaftRpc.HeartbeatReply(runner.core("s1").currentTerm(), 1_000));
        // A first query's round: s3 acknowledges it, but its reply is held up; s2's heartbeat is lost.
        runner.run("query s1");
        runner.run("flush s1");
        runner.run("drop s2");
        runner.run("deliver s3");
        runner.run("hold s1");
        // s1 is cut off; s2 and s3 elect s2, which commits x=1.
        runner.run("isolate s1");
        runner.run("unreachable s2 s1");
        runner.run("unreachable s3 s1");
        runner.run("timeout s2");
        runner.run("stabilize");
        runner.run("propose s2 x 1");
        runner.run("flush s2");
        runner.run("stabilize");
        // A query reaches s1 after x=1 committed; then s3's late reply to the first round does.
        runner.run("query s1");
        final long query = runner.lastCallId();
        runner.run("flush s1");
        runner.run("stabilize");
        runner.run("heal");
        runner.run("release");
        runner.run("deliver s1");

        assertThat(runner.queryResult(query)).as("answer of a deposed leader, confirmed by no round").isNull();
        assertThat(runner.safetyProblem()).isNull();
    }
}
