package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster held at machine version 0 by a member not yet upgraded refuses the release that carries a request id;
 * the client then sends the plain release, and the lock is released as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockOnOlderClusterTest
{
    @Test
    void releaseFallsBackToThePlainCommand()
    {
        try (ToolboxCluster world = ToolboxCluster.start("locks", (node, builder) -> builder
            .registerMachine("locks", () ->
            {
                final LockMachine machine = new LockMachine(ReleaseCursorPolicy.every(8));
                return "n3".equals(node) ? new OlderBuild<>(machine, 0) : machine;
            })))
        {
            world.awaitLeader();
            final LockClient locks = new LockClient(world.system("n1"), world.members());
            final RaProcess owner = world.spawn(m -> { });

            assertThat(locks.acquire("k", owner.ref())).isInstanceOf(LockReply.Acquired.class);
            assertThat(locks.release("k", owner.ref())).isTrue();
            assertThat(locks.release("k", owner.ref())).isFalse();
        }
    }
}
