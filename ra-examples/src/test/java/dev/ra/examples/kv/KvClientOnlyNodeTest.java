package dev.ra.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The KV client on an application node that hosts no member of the cluster: writes and reads (through the machine's
 * named queries) work as they do on a member's node.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvClientOnlyNodeTest
{
    private final ToolboxCluster world = ToolboxCluster.start("kv", (node, builder) -> builder
        .registerMachine("kv", () -> new KvMachine(ReleaseCursorPolicy.every(8))));

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void aClientOnANodeWithoutAMemberWritesAndReads()
    {
        final KvClient kv = new KvClient(world.app(), world.members());

        final KvReply.Written written = kv.put("k", "v1");
        assertThat(kv.get("k")).contains("v1");
        assertThat(kv.cas("k", "v1", "v2").swapped()).isTrue();
        assertThat(kv.entry("k")).hasValueSatisfying(e ->
        {
            assertThat(e.value()).isEqualTo("v2");
            assertThat(e.createIndex()).isEqualTo(written.revision());
            assertThat(e.version()).isEqualTo(2);
        });
        assertThat(kv.get("absent")).isEmpty();
        // Some member's state as it is, possibly behind: nothing yet, or one of the values written.
        kv.localGet("k").ifPresent(v -> assertThat(v).isIn("v1", "v2"));
    }
}
