package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.examples.support.ClientSequences;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TreeClient#removeWatches}, and the re-registration {@link ClientWatches} answers a
 * {@link TreeWatchMessage.Resync} with, through a real leader at machine version 5: sent numbered, their replies
 * remembered with the client's calls (so that a copy of one landing late changes nothing,
 * {@link TreeWatchLateAttemptTest}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeWatchCallsNumberedTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

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

    @Test
    void aReregistrationIsANumberedCall()
    {
        try (TreeWorld world = new TreeWorld())
        {
            final ServerId leader = world.cluster().awaitLeader();
            final TreeClient tree = world.clientOn(leader.node());
            tree.cluster().<Object>command(new TreeOp.Create("/w", "", CreateMode.PERSISTENT, 0), true);
            assertThat(tree.getData("/w", event -> { })).isInstanceOf(TreeReply.NodeData.class);
            final ProcessRef watcher = world.watches(leader.node()).watchers().get(0);

            // What a new leader sends every watcher.
            world.cluster().system(leader.node()).send(watcher, new TreeWatchMessage.Resync(0));

            InJvmCluster.await(() ->
            {
                final ServerId now = world.cluster().awaitLeader();
                final ClientSequences sequences = world.cluster().system(now.node())
                    .<TreeState, ClientSequences>localQuery(now, TreeState::sequences).result();
                return sequences.clients().values().stream().anyMatch(calls -> calls.replies().stream()
                    .anyMatch(reply -> reply.value() instanceof TreeReply.WatchSet)) ? Boolean.TRUE : null;
            }, WAIT, "the re-registration's reply among the client's calls");
        }
    }
}
