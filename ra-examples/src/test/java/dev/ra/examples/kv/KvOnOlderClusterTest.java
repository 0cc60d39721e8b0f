package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster held at machine version 0 by a member not yet upgraded refuses the numbered writes before the log; the
 * client sends the plain ones, and every member applies them alike.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvOnOlderClusterTest
{
    @Test
    void writesFallBackToThePlainCommands()
    {
        try (ToolboxCluster world = ToolboxCluster.start("kv", (node, builder) -> builder
            .registerMachine("kv", () ->
            {
                final KvMachine machine = new KvMachine(ReleaseCursorPolicy.every(8));
                return "n3".equals(node) ? new OlderBuild<>(machine, 0) : machine;
            })))
        {
            world.awaitLeader();
            final KvClient kv = new KvClient(world.app(), world.members());

            assertThat(kv.put("k", "v1")).isInstanceOf(KvReply.Written.class);
            assertThat(kv.cas("k", "v1", "v2").swapped()).isTrue();
            assertThat(kv.cas("k", "v1", "v3").swapped()).isFalse();
            assertThat(kv.delete("k").previous()).isEqualTo("v2");
            assertThat(kv.get("k")).isEmpty();
        }
    }
}
