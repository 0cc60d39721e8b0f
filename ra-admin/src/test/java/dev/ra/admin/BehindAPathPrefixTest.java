package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An endpoint served by a reverse proxy under a path prefix ({@code https://ops.example/ra/n2/}): its peers reach it
 * there, and its live view works there.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BehindAPathPrefixTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * The peer's URL lost its path ({@code uri.resolve("/status...")}): n1 asked the proxy for {@code /status}, which
     * it does not serve, and never showed n2's member with its own numbers.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aPeerBehindAPathPrefixIsAskedUnderThatPrefix() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(2);
            AdminServer n2 = AdminServer.builder().system(cluster.system("n2")).build())
        {
            cluster.awaitLeader(cluster.startCluster("kv", new KvMachine()), WAIT);
            n2.start();
            try (PathPrefixProxy proxy = PathPrefixProxy.start("/ra/n2/", n2.url());
                AdminServer n1 = AdminServer.builder().system(cluster.system("n1"))
                    .peer("n2", proxy.url() + "ra/n2").build())
            {
                n1.start();
                InJvmCluster.await(() ->
                {
                    final Map<String, Object> status = (Map<String, Object>)JsonReader.read(get(n1.url() + "status"));
                    final Map<String, Object> kv = ((List<Map<String, Object>>)status.get("clusters")).get(0);
                    return ((List<Map<String, Object>>)kv.get("members")).stream()
                        .anyMatch(m -> "kv@n2".equals(m.get("id")) && "peer".equals(m.get("source"))) ? kv : null;
                }, WAIT, "n1's status to show kv@n2 as its endpoint, behind the proxy's /ra/n2/, reported it");
            }
        }
    }

    /**
     * The page asked for {@code /live-view.js}, {@code /live-view.css} and {@code /status} from the root: behind a
     * proxy that serves it under a prefix it got none of them and showed nothing.
     */
    @Test
    void theLiveViewWorksBehindAPathPrefix() throws Exception
    {
        if (Boolean.getBoolean("ra.browser.skip"))
        {
            Assumptions.abort("skipped: -Dra.browser.skip=true");
        }
        if (!HeadlessChromium.installed())
        {
            fail(HeadlessChromium.EXECUTABLE + " is missing: install Debian's chromium package (.ci/run does), or " +
                "run with -Dra.browser.skip=true to skip this test locally");
        }
        try (InJvmCluster cluster = new InJvmCluster(1);
            AdminServer n1 = AdminServer.builder().system(cluster.system("n1")).build())
        {
            final List<ServerId> kv = cluster.startCluster("kv", new KvMachine());
            cluster.awaitLeader(kv, WAIT);
            n1.start();
            try (PathPrefixProxy proxy = PathPrefixProxy.start("/ra/", n1.url());
                HeadlessChromium browser = HeadlessChromium.start(1000, 600, Path.of("target",
                    "live-view-logs", "chromium-prefix.log")))
            {
                browser.navigate(proxy.url() + "ra/");
                final long deadline = System.nanoTime() + WAIT.toNanos();
                Object shown = null;
                while (System.nanoTime() < deadline && !"kv@n1".equals(shown))
                {
                    Thread.sleep(100);
                    shown = browser.evaluate("(document.querySelector('section[data-cluster=\"kv\"]') || {dataset: " +
                        "{}}).dataset.leader || ''");
                }
                assertThat(shown).as("the leader the page behind the proxy shows").isEqualTo("kv@n1");
            }
        }
    }

    private String get(final String url)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
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
}
