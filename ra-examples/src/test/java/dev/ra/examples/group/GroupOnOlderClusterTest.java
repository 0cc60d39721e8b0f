package dev.ra.examples.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster held at an older machine version by a member not yet upgraded refuses the joins and leaves it does not
 * know before the log (the numbered ones below version 2, those carrying a request id below version 1); the client
 * then sends the older ones, and joining and leaving work as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupOnOlderClusterTest
{
    @Test
    void joinAndLeaveFallBackToThePlainCommands()
    {
        fallsBack(0);
    }

    @Test
    void numberedJoinAndLeaveFallBackToThoseOfVersionOne()
    {
        fallsBack(1);
    }

    private static void fallsBack(final int olderVersion)
    {
        try (ToolboxCluster world = ToolboxCluster.start("groups", (node, builder) -> builder
            .registerMachine("groups", () ->
            {
                final GroupMachine machine = new GroupMachine(ReleaseCursorPolicy.every(8));
                return "n3".equals(node) ? new OlderBuild<>(machine, olderVersion) : machine;
            })))
        {
            world.awaitLeader();
            final GroupClient groups = new GroupClient(world.system("n1"), world.members());
            final RaProcess a = world.spawn(m -> { });

            assertThat(groups.join("g", a.ref())).isTrue();
            assertThat(groups.join("g", a.ref())).isFalse();
            assertThat(groups.members("g")).containsExactly(a.ref());
            assertThat(groups.leave("g", a.ref())).isTrue();
            assertThat(groups.leave("g", a.ref())).isFalse();
            assertThat(groups.members("g")).isEmpty();
        }
    }
}
