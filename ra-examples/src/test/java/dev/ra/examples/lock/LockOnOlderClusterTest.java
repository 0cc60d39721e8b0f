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
 * A cluster held at an older machine version by a member not yet upgraded refuses the commands it does not know
 * before the log (the numbered ones below version 2, the release carrying a request id below version 1); the client
 * then sends the older commands, and the lock is taken, cancelled and released as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockOnOlderClusterTest
{
    @Test
    void releaseFallsBackToThePlainCommand()
    {
        fallsBack(0);
    }

    @Test
    void numberedCommandsFallBackToThoseOfVersionOne()
    {
        fallsBack(1);
    }

    private static void fallsBack(final int olderVersion)
    {
        try (ToolboxCluster world = ToolboxCluster.start("locks", (node, builder) -> builder
            .registerMachine("locks", () ->
            {
                final LockMachine machine = new LockMachine(ReleaseCursorPolicy.every(8));
                return "n3".equals(node) ? new OlderBuild<>(machine, olderVersion) : machine;
            })))
        {
            world.awaitLeader();
            final LockClient locks = new LockClient(world.system("n1"), world.members());
            final RaProcess owner = world.spawn(m -> { });

            assertThat(locks.acquire("k", owner.ref())).isInstanceOf(LockReply.Acquired.class);
            assertThat(locks.release("k", owner.ref())).isTrue();
            assertThat(locks.release("k", owner.ref())).isFalse();
            final RaProcess waiter = world.spawn(m -> { });
            assertThat(locks.acquire("k", owner.ref())).isInstanceOf(LockReply.Acquired.class);
            assertThat(locks.acquire("k", waiter.ref())).isEqualTo(new LockReply.Queued(1));
            assertThat(locks.cancel("k", waiter.ref())).isTrue();
        }
    }
}
