package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.ServerCore;
import dev.ra.protocol.RaftRpc;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Machine-version upgrades in the pure core, checked by properties rather than traces: the switch happens at one index
 * on every member (the versioned register machine mixes the version of each applied entry into its digest, which the
 * safety checker compares across members), it waits for every voter, and an older candidate gets no pre-vote. Each
 * property is also shown to catch the deliberate bug that breaks it.
 */
final class MachineVersionTest
{
    /** A cluster at version 1 whose members are replaced one by one by builds that support version 2. */
    private static final String ROLLING = """
        cluster 3 version=1
        trigger s1
        stabilize
        propose s1 a 1
        flush s1
        stabilize
        crash s3
        version s3 2
        restart s3
        tick s1
        stabilize
        crash s2
        version s2 2
        restart s2
        tick s1
        stabilize
        crash s1
        unreachable s3 s1
        unreachable s2 s1
        timeout s2
        stabilize
        propose s2 c 3
        flush s2
        stabilize
        version s1 2
        restart s1
        """;

    /** The last member reports version 2 while commands are in flight: the leader switches among them. */
    private static final String FINISH = """
        propose s2 d 4
        propose s2 e 5
        flush s2
        tick s2
        stabilize
        propose s2 f 6
        flush s2
        stabilize
        """;

    @Test
    void everyMemberSwitchesAtTheSameIndexOnceAllVotersSupportTheVersion()
    {
        final ScenarioRunner runner = run(ROLLING + FINISH);
        assertThat(runner.safetyProblems()).isEmpty();
        for (final String name : List.of("s1", "s2", "s3"))
        {
            final ServerCore core = runner.core(name);
            assertThat(core.effectiveMachineVersion()).as(name).isEqualTo(2);
            assertThat(core.machineVersionError()).as(name).isNull();
            assertThat(core.lastApplied()).as(name).isEqualTo(runner.core("s2").lastApplied());
        }
    }

    @Test
    void theLeaderWaitsForEveryVoter()
    {
        // s1 is still down with its version-1 build: the leader must not switch yet.
        final ScenarioRunner runner = run(ROLLING.replace("version s1 2\nrestart s1\n", "") + """
            propose s2 d 4
            flush s2
            stabilize
            """);
        assertThat(runner.core("s2").effectiveMachineVersion()).isEqualTo(1);
        assertThat(runner.core("s3").effectiveMachineVersion()).isEqualTo(1);
    }

    @Test
    void aLeaderThatDoesNotWaitLeavesAnOlderVoterUnableToApply()
    {
        // The bug: s2 switches as soon as it leads, while s1 still runs a version-1 build.
        final ScenarioRunner runner = run(ROLLING.replace("version s1 2\n", "")
            .replace("crash s1\n", "crash s1\nversion-bug s2 UPGRADE_WITHOUT_ALL_VOTERS\n") + FINISH);
        assertThat(runner.core("s1").machineVersionError()).as("s1 stops applying").isNotNull()
            .contains("needs machine version 2", "supports versions 0 to 1", "s1");
    }

    @Test
    void switchingOnAppendInsteadOfApplyIsCaughtAsDivergentState()
    {
        final ScenarioRunner runner = run(ROLLING + "version-bug s2 VERSION_SWITCH_ON_APPEND\n" + FINISH);
        assertThat(runner.safetyProblems()).as("the leader applied entries with another version than its followers")
            .isNotEmpty();
    }

    @Test
    void aVoterRefusesAPreVoteToACandidateOlderThanTheVersionInForce()
    {
        final ScenarioRunner runner = run(ROLLING + FINISH + """
            crash s2
            unreachable s1 s2
            """);
        final ServerCore s1 = runner.core("s1");
        final ServerCore s3 = runner.core("s3");
        assertThat(preVoteGranted(s1, s3, 1)).as("candidate with a version-1 build").isFalse();
        assertThat(preVoteGranted(s1, s3, 2)).as("candidate with a version-2 build").isTrue();
        runner.run("version-bug s1 VOTE_IGNORES_MACHINE_VERSION");
        assertThat(preVoteGranted(s1, s3, 1)).as("with the bug").isTrue();
    }

