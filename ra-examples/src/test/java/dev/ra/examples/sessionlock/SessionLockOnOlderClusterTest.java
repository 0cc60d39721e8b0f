package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.examples.lock.LockReply;
import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster held at an older machine version by a member not yet upgraded refuses the commands it does not know
 * before the log (the numbered ones below version 5, the release carrying a request id below version 4); the client
 * then sends the older commands, and the lock is taken, cancelled and released as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionLockOnOlderClusterTest
{
    @Test
    void numberedCommandsFallBackToThoseOfVersionFour()
    {
        fallsBack(4);
    }

    @Test
    void numberedCommandsFallBackToThePlainOnesOfVersionThree()
    {
        fallsBack(3);
    }

    private static void fallsBack(final int olderVersion)
    {
        try (ToolboxCluster world = ToolboxCluster.start("slocks", (node, builder) -> builder
            .registerMachine("slocks", () ->
            {
                final SessionLockMachine machine = new SessionLockMachine(Duration.ofSeconds(5),
                    ReleaseCursorPolicy.every(8));
                return "n3".equals(node) ? new OlderBuild<>(machine, olderVersion) : machine;
            })))
        {
            world.awaitLeader();
            final SessionLockClient locks = new SessionLockClient(world.system("n1"), world.members());
            final RaProcess owner = world.spawn(m -> { });
            final RaProcess waiter = world.spawn(m -> { });

            assertThat(locks.acquire("k", owner.ref())).isInstanceOf(LockReply.Acquired.class);
            assertThat(locks.acquire("k", waiter.ref())).isEqualTo(new LockReply.Queued(1));
            assertThat(locks.cancel("k", waiter.ref())).isTrue();
            assertThat(locks.release("k", owner.ref())).isTrue();
            assertThat(locks.release("k", owner.ref())).isFalse();
            assertThat(locks.lockInfo("k")).isEmpty();
        }
    }
}
