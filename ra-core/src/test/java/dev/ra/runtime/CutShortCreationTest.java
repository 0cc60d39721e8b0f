package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A crash while a server is created, after its storage exists but before its configuration is stored, leaves a server
 * that can be neither restarted (it has no configuration) nor started as new (it has stored state). It never ran and
 * holds nothing: the restart's error says so and what to do, and doing it works.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CutShortCreationTest
{
    private static final ServerId SERVER = new ServerId("kv", "n1");

    @Test
    void aServerWhoseCreationWasCutShortIsNamedWithTheWayOut()
    {
        try (InJvmNetwork network = new InJvmNetwork(); InMemoryStorage storage = new InMemoryStorage())
        {
            // What a crash part way through the creation leaves: storage, with no configuration stored.
            storage.open(SERVER, new LogListener()
            {
                @Override
                public void onWritten(final long index, final long term)
                {
                }

                @Override
                public void onFailure(final Throwable cause)
                {
                }
            }).close();
            try (RaSystem node = InJvmCluster.testDefaults(RaSystem.builder().nodeId("n1")
                .transport(network.newTransport()).storage(storage)).build())
            {
                assertThatThrownBy(() -> node.restartServer(SERVER)).hasMessageContaining(SERVER.toString())
                    .hasMessageContaining("creation was cut short").hasMessageContaining("forceDeleteServer");
                assertThatThrownBy(() -> node.startCluster("kv", new KvMachine(), List.of(SERVER)))
                    .hasMessageContaining("already has stored state");

                node.forceDeleteServer(SERVER);
                assertThat(node.startCluster("kv", new KvMachine(), List.of(SERVER))).isEqualTo(SERVER);
            }
        }
    }
}