    @Test
    void leadershipIsNotHandedToAMemberWhoseBuildIsOlderThanTheVersionInForce()
    {
        final ScenarioRunner runner = run(ROLLING + FINISH + """
            crash s3
            version s3 1
            restart s3
            propose s2 z 9
            flush s2
            stabilize
            """);
        assertThat(runner.core("s3").machineVersionError()).as("s3 stopped").isNotNull();

        final String transfer = runner.run("transfer s2 s3");

        assertThat(transfer).contains("CallFailed", "NOT_PERMITTED");
        assertThat(runner.core("s2").handOverTarget()).isNotEqualTo(runner.core("s3").id());
        runner.run("stabilize");
        assertThat(runner.core("s2").role()).isEqualTo(dev.ra.RaftRole.LEADER);
    }

    @Test
    void aMemberRefusesASnapshotOfAVersionItsBuildDoesNotSupport()
    {
        // The cluster runs version 2 and has snapshotted; s4 joins as a promotable member with a version-1 build.
        final ScenarioRunner runner = run("""
            cluster 3 snapshotEvery=3 version=2
            trigger s1
            stabilize
            propose s1 a 1
            propose s1 b 2
            propose s1 c 3
            propose s1 d 4
            propose s1 e 5
            propose s1 f 6
            flush s1
            stabilize
            add-server s4 version=1
            add-member s1 s4 promotable
            stabilize
            tick s1
            stabilize
            propose s1 g 7
            flush s1
            stabilize
            """);
        final ServerCore s4 = runner.core("s4");
        assertThat(runner.core("s1").snapshotIndex()).as("the leader sends a snapshot").isPositive();
        assertThat(s4.machineVersionError()).as("s4 refused it").isNotNull()
            .contains("snapshot from s1", "needs machine version 2", "supports versions 0 to 1");
        assertThat(s4.snapshotIndex()).as("nothing installed").isZero();
        assertThat(s4.lastApplied()).isZero();
        assertThat(runner.core("s1").role()).isEqualTo(dev.ra.RaftRole.LEADER);
        assertThat(runner.core("s1").lastApplied()).as("the cluster carries on").isEqualTo(runner.core("s1")
            .lastIndex());
        assertThat(runner.safetyProblems()).isEmpty();
    }

    /**
     * The leader knows a member's build from its last reply: s3, rolled back to a version-1 build, has not answered
     * since, so when s1 (upgraded last) reports version 2 the leader s2 switches, and s3 receives the switch to a
     * version its build lacks. Its leader fails before s3 learns that the noop committed.
     */
    private static final String STALE_REPORT = """
        cluster 3 version=1
        trigger s1
        stabilize
        crash s2
        version s2 2
        restart s2
        crash s3
        version s3 2
        restart s3
        tick s1
        stabilize
        crash s1
        unreachable s3 s1
        unreachable s2 s1
        timeout s2
        stabilize
        crash s3
        version s3 1
        restart s3
        version s1 2
        restart s1
        tick s2
        deliver s1
        sync s1
        deliver s2 s1
        deliver s3
        sync s3
        crash s2
        drop
        """;

    @Test
    void aMemberHoldingASwitchItsBuildCannotApplyDoesNotCampaign()
    {
        final ScenarioRunner runner = run(STALE_REPORT);
        assertThat(runner.run("log s3")).as("s3 holds the switch, not applied").contains("2/4 noop v2");
        assertThat(runner.core("s3").machineVersionError()).isNull();

        final String timeout = runner.run("timeout s3");

        assertThat(timeout).as("s3 campaigns").doesNotContain("PreVoteRpc");
        assertThat(runner.core("s3").electionRefusal()).contains("machine version its build does not support");
    }

    /**
     * The switch s3 holds was on s3 alone (s2 failed before its own write of it): s2 and s1 elect a leader whose noop
     * overwrites it. s3 once kept counting a switch its log no longer held, and did not campaign again before a
     * restart, saying its log switches to a version its build does not support.
     */
    @Test
    void aMemberWhoseUnsupportedSwitchWasOverwrittenMayCampaignAgain()
    {
        final ScenarioRunner runner = run(STALE_REPORT + """
            restart s2
            reachable s2 s1
            reachable s1 s2
            timeout s2
            stabilize
            """);
        assertThat(runner.core("s2").role()).isEqualTo(dev.ra.RaftRole.LEADER);
        assertThat(runner.run("log s3")).as("the switch was overwritten").doesNotContain("noop v2");
        assertThat(runner.core("s3").effectiveMachineVersion()).isEqualTo(1);

        assertThat(runner.core("s3").electionRefusal()).as("why s3 does not campaign").isNull();
        assertThat(runner.safetyProblems()).isEmpty();
    }

