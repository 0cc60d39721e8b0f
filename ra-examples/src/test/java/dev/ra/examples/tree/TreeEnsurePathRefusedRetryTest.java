package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.SwitchNotYetApplied;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A create of {@link TreeClient#ensurePath} whose first attempt's outcome is unknown (its reply came after the
 * attempt's time) and whose retry is refused before the log (a leader elected since has not applied the switch to
 * machine version 4): a numbered call then ends as an unknown outcome, but a persistent node on the way is made by
 * sending the create again, which answers {@code NodeExists} if the first attempt made it, as before the creates were
 * numbered.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeEnsurePathRefusedRetryTest
{
    @Test
    void aCreateOnTheWayWhoseRetryIsRefusedAfterAnUnknownOutcomeIsSentAgain()
    {
        try (TreeWorld world = TreeWorld.running(machine ->
            SwitchNotYetApplied.refusingFromTheFirstRetry(machine, NumberedWrite.class)))
        {
            final ToolboxCluster cluster = world.cluster();
            final String leader = cluster.awaitLeader().node();
            // A client on another node than the leader's: only the caller's node encodes the command.
            final String caller = cluster.followerNode();
            final TreeClient tree = new TreeClient(new ClusterClient(cluster.system(caller), cluster.members(),
                Duration.ofSeconds(60), Duration.ofMillis(300)));
            try
            {
                // Made at full speed, so that the client knows the leader, which then answers the path's last create.
                tree.ensurePath("/services");
                // The leader's answers come after an attempt's first time: the create's retry is the one refused.
                cluster.network().delay(leader, caller, Duration.ofSeconds(1));
                try
                {
                    tree.ensurePath("/services/api");
                }
                finally
                {
                    cluster.network().delay(leader, caller, Duration.ZERO);
                }

                assertThat(tree.exists("/services/api")).isPresent();
            }
            finally
            {
                tree.close();
            }
        }
    }
}
