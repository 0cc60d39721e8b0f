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
 * A cluster held at machine version 0 by a member not yet upgraded refuses the joins and leaves that carry a request
 * id; the client then sends the plain ones, and joining and leaving work as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupOnOlderClusterTest
{
    @Test
    void joinAndLeaveFallBackToThePlainCommands()
    {
        try (ToolboxCluster world = ToolboxCluster.start("groups", (node, builder) -> builder
            .registerMachine("groups", () ->
            {
                final GroupMachine machine = new GroupMachine(ReleaseCursorPolicy.every(8));
                return "n3".equals(node) ? new OlderBuild<>(machine, 0) : machine;
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
