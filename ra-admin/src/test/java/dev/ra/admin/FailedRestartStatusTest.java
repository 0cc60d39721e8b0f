package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stored server the node could not restart (its machine not registered after an upgrade, its configuration
 * damaged) is listed by {@code /status} with why, and keeps {@code /health} from answering ready, until it is
 * restarted or deleted. Both said nothing of it: {@code /health} answered 200 while a member was missing from its
 * cluster.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailedRestartStatusTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ServerId HEALTHY = new ServerId("healthy", "a");
    private static final ServerId PLUGIN = new ServerId("plugin", "a");
    private static final ServerId DAMAGED = new ServerId("damaged", "a");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void statusListsAServerWhoseRestartFailedAndHealthIsNotReadyUntilItRunsOrIsDeleted()
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
                AdminServer admin = AdminServer.builder().system(second).build())
            {
                admin.start();
                // The healthy server leads on its own: only the servers that did not restart keep the node unready.
                InJvmCluster.await(() -> null != second.leader(HEALTHY), WAIT, "healthy to lead");
                final HttpResponse<String> health = InJvmCluster.await(() ->
                {
                    final HttpResponse<String> response = get(admin, "/health");
                    return response.body().contains("failedRestarts") ? response : null;
                }, WAIT, "/health to report the failed restarts");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(json(health)).containsEntry("ready", false).containsEntry("failedRestarts", 2L);
                final Map<String, Object> failed = failedRestarts(get(admin, "/status"));
                assertThat(failed).containsOnlyKeys("plugin@a", "damaged@a");
                assertThat((String)failed.get("plugin@a")).contains("kv-plugin");
                assertThat((String)failed.get("damaged@a")).contains("damaged@a", "version 3");
                assertThat(failedRestarts(get(admin, "/status?scope=local"))).containsOnlyKeys("plugin@a",
                    "damaged@a");

                // Repaired and restarted: no longer listed.
                configuration(storage, DAMAGED, configuration);
                second.restartServer(DAMAGED);
                InJvmCluster.await(() -> failedRestarts(get(admin, "/status")).keySet().equals(
                    Set.of("plugin@a")) ? true : null, WAIT, "/status to drop the restarted server");

                // Given up on and deleted: the node is ready again.
                second.forceDeleteServer(PLUGIN);
                final HttpResponse<String> ready = InJvmCluster.await(() ->
                {
                    final HttpResponse<String> response = get(admin, "/health");
                    return response.statusCode() == 200 ? response : null;
                }, WAIT, "/health to be ready again");
                assertThat(ready.body()).isEqualTo("{\"ready\":true}");
                assertThat(failedRestarts(get(admin, "/status"))).isEmpty();
            }
        }
    }

    private HttpResponse<String> get(final AdminServer admin, final String path)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create(admin.url()).resolve(path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(final HttpResponse<String> response)
    {
        return (Map<String, Object>)JsonReader.read(response.body());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> failedRestarts(final HttpResponse<String> status)
    {
        final Object failed = json(status).get("failedRestarts");
        assertThat(failed).as("failedRestarts in " + status.body()).isNotNull();
        return (Map<String, Object>)failed;
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
