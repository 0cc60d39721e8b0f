package dev.ra.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.core.CoreTestAccess.Bug;
import dev.ra.core.ServerCore;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every deliberate core bug ({@link Bug}) is caught by a property the safety checker watches, not by comparing a
 * recorded trace: each bug has a directed scenario that runs twice through the {@link ScenarioRunner}, once on the
 * correct core, where no property fails and explicit assertions state what the rule guarantees at that point, and
 * once with the bug switched on, where the named property fails. Lines starting with {@code bug} are left out of the
 * correct run.
 */
class MutationsCaughtTest
{
    private record Case(String property, String script, Consumer<ScenarioRunner> correctRun)
    {
    }

    private static final String LEADER_S1 = """
        cluster 3
        trigger s1
        stabilize
        """;

    private static final Map<Bug, Case> CASES = new EnumMap<>(Bug.class);

    static
    {
        // A grant from term 1 arrives while s1 campaigns in term 2: only votes of the current term count.
        CASES.put(Bug.COUNT_VOTE_FROM_OLDER_TERM, new Case("leader elected by persisted votes", """
            cluster 3
            bug s1 COUNT_VOTE_FROM_OLDER_TERM
            trigger s1
            deliver s2
            deliver s3
            deliver s1
            deliver s2
            drop s3
            timeout s1
            deliver s3
            deliver s1 s3
            deliver s1 s2
            """, runner ->
            {
                assertThat(runner.core("s1").currentTerm()).isEqualTo(2);
                assertThat(runner.core("s1").role()).isEqualTo(RaftRole.CANDIDATE);
            }));

        // s1 sent a heartbeat round for query 1, then lost leadership to s2, which committed x=1. Query 3 reaches s1
        // afterwards: a reply to the old round must not answer it.
        CASES.put(Bug.QUERY_JOINS_SENT_ROUND, new Case("read reflects prior commits", LEADER_S1 + """
            bug s1 QUERY_JOINS_SENT_ROUND
            query s1
            flush s1
            deliver s2
            deliver s3
            unreachable s2 s1
            unreachable s3 s1
            timeout s2
            deliver s3
            deliver s2
            deliver s3
            deliver s2
            deliver s3
            sync
            deliver s2
            propose s2 x 1
            flush s2
            deliver s3
            sync
            deliver s2
            query s1
            flush s1
            deliver s1 s3
            """, runner ->
            {
                assertThat(runner.replied(2)).as("x=1 committed by s2").isTrue();
                assertThat(runner.queryResult(1)).as("the query of the old round").isNotNull();
                assertThat(runner.queryResult(3)).as("the query that came after the round").isNull();
            }));

        // A configuration is in force on append: s2 uses it before it commits.
        CASES.put(Bug.CONFIG_ON_COMMIT, new Case("configuration follows the log", LEADER_S1 + """
            add-server s4
            bug s2 CONFIG_ON_COMMIT
            add-member s1 s4
            deliver s2
            """, runner ->
            {
                final ServerCore s2 = runner.core("s2");
                assertThat(s2.commitIndex()).isLessThan(s2.lastIndex());
                assertThat(names(s2.members())).containsExactly("s1", "s2", "s3", "s4");
            }));

        // The snapshot at index 3 is taken after the configuration entry at 4 was appended.
        CASES.put(Bug.SNAPSHOT_CURRENT_CONFIG, new Case("snapshot configuration", """
            cluster 3 snapshotEvery=1
            trigger s1
            stabilize
            add-server s4
            bug s1 SNAPSHOT_CURRENT_CONFIG
            propose s1 x 1
            propose s1 y 2
            flush s1
            add-member s1 s4
            stabilize
            """, runner ->
            {
                assertThat(runner.core("s1").snapshotIndex()).isEqualTo(3);
                assertThat(names(runner.core("s1").members())).containsExactly("s1", "s2", "s3", "s4");
            }));

        // s3 is removed, and the snapshots taken after it compact the removal away.
        CASES.put(Bug.SNAPSHOT_FORGETS_REMOVED, new Case("snapshot removed servers", """
            cluster 3 snapshotEvery=1
            trigger s1
            stabilize
            bug s1 SNAPSHOT_FORGETS_REMOVED
            remove-member s1 s3
            stabilize
            propose s1 x 1
            propose s1 y 2
            flush s1
            stabilize
            """, runner ->
            {
                assertThat(names(runner.core("s1").members())).containsExactly("s1", "s2");
                assertThat(runner.core("s1").snapshotIndex()).as("past the removal at 2").isGreaterThan(2);
            }));

        // s3 missed the change that added s4 and receives it inside a snapshot.
        CASES.put(Bug.INSTALLED_SNAPSHOT_MEMBERS_IGNORED, new Case("configuration follows the log", """
            cluster 3 snapshotEvery=1
            trigger s1
            stabilize
            isolate s3
            add-server s4
            add-member s1 s4
            stabilize
            propose s1 x 1
            propose s1 y 2
            propose s1 z 3
            flush s1
            stabilize
            heal
            bug s3 INSTALLED_SNAPSHOT_MEMBERS_IGNORED
            tick s1
            stabilize
            """, runner ->
            {
                assertThat(runner.core("s3").snapshotIndex()).isGreaterThan(2);
                assertThat(names(runner.core("s3").members())).containsExactly("s1", "s2", "s3", "s4");
            }));

        // s2 crashes right after the third action of its vote: with the reply sent first, the vote it granted is
        // lost, and s1 leads on a vote nobody remembers.
        CASES.put(Bug.VOTE_REPLY_BEFORE_PERSIST, new Case("vote durable before granted", """
            cluster 3
            bug s2 VOTE_REPLY_BEFORE_PERSIST
            trigger s1
            deliver s2
            deliver s3
            deliver s1
            drop s3
            crash-after s2 3
            deliver s2
            deliver s1
            """, runner ->
            {
                assertThat(runner.core("s1").role()).as("s2's vote was persisted but never sent")
                    .isEqualTo(RaftRole.CANDIDATE);
            }));

        // s1, cut off, keeps leading term 1 while s2 leads term 2; the replies to its next AppendEntries carry
        // term 2 and must make it step down.
        CASES.put(Bug.LEADER_IGNORES_HIGHER_TERM_REPLY, new Case("higher term adopted", LEADER_S1 + """
            bug s1 LEADER_IGNORES_HIGHER_TERM_REPLY
            isolate s1
            unreachable s2 s1
            unreachable s3 s1
            timeout s2
            stabilize
            heal
            propose s1 x 1
            flush s1
            deliver s2
            deliver s3
            deliver s1
            """, runner ->
            {
                assertThat(runner.core("s2").role()).isEqualTo(RaftRole.LEADER);
                assertThat(runner.core("s1").role()).as("stepped down").isEqualTo(RaftRole.FOLLOWER);
                assertThat(runner.core("s1").currentTerm()).isEqualTo(2);
            }));

        // Four voters, two of them cut off, and a promotable s5 that has caught up: s1 and s2 are no majority of
        // the voters, whatever s5 holds.
        CASES.put(Bug.COMMIT_COUNTS_PROMOTABLE, new Case("commit quorum of voters", """
            cluster 4
            trigger s1
            stabilize
            add-server s5
            isolate s3
            isolate s4
            bug s1 COMMIT_COUNTS_PROMOTABLE
            add-member s1 s5 promotable
            stabilize
            """, runner ->
            {
                final ServerCore s1 = runner.core("s1");
                final ServerCore s5 = runner.core("s5");
                assertThat(s5.lastWrittenIndex()).as("s5 holds the whole log").isEqualTo(s1.lastIndex());
                assertThat(s1.commitIndex()).as("not committed").isLessThan(s1.lastIndex());
                assertThat(s1.members()).contains(new Member(s5.id(), Membership.PROMOTABLE, s1.lastIndex() - 1));
            }));

        // While the change adding s4 cannot commit, the change adding s5 must be refused.
        CASES.put(Bug.TWO_CONFIG_CHANGES_IN_FLIGHT, new Case("one configuration change at a time", LEADER_S1 + """
            add-server s4
            add-server s5
            isolate s2
            isolate s3
            bug s1 TWO_CONFIG_CHANGES_IN_FLIGHT
            add-member s1 s4
            add-member s1 s5
            """, runner ->
            {
                final ServerCore s1 = runner.core("s1");
                assertThat(configEntriesAbove(s1, s1.commitIndex())).isEqualTo(1);
                assertThat(names(s1.members())).containsExactly("s1", "s2", "s3", "s4");
            }));

        CASES.put(Bug.ACK_BEFORE_DURABLE, new Case("acknowledged entries durable", LEADER_S1 + """
            bug s2 ACK_BEFORE_DURABLE
            propose s1 x 1
            flush s1
            deliver s2
            deliver s1
            """, runner -> assertThat(runner.core("s1").commitIndex()).isEqualTo(1)));

        // x=1 is committed on s1 and s2; s3 never got it and must not be elected once s1 is gone.
        CASES.put(Bug.VOTE_WITHOUT_LOG_CHECK, new Case("leader completeness", LEADER_S1 + """
            isolate s3
            propose s1 x 1
            flush s1
            stabilize
            crash s1
            heal
            unreachable s2 s1
            unreachable s3 s1
            bug s2 VOTE_WITHOUT_LOG_CHECK
            timeout s3
            deliver s2
            deliver s3
            deliver s2
            deliver s3
            """, runner -> assertThat(runner.core("s3").role()).isNotEqualTo(RaftRole.LEADER)));

        // The stale read of etcd 2014: s1, cut off, is asked after s2 committed x=1.
        CASES.put(Bug.READ_WITHOUT_QUORUM, new Case("read reflects prior commits", LEADER_S1 + """
            bug s1 READ_WITHOUT_QUORUM
            isolate s1
            unreachable s2 s1
            unreachable s3 s1
            timeout s2
            stabilize
            propose s2 x 1
            flush s2
            stabilize
            query s1
            flush s1
            stabilize
            """, runner -> assertThat(runner.queryResult(2)).isNull()));

        // s2 leads term 2 and is cut off; s1 leads term 3 with s3 and commits b=2, then loses its log's tail and its
        // term and vote: its log says term 2. s2 reaches it again while s3 is cut off. Acknowledging s2's query round
        // would give s2 a quorum for a read without b=2 (simulation seed 7076169).
        CASES.put(Bug.LOST_TERM_ACKS_UNCOMMITTED, new Case("read reflects prior commits", LEADER_S1 + """
            transfer s1 s2
            stabilize
            isolate s2
            unreachable s1 s2
            unreachable s3 s2
            timeout s1
            stabilize
            propose s1 b 2
            flush s1
            stabilize
            damage s1 keep=2 term-and-vote-lost
            bug s1 LOST_TERM_ACKS_UNCOMMITTED
            heal
            isolate s3
            query s2
            flush s2
            stabilize
            """, runner -> assertThat(runner.queryResult(3)).as("s2's read is not answered").isNull()));

        // s2 is removed and added back under the same id, empty; s5, removed without learning it and as far behind as
        // s4, counts the new s2 as the old one, which helped commit x=1 (simulation seed 7902468).
        CASES.put(Bug.JOINED_MEMBER_IGNORES_ITS_JOIN, new Case("leader completeness", scenarioCommands(
            "member_added_back_under_same_id_bug_is_caught.txt"),
            runner -> assertThat(runner.core("s5").role()).isNotEqualTo(RaftRole.LEADER)));

        // The new s2 holds only the first entry, whose configuration names the old s2 as a voter; s4 and s5 lag as far
        // (simulation seed 18658696).
        CASES.put(Bug.JOINED_MEMBER_CAMPAIGNS_WITHOUT_ITS_JOIN, new Case("leader completeness", scenarioCommands(
            "member_added_back_campaigns_after_its_join_bug_is_caught.txt"),
            runner -> assertThat(runner.core("s2").role()).isNotEqualTo(RaftRole.LEADER)));

        CASES.put(Bug.COMMIT_OLD_TERM_ENTRIES, new Case("leader completeness", scenarioCommands(
            "figure8_bug_is_caught.txt"), runner -> assertThat(runner.core("s5").role()).isEqualTo(RaftRole.LEADER)));
    }

