package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.examples.support.HookedApply;
import dev.ra.examples.support.StaleCommand;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A re-registration of the client's watches that fails (here answered stale, as when the cluster no longer knew the
 * call: {@code CommandOutcomeUnknownException}) after the event of a change was lost: nothing else asks the client to
 * register again while the leader stays, so the client must try again itself, or its one-shot watch, which the
 * machine fired already, never fires on the client.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeReregistrationFailedTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LOST = "its event lost";

    @Test
    void aFailedReregistrationIsSentAgainAndTheWatchFires()
    {
        try (TreeWorld world = TreeWorld.running(machine -> new HookedApply<>(machine, new Losing())))
        {
            final ServerId leader = world.cluster().awaitLeader();
            final TreeClient tree = world.clientOn(leader.node());
            tree.cluster().<Object>command(new TreeOp.Create("/w", "0", CreateMode.PERSISTENT, 0), true);
            final Queue<TreeWatchMessage.Event> seen = new ConcurrentLinkedQueue<>();
            assertThat(tree.getData("/w", seen::add)).isInstanceOf(TreeReply.NodeData.class);
            final ProcessRef watcher = world.watches(leader.node()).watchers().get(0);
            tree.cluster().<Object>command(new TreeOp.SetData("/w", LOST, TreeOp.ANY_VERSION), true);

            // What a new leader sends every watcher; the first re-registration is answered stale.
            world.cluster().system(leader.node()).send(watcher, new TreeWatchMessage.Resync(0));

            InJvmCluster.await(() -> seen.isEmpty() ? null : Boolean.TRUE, WAIT,
                "the watch to fire with the change whose event was lost");
        }
    }

    /**
     * Loses the events of the change to {@link #LOST} (as a leader dying before it sent them would), and answers the
     * first numbered re-registration each member applies stale without applying it. Every member decides alike.
     */
    private static final class Losing implements HookedApply.Hook<TreeMachineCommand, TreeState>
    {
        private boolean refused;

        @Override
        public ApplyResult<TreeState> apply(final CommandMeta meta, final TreeMachineCommand command,
            final TreeState state, final StateMachine<TreeMachineCommand, TreeState> machine)
        {
            if (!refused && command instanceof NumberedWrite numbered &&
                numbered.write() instanceof TreeCommand.Reregister)
            {
                refused = true;
                return ApplyResult.of(state, new StaleCommand(numbered.number(), numbered.number().number() + 1));
            }
            final ApplyResult<TreeState> result = machine.apply(meta, command, state);
            if (command instanceof TreeOp.SetData set && LOST.equals(set.data()))
            {
                return new ApplyResult<>(result.state(), result.reply(), result.effects().stream()
                    .filter(effect -> !(effect instanceof Effect.SendMsg)).toList());
            }
            return result;
        }
    }
}
