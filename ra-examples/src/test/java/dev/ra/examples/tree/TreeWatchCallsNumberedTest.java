package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.examples.support.ClientSequences;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TreeClient#removeWatches} through a real leader at machine version 5: sent numbered, its reply remembered
 * with the client's calls (so that a copy of it landing late changes nothing, {@link TreeWatchLateAttemptTest}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeWatchCallsNumberedTest
{
    @Test
    void aRemovalOfWatchesIsANumberedCall()
    {
        try (TreeWorld world = new TreeWorld())
        {
            final ServerId leader = world.cluster().awaitLeader();
            final TreeClient tree = world.clientOn(leader.node());
            tree.cluster().<Object>command(new TreeOp.Create("/w", "", CreateMode.PERSISTENT, 0), true);
            assertThat(tree.getData("/w", event -> { })).isInstanceOf(TreeReply.NodeData.class);

            assertThat(tree.removeWatches("/w")).isEqualTo(new TreeReply.WatchesRemoved(1));

            final ServerId now = world.cluster().awaitLeader();
            final ClientSequences sequences = world.cluster().system(now.node()).<TreeState, ClientSequences>localQuery(
                now, TreeState::sequences).result();
            assertThat(sequences.clients().values()).as("the removal's reply among the client's calls")
                .anyMatch(calls -> calls.replies().stream()
                    .anyMatch(reply -> new TreeReply.WatchesRemoved(1).equals(reply.value())));
        }
    }
}