    @Test
    void everyBugHasADirectedScenario()
    {
        assertThat(CASES.keySet()).containsExactlyInAnyOrder(Bug.values());
    }

    @Test
    void everyBugIsCaughtByAPropertyCheck()
    {
        final List<String> failures = new ArrayList<>();
        for (final Map.Entry<Bug, Case> entry : CASES.entrySet())
        {
            final Case scenario = entry.getValue();
            final ScenarioRunner broken = run(scenario.script(), true);
            if (broken.safetyProblems().stream().noneMatch(p -> p.startsWith(scenario.property())))
            {
                failures.add(entry.getKey() + ": expected '" + scenario.property() + "', saw " +
                    broken.safetyProblems());
            }
        }
        assertThat(failures).as("bugs not caught by their property").isEmpty();
    }

    @Test
    void correctCoreKeepsEveryPropertyInTheseScenarios()
    {
        for (final Bug bug : CASES.keySet())
        {
            assertCorrectRun(bug);
        }
    }

    @Test
    void leaderStepsDownOnAReplyWithAHigherTerm()
    {
        assertCorrectRun(Bug.LEADER_IGNORES_HIGHER_TERM_REPLY);
    }

    @Test
    void promotableMembersDoNotCountTowardsCommit()
    {
        assertCorrectRun(Bug.COMMIT_COUNTS_PROMOTABLE);
    }

