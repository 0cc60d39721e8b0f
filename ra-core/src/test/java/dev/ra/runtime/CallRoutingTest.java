package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ClusterUnavailableException;
import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a call goes when the member it addresses knows no leader, and how a command that no leader took fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallRoutingTest
{
    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aCallToAMemberThatKnowsNoLeaderIsTakenByTheLeaderTheOthersFollow()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId lost = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final ServerId other = members.stream().filter(m -> !m.equals(leader) && !m.equals(lost)).findFirst()
            .orElseThrow();
        // The lost member stops hearing the leader: it gives it up and campaigns in vain (the others still follow
        // it), so it knows no leader while the majority has one.
        cluster.network().cutOneWay(leader.node(), lost.node());
        InJvmCluster.await(() -> null == cluster.system(lost).overview(lost).leader(), Duration.ofSeconds(10),
            "the lost member to give up its leader");

        final CommandResult<Object> result = cluster.system(other).processCommand(lost,
            new KvMachine.Put("a", "1"), Duration.ofSeconds(5));

        assertThat(result.leader()).isEqualTo(leader);
    }

    @Test
    void aCommandThatNoLeaderTookFailsDefinitelyAtItsTimeout()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId survivor = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        for (final ServerId member : members)
        {
            if (!member.equals(survivor))
            {
                cluster.stopNode(member.node());
            }
        }
        final RaSystem node = cluster.system(survivor);
        InJvmCluster.await(() -> null == node.overview(survivor).leader(), Duration.ofSeconds(10),
            "the survivor to give up its leader");

        assertThatThrownBy(() -> node.processCommand(survivor, new KvMachine.Put("a", "1"), Duration.ofMillis(500)))
            .isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("not applied");
    }
}
