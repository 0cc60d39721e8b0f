package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.QueryResult;
import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A leader with nothing more to send delays the empty AppendEntries that tells followers the new commit index
 * ({@code commitNoticeDelay}); the runtime's timer must still deliver it. Ticks are set far apart so that only that
 * timer can bring the commit index to the followers within the test's wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommitNoticeTest
{
    private static final Duration TICK = Duration.ofSeconds(30);
    private static final Duration FOLLOWER_WAIT = Duration.ofSeconds(10);

    @Test
    void followersApplyALoneCommandOnceTheNoticeDelayHasPassedWithoutWaitingForATick()
    {
        try (InJvmCluster cluster = new InJvmCluster(3, builder -> builder.tickInterval(TICK)
            .commitNoticeDelay(Duration.ofMillis(20))))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
            cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v"));
            final QueryResult<String> onLeader = cluster.system(leader).localQuery(leader,
                (Map<String, String> state) -> state.get("k"));

            for (final ServerId follower : members)
            {
                if (follower.equals(leader))
                {
                    continue;
                }
                final QueryResult<String> read = cluster.system(follower).localQuery(follower,
                    (Map<String, String> state) -> state.get("k"), onLeader.index(), onLeader.term(), FOLLOWER_WAIT);
                assertThat(read.result()).as("state on %s", follower).isEqualTo("v");
            }
        }
    }

    @Test
    void theDelayMustBeNonNegativeAndBelowTheElectionTimeout()
    {
        assertThatThrownBy(() -> RaSystem.builder().commitNoticeDelay(Duration.ofMillis(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        try (InJvmNetwork network = new InJvmNetwork(); InMemoryStorage storage = new InMemoryStorage())
        {
            final RaSystemBuilder builder = RaSystem.builder().nodeId("x").transport(network.newTransport())
                .storage(storage).electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200))
                .commitNoticeDelay(Duration.ofMillis(100));
            assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("election timeout");
        }
    }
}
