package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A leader stopped in order hands its leadership to its most up-to-date voter with TimeoutNow before it stops: that
 * voter campaigns at once, without a pre-vote, in the next term.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderHandOverTest
{
    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void stoppingTheLeaderHandsItsLeadershipToAnUpToDateVoter()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final RaSystem leaderNode = cluster.system(leader);
        leaderNode.processCommand(leader, new KvMachine.Put("a", "1"));
        final long term = leaderNode.overview(leader).currentTerm();
        final Map<ServerId, Long> preVotes = new HashMap<>();
        for (final ServerId member : members)
        {
            if (!member.equals(leader))
            {
                preVotes.put(member, cluster.system(member).overview(member).counters().get("pre_votes"));
            }
        }

        leaderNode.stopServer(leader);

        final List<ServerId> others = members.stream().filter(m -> !m.equals(leader)).toList();
        final ServerId next = cluster.awaitLeader(others, Duration.ofSeconds(10));
        final ServerOverview overview = cluster.system(next).overview(next);
        assertThat(overview.currentTerm()).as("elected in the next term").isEqualTo(term + 1);
        assertThat(overview.counters().get("pre_votes")).as("campaigned on TimeoutNow, without a pre-vote")
            .isEqualTo(preVotes.get(next));
        assertThat(cluster.system(next).processCommand(next, new KvMachine.Put("b", "2")).leader()).isEqualTo(next);
    }
}