    @Test
    void oneConfigurationChangeAtATime()
    {
        assertCorrectRun(Bug.TWO_CONFIG_CHANGES_IN_FLIGHT);
    }

    private static void assertCorrectRun(final Bug bug)
    {
        final Case scenario = CASES.get(bug);
        final ScenarioRunner correct = run(scenario.script(), false);
        assertThat(correct.safetyProblems()).as("the correct core in the scenario for %s", bug).isEmpty();
        try
        {
            scenario.correctRun().accept(correct);
        }
        catch (final AssertionError e)
        {
            throw new AssertionError("the correct core in the scenario for " + bug + ": " + e.getMessage(), e);
        }
    }

    @Test
    void aVoteLostInACrashBetweenReplyAndPersistIsCaughtAsSuch()
    {
        final ScenarioRunner broken = run(CASES.get(Bug.VOTE_REPLY_BEFORE_PERSIST).script(), true);
        assertThat(broken.core("s1").role()).isEqualTo(RaftRole.LEADER);
        assertThat(broken.safetyProblems()).anyMatch(p -> p.startsWith("leader elected by persisted votes"));
    }

    @Test
    void figure8LeaderDoesNotCommitAnOldTermEntryByCountingReplicas()
    {
        final List<String> commands = scenarioCommands("figure8_old_term_entries.txt").lines().toList();
        final int firstState = commands.indexOf("state");
        final ScenarioRunner runner = new ScenarioRunner();
        commands.subList(0, firstState).forEach(runner::run);
        // s1 leads term 3 and 1/2 is on s1, s2 and s3, a majority of five; 3/3 is only on s1 and s2.
        final ServerCore s1 = runner.core("s1");
        assertThat(s1.role()).isEqualTo(RaftRole.LEADER);
        assertThat(s1.currentTerm()).isEqualTo(3);
        for (final String holder : List.of("s1", "s2", "s3"))
        {
            assertThat(runner.core(holder).termAt(2)).as("1/2 on %s", holder).isEqualTo(1);
        }
        assertThat(s1.commitIndex()).as("1/2 is not committed by counting").isEqualTo(1);

        commands.subList(firstState, commands.size()).forEach(runner::run);
        // s5 was elected without 1/2 and may overwrite it: it was never committed, so nothing was lost.
        assertThat(runner.core("s5").role()).isEqualTo(RaftRole.LEADER);
        assertThat(runner.core("s5").termAt(2)).isEqualTo(2);
        assertThat(runner.safetyProblems()).isEmpty();
    }

