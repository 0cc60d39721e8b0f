package dev.ra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.KvMachine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ra.node.servers.restart.failed} counts the stored servers the node could not restart (its machine not
 * registered, its configuration damaged), so that an alert fires on a member missing from its cluster; it goes back
 * down once such a server is restarted or deleted. No meter showed them: {@code ra.node.servers} counts only the
 * servers that run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailedRestartMetricsTest
{
    private static final ServerId HEALTHY = new ServerId("healthy", "a");
    private static final ServerId PLUGIN = new ServerId("plugin", "a");
    private static final ServerId DAMAGED = new ServerId("damaged", "a");

    @Test
    void aGaugeCountsTheStoredServersThatDidNotRestart()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .registerMachine("kv-plugin", KvMachine::new).closeStorage(false).build())
            {
                first.startCluster("healthy", new KvMachine(), List.of(HEALTHY));
                first.startCluster("plugin", "kv-plugin", List.of(PLUGIN));
                first.startCluster("damaged", new KvMachine(), List.of(DAMAGED));
            }
            final byte[] configuration = configuration(storage, DAMAGED, null);
            configuration(storage, DAMAGED, ofANewerRelease(configuration));

            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .build();
                RaMetrics metrics = new RaMetrics(second))
            {
                final SimpleMeterRegistry registry = new SimpleMeterRegistry();
                metrics.bindTo(registry);
                final Gauge failed = registry.get("ra.node.servers.restart.failed").tag("node", "a").gauge();
                assertThat(failed.value()).isEqualTo(2.0);
                assertThat(registry.get("ra.node.servers").gauge().value()).isEqualTo(1.0);

                configuration(storage, DAMAGED, configuration);
                second.restartServer(DAMAGED);
                metrics.refresh();
                assertThat(failed.value()).isEqualTo(1.0);

                second.forceDeleteServer(PLUGIN);
                metrics.refresh();
                assertThat(failed.value()).isZero();
            }
        }
    }

    /**
     * @return the server's stored configuration, replaced by {@code replacement} if that is not null.
     */
    private static byte[] configuration(final InMemoryStorage storage, final ServerId server, final byte[] replacement)
    {
        try (ServerStorage stored = storage.open(server, new NoLogListener()))
        {
            final byte[] before = stored.meta().serverConfig();
            if (null != replacement)
            {
                stored.meta().storeServerConfig(replacement);
            }
            return before;
        }
    }

    @SuppressWarnings("unchecked")
    private static byte[] ofANewerRelease(final byte[] configuration)
    {
        final List<Object> fields = new ArrayList<>((List<Object>)Codecs.generic().fromBytes(configuration));
        fields.set(0, 3);
        return Codecs.generic().toBytes(fields);
    }

    /** Ignores what the log reports: the test writes no entry. */
    private static final class NoLogListener implements LogListener
    {
        @Override
        public void onWritten(final long index, final long term)
        {
        }

        @Override
        public void onFailure(final Throwable cause)
        {
        }
    }
}