    /**
     * Builds of versions 2, 2 and 1 on a cluster at version 0: every member supports version 1, so the leader (a
     * version-2 build) switches the cluster to 1, and to 2 once the last member is upgraded. A leader once proposed
     * only its own newest version, which not every member supported, and the cluster stayed at 0.
     */
    @Test
    void theLeaderSwitchesToTheHighestVersionEveryVoterSupportsAndStepsUpWhenItRises()
    {
        final ScenarioRunner runner = run("""
            cluster 3 version=2
            crash s3
            version s3 1
            restart s3
            trigger s1
            stabilize
            propose s1 a 1
            flush s1
            stabilize
            tick s1
            stabilize
            """);
        assertThat(runner.core("s1").role()).isEqualTo(dev.ra.RaftRole.LEADER);
        for (final String name : List.of("s1", "s2", "s3"))
        {
            assertThat(runner.core(name).effectiveMachineVersion()).as(name + " at the version all support")
                .isEqualTo(1);
            assertThat(runner.core(name).machineVersionError()).as(name).isNull();
        }

        runner.run("crash s3");
        runner.run("version s3 2");
        runner.run("restart s3");
        run(runner, """
            tick s1
            stabilize
            propose s1 b 2
            flush s1
            stabilize
            """);
        for (final String name : List.of("s1", "s2", "s3"))
        {
            assertThat(runner.core(name).effectiveMachineVersion()).as(name + " once every build supports 2")
                .isEqualTo(2);
        }
        assertThat(runner.safetyProblems()).isEmpty();
    }

    /** A new leader's first noop already carries the highest version every voter it heard from supports. */
    @Test
    void aNewLeaderSwitchesToTheHighestVersionEveryVoterSupports()
    {
        final ScenarioRunner runner = run("""
            cluster 3
            trigger s1
            stabilize
            crash s2
            version s2 3
            restart s2
            crash s3
            version s3 2
            restart s3
            tick s1
            stabilize
            crash s1
            version s1 3
            restart s1
            unreachable s3 s1
            unreachable s2 s1
            timeout s2
            stabilize
            reachable s3 s1
            reachable s2 s1
            tick s2
            stabilize
            propose s2 a 1
            flush s2
            stabilize
            """);
        assertThat(runner.core("s2").role()).isEqualTo(dev.ra.RaftRole.LEADER);
        for (final String name : List.of("s1", "s2", "s3"))
        {
            assertThat(runner.core(name).effectiveMachineVersion()).as(name).isEqualTo(2);
            assertThat(runner.core(name).machineVersionError()).as(name).isNull();
        }
        assertThat(runner.safetyProblems()).isEmpty();
    }

    private static boolean preVoteGranted(final ServerCore voter, final ServerCore candidate, final int version)
    {
        final List<RaftAction> actions = voter.handle(new RaftEvent.RpcReceived(candidate.id(),
            new RaftRpc.PreVoteRpc(voter.currentTerm(), 99, candidate.id(), candidate.lastIndex(),
                candidate.termAt(candidate.lastIndex()), version)), 1_000_000);
        return actions.stream().filter(a -> a instanceof RaftAction.Send)
            .map(a -> ((RaftAction.Send)a).rpc())
            .filter(r -> r instanceof RaftRpc.PreVoteReply)
            .map(r -> ((RaftRpc.PreVoteReply)r).granted())
            .findFirst().orElseThrow();
    }

    private static ScenarioRunner run(final String script)
    {
        return run(new ScenarioRunner(), script);
    }

    private static ScenarioRunner run(final ScenarioRunner runner, final String script)
    {
        for (final String line : script.lines().map(String::trim).filter(l -> !l.isEmpty()).toList())
        {
            runner.run(line);
        }
        return runner;
    }
}
