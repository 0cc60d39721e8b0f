package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A leader that removes itself steps down once the configuration without it commits (thesis §4.2.2). Commands it
 * took after that configuration and that commit with it are applied on every member, the leader included: their
 * callers get their replies, not an outcome unknown (CommandOutcomeUnknownException, "the leader lost its leadership
 * before the command committed"). Stepped down, it sends nothing more as the leader.
 */
class LeaderRemovedRepliesTest
{
    @Test
    void commandsCommittedWithTheLeadersRemovalAreAnswered()
    {
        final ScenarioRunner runner = new ScenarioRunner();
        runner.run("cluster 3");
        runner.run("trigger s1");
        runner.run("stabilize");
        runner.run("remove-member s1 s1");
        final long removal = runner.lastCallId();
        runner.run("propose s1 x 1");
        final long first = runner.lastCallId();
        runner.run("propose s1 y 2");
        final long second = runner.lastCallId();
        runner.run("flush s1");

        final String out = runner.run("stabilize");

        assertThat(runner.core("s1").role().toString()).as("s1 once its removal committed").isEqualTo("FOLLOWER");
        assertThat(runner.core("s1").lastApplied()).as("s1 applied the commands").isEqualTo(4);
        assertThat(out).contains("CallCompleted[callId=" + removal + ",");
        assertThat(runner.replied(first)).as("reply to x=1, applied (%s)", out).isTrue();
        assertThat(runner.replied(second)).as("reply to y=2, applied (%s)", out).isTrue();
        assertThat(out).doesNotContain("LEADERSHIP_LOST");
        // Stepped down, it sends nothing more as the leader: an AppendEntries would have a follower take it for its
        // leader again.
        assertThat(out.substring(out.indexOf("s1 role LEADER -> FOLLOWER"))).as("after s1 stepped down")
            .doesNotContain("s1->");
        assertThat(runner.safetyProblem()).isNull();
    }
}
