package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A vote request delayed in the network until after its candidate won says nothing about the leader it became: a
 * follower of that leader keeps it, rather than taking it for a leader that campaigns again (which it can only do in
 * a later term, and that request makes the follower forget it anyway).
 */
class StaleVoteRequestTest
{
    @Test
    void followerKeepsItsLeaderOnTheLeadersOwnDelayedVoteRequest()
    {
        final ScenarioRunner runner = new ScenarioRunner();
        runner.run("cluster 3");
        runner.run("trigger s1");
        // The pre-votes and their replies: s1 becomes a candidate and asks s2 and s3 for their votes.
        runner.run("deliver");
        runner.run("deliver");
        assertThat(runner.core("s1").role().toString()).isEqualTo("CANDIDATE");
        // s3's vote request is held up; s1 wins with s2's vote and s3 follows it from its first AppendEntries.
        runner.run("hold s3");
        runner.run("stabilize");
        assertThat(runner.core("s1").role().toString()).isEqualTo("LEADER");
        assertThat(runner.core("s3").leaderId()).isEqualTo(runner.core("s1").id());
        // The request of term 1 finally arrives.
        runner.run("release");
        runner.run("stabilize");
        assertThat(runner.core("s3").leaderId()).as("s3's leader after s1's delayed vote request")
            .isEqualTo(runner.core("s1").id());
        assertThat(runner.safetyProblem()).isNull();
    }
}
