package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.lease.Lease;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The background search for the nodes of creates given up after an unknown outcome
 * ({@link TreeClient#deleteWhenCreated}), which goes on until such a node shows up or the session ends.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GivenUpCreatesTest
{
    private static final int GIVEN_UP = 40;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * Each given-up create had a search of its own, each reading the parent's children (and the session) every two
     * seconds for as long as the session lives when its create was never applied: a long-lived session that gave up
     * creates through every election of a flaky cluster kept adding searches, and load on the leader, without bound.
     * The searches of one parent and session are now one.
     */
    @Test
    void theGivenUpCreatesOfOneParentAndSessionAreLookedForByOneSearch()
    {
        try (TreeWorld world = new TreeWorld())
        {
            final ServerId leader = world.cluster().awaitLeader();
            final TreeClient tree = world.clientOn(leader.node());
            tree.ensurePath("/locks/l");
            try (Lease session = tree.openSession(Duration.ofSeconds(60), () -> { }))
            {
                for (int i = 0; i < GIVEN_UP; i++)
                {
                    tree.deleteWhenCreated("/locks/l", "_c_never-" + i + "-lock-", session.id());
                }

                assertThat(tree.pendingBackgroundWork()).as("background searches waiting").isLessThanOrEqualTo(1);
                // Two of the creates applied after all: the one search finds and deletes both.
                for (final int late : new int[] {3, GIVEN_UP - 1})
                {
                    assertThat(tree.create("/locks/l/_c_never-" + late + "-lock-", "", CreateMode.EPHEMERAL_SEQUENTIAL,
                        session.id())).isInstanceOf(TreeReply.Created.class);
                }
                InJvmCluster.await(() -> tree.getChildren("/locks/l").orElseThrow().isEmpty(), WAIT,
                    "the nodes of the given-up creates deleted");
            }
        }
    }
}