    private static ScenarioRunner run(final String script, final boolean withBug)
    {
        final ScenarioRunner runner = new ScenarioRunner();
        for (final String line : script.lines().map(String::trim).toList())
        {
            if (line.isEmpty() || (!withBug && line.startsWith("bug ")))
            {
                continue;
            }
            try
            {
                runner.run(line);
            }
            catch (final RuntimeException e)
            {
                throw new AssertionError("'" + line + "' failed " + (withBug ? "with" : "without") + " the bug in:\n" +
                    script + "problems so far: " + runner.safetyProblems(), e);
            }
        }
        return runner;
    }

    /**
     * @return the commands of a scenario file, one a line, without its comments and recorded output.
     */
    private static String scenarioCommands(final String file)
    {
        final String text;
        try (InputStream in = MutationsCaughtTest.class.getResourceAsStream("/scenarios/" + file))
        {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot read scenario " + file, e);
        }
        final StringBuilder commands = new StringBuilder();
        boolean inOutput = false;
        for (final String line : text.lines().toList())
        {
            if (line.isBlank())
            {
                inOutput = false;
            }
            else if (line.equals("----"))
            {
                inOutput = true;
            }
            else if (!inOutput && !line.startsWith("#"))
            {
                commands.append(line).append('\n');
            }
        }
        return commands.toString();
    }

    private static List<String> names(final List<Member> members)
    {
        return members.stream().map(m -> m.id().name()).toList();
    }

    private static int configEntriesAbove(final ServerCore core, final long index)
    {
        int count = 0;
        for (long i = index + 1; i <= core.lastIndex(); i++)
        {
            final LogEntry entry = core.entryAt(i);
            if (entry.payload() instanceof EntryPayload.ClusterChange)
            {
                count++;
            }
        }
        return count;
    }
}
