package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaTimeoutException;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TreeClient#ensurePath} makes its look and all its creates within the client's one timeout, so a slow create
 * leaves the next ones less time: when the time runs out, the failure names the create and the path.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeEnsurePathDeadlineTest
{
    /** How long a command takes at least to commit; a query goes at full speed. */
    private static final Duration SYNC = Duration.ofSeconds(1);

    @Test
    void aPathWhoseCreatesOutlastTheClientsTimeoutFailsNamingTheCreateThatRanOutOfTime()
    {
        try (TreeWorld world = TreeWorld.withSyncDelay(SYNC))
        {
            final ToolboxCluster cluster = world.cluster();
            final String leader = cluster.awaitLeader().node();
            // Less than two commits' time: of the three creates on the way, one at least runs out of it.
            try (TreeClient tree = new TreeClient(new ClusterClient(cluster.system(leader), cluster.members(),
                SYNC.plus(SYNC.dividedBy(2)), Duration.ofMillis(200))))
            {
                assertThatThrownBy(() -> tree.ensurePath("/a/b/c"))
                    .isInstanceOf(RaTimeoutException.class)
                    .hasMessageContaining("ensurePath('/a/b/c')")
                    .hasMessageMatching("(?s).*at the create of '/a(/b(/c)?)?'.*");
            }
        }
    }
}
