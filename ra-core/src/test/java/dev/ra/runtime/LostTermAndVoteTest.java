package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaException;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.StorageState;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member whose storage lost its term and vote, across the runtime (three in-JVM nodes; n1's storage reports the
 * loss). It never votes or stands again under its identity: told to campaign, it says why, and startCluster then asks
 * the next member (brand-new members set no election timer, so before this the cluster never elected a leader: the
 * simulation found it, seed 5001939). It follows and applies but counts towards no quorum (it may have promised a later
 * term's quorum entries it lost; see StorageRecovery): with the other whole member down, the leader and it commit
 * nothing and answer no consistent query, where two of three would otherwise suffice.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LostTermAndVoteTest
{
    private final LostTermAndVoteStorage damaged = new LostTermAndVoteStorage();
    private final InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
    {
        if (node.equals("n1"))
        {
            builder.storage(damaged);
        }
    });
    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));

    @AfterEach
    void close()
    {
        cluster.close();
        damaged.close();
    }

    @Test
    void startClusterAsksTheNextMemberWhenTheFirstWillNotCampaign()
    {
        // n1 asks its own member first: it refuses, and kv@n2 is asked next.
        final ServerId leader = cluster.system("n1").startCluster("kv", new KvMachine(), members);

        assertThat(leader).isNotEqualTo(members.get(0));
        cluster.system("n1").processCommand(members.get(0), new KvMachine.Put("a", "1"));
        InJvmCluster.await(() -> "1".equals(cluster.system("n1").<Map<String, String>, String>localQuery(
            members.get(0), state -> state.get("a")).result()), Duration.ofSeconds(10), "the damaged member follows");
        assertThat(cluster.system("n1").overview(members.get(0)).storage()).as("what the operator sees of it")
            .isEqualTo(StorageState.TERM_AND_VOTE_LOST);
        assertThat(cluster.system("n2").overview(members.get(1)).storage()).isEqualTo(StorageState.WHOLE);
    }

    @Test
    void triggerElectionSaysWhyAMemberWillNotCampaign()
    {
        cluster.system("n1").startCluster("kv", new KvMachine(), members);

        assertThatThrownBy(() -> cluster.system("n1").triggerElection(members.get(0)))
            .isInstanceOf(RaException.class)
            .hasMessageContaining("kv@n1 does not campaign")
            .hasMessageContaining("lost its term and vote");
    }

    @Test
    void itAppliesButTheLeaderCannotCommitWithItAlone()
    {
        final ServerId leader = cluster.system("n1").startCluster("kv", new KvMachine(), members);
        cluster.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        InJvmCluster.await(() -> "1".equals(cluster.system("n1").<Map<String, String>, String>localQuery(
            members.get(0), state -> state.get("a")).result()), Duration.ofSeconds(10), "the damaged member applies");

        final ServerId otherWhole = members.get(1).equals(leader) ? members.get(2) : members.get(1);
        cluster.stopNode(otherWhole.node());

        assertThatThrownBy(() -> cluster.system(leader).processCommand(leader, new KvMachine.Put("b", "2"),
            Duration.ofSeconds(2))).as("the leader and the member that lost its term are not a quorum")
            .isInstanceOf(RaTimeoutException.class);
        assertThatThrownBy(() -> cluster.system(leader).<Map<String, String>, String>consistentQuery(leader,
            state -> state.get("a"), Duration.ofSeconds(2))).as("nor for a read")
            .isInstanceOf(RaTimeoutException.class);
        assertThat(cluster.system(leader).<Map<String, String>, String>localQuery(leader, state -> state.get("b"))
            .result()).as("b=2 was not applied").isNull();
    }
}
