package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandResult;
import dev.ra.QueryResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandsAndQueriesTest
{
    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void startClusterElectsALeaderAndProcessCommandRepliesAfterConsensus()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final RaSystem n1 = cluster.first();

        final CommandResult<String> first = n1.processCommand(members.get(0), new KvMachine.Put("a", "1"));
        final CommandResult<String> second = n1.processCommand(members.get(0), new KvMachine.Put("a", "2"));

        assertThat(first.reply()).isNull();
        assertThat(second.reply()).isEqualTo("1");
        assertThat(second.leader()).isIn(members);
        assertThat(n1.members(members.get(1))).containsExactlyInAnyOrderElementsOf(members);
    }

    @Test
    void commandsSentToAFollowerAreRedirectedToTheLeader()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();

        final CommandResult<String> result = cluster.system(follower).processCommand(follower,
            new KvMachine.Put("k", "v"));

        assertThat(result.leader()).isEqualTo(leader);
    }

    @Test
    void consistentQueryOnAFollowerSeesEveryAcknowledgedWrite()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem followerNode = cluster.system(follower);

        for (int i = 0; i < 20; i++)
        {
            followerNode.processCommand(follower, new KvMachine.Put("k", "v" + i));
            final QueryResult<String> read = followerNode.consistentQuery(follower,
                (Map<String, String> state) -> state.get("k"));
            assertThat(read.result()).isEqualTo("v" + i);
        }
    }

    @Test
    void localQueryWithAnAppliedConditionReadsYourWrites()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        cluster.system(leader).processCommand(leader, new KvMachine.Put("x", "1"));
        final QueryResult<String> atLeader = cluster.system(leader).localQuery(leader,
            (Map<String, String> s) -> s.get("x"));

        final QueryResult<String> atFollower = cluster.system(follower).localQuery(follower,
            (Map<String, String> s) -> s.get("x"), atLeader.index(), atLeader.term(), Duration.ofSeconds(5));

        assertThat(atFollower.result()).isEqualTo("1");
        assertThat(atFollower.index()).isGreaterThanOrEqualTo(atLeader.index());
    }

    @Test
    void leaderQueryRunsOnStateAtLeastAsRecentAsTheLeaders()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        cluster.system(leader).processCommand(leader, new KvMachine.Put("y", "2"));

        final QueryResult<String> read = cluster.system(follower).leaderQuery(follower,
            (Map<String, String> s) -> s.get("y"));

        assertThat(read.result()).isEqualTo("2");
    }
}
