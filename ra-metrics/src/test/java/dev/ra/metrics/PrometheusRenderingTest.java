package dev.ra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a Prometheus scrape of a bound registry shows (as the admin endpoint serves it): the histograms as
 * {@code _count}, {@code _sum} and cumulative {@code le} buckets, the counters as {@code _total}, and a server started
 * after binding in the next scrape, without any call to {@link RaMetrics#refresh}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrometheusRenderingTest
{
    @Test
    void aScrapeShowsHistogramsCountersAndServersStartedAfterBinding() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            final RaMetrics metrics = RaMetrics.builder(cluster.first()).refreshInterval(Duration.ofMillis(10)).build();
            metrics.bindTo(registry);
            assertThat(registry.scrape()).contains("ra_node_servers{node=\"n1\"} 0");

            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            cluster.awaitLeader(members, Duration.ofSeconds(30));
            cluster.first().processCommand(members.get(0), new KvMachine.Put("k", "v"));
            final String server = "cluster=\"kv\",node=\"n1\",server=\"kv@n1\"";
            final List<String> expected = List.of(
                "ra_server_commit_index{" + server + "}",
                "ra_server_commands_total{" + server + "}",
                "ra_server_role{" + server.replace(",server", ",role=\"leader\",server"),
                "ra_server_apply_seconds_count{" + server + "}",
                "ra_server_apply_seconds_sum{" + server + "}",
                "ra_server_apply_buckets_total{" + server.replace(",node", ",le=\"0.001\",node"),
                "ra_calls_seconds_count{kind=\"command\",node=\"n1\"} 1",
                "ra_calls_buckets_total{kind=\"command\",le=\"+Inf\",node=\"n1\"} 1",
                "ra_calls_buckets_total{kind=\"command\",le=\"0.00001\",node=\"n1\"}",
                "ra_calls_timeouts_total{kind=\"command\",node=\"n1\"} 0",
                "ra_node_servers{node=\"n1\"} 1");
            // A scrape refreshes at most once per refresh interval and waits at most 1 s for a server's overview, and
            // a meter registered on one refresh (the apply buckets) may only show from the next: on a busy machine
            // one scrape may come too early or without the server, so scrape until one shows all of them.
            final String scrape = InJvmCluster.await(() ->
            {
                final String text = registry.scrape();
                return expected.stream().allMatch(text::contains) ? text : null;
            }, Duration.ofSeconds(60), "a scrape showing kv@n1 and the command");
            for (final String line : expected)
            {
                assertThat(scrape).contains(line);
            }
            metrics.close();
            assertThat(registry.scrape()).doesNotContain("ra_");
        }
    }
}
