package dev.ra.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.ra.log.FileStorage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the harness's figures with tiny durations and sizes to prove they start, finish and report. No timing
 * assertions: the numbers depend on the machine.
 */
class HarnessSmokeTest
{
    @TempDir
    Path dir;

    @BeforeAll
    static void quiet()
    {
        Harness.silenceProgress(true);
    }

    @AfterAll
    static void loud()
    {
        Harness.silenceProgress(false);
    }

    private Config tiny(final String figure)
    {
        return Config.parse(new String[] {"--figure", figure, "--runs", "1", "--warmup", "0.2", "--seconds", "0.3",
            "--data-dir", dir.toString(), "--clusters", "6", "--active-clusters", "3", "--per-cluster-in-flight", "4",
            "--idle-seconds", "0.2", "--idle-settle-seconds", "0.1", "--trials", "1", "--entries", "300",
            "--election-min-ms", "150", "--election-max-ms", "300"});
    }

    @Test
    void writeAndQueryFiguresReport()
    {
        for (final String figure : List.of("sequential", "pipelined-64", "queries"))
        {
            final List<Json> lines = Harness.run(figure, tiny(figure));
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0).toString()).contains("\"ops_s\":{\"min\":");
        }
    }

    @Test
    void thePipelinedFigureRunsWithMetricsBound()
    {
        final Config config = Config.parse(new String[] {"--figure", "pipelined-64", "--runs", "1", "--warmup", "0.2",
            "--seconds", "0.3", "--data-dir", dir.toString(), "--metrics", "true"});
        final String line = Harness.run("pipelined-64", config).get(0).toString();
        assertThat(line).contains("\"metrics\":true").contains("\"metrics_scrapes\":")
            .contains("\"ops_s\":{\"min\":");
    }

    @Test
    void floorReportsSyncAndRoundTrip()
    {
        final String line = Harness.run("floor", tiny("floor")).get(0).toString();
        assertThat(line).contains("\"fdatasync_append_4k_p50_ms\":{\"min\":").contains("\"loopback_rtt_p50_ms\":{")
            .contains("\"floor_netty_sequential_ms\":")
            .contains("\"fdatasync_append_4k_three_files_at_once_two_done_p50_ms\":{\"min\":")
            .contains("\"floor_netty_sequential_three_syncs_ms\":")
            .contains("\"replicated_write_threads_overwrite_p50_ms\":{\"min\":")
            .contains("\"replicated_write_loopback_append_p50_ms\":{\"min\":")
            .contains("\"replicated_write_processes_overwrite_p50_ms\":{\"min\":")
            .contains("\"replicated_write_processes_append_p50_ms\":{\"min\":")
            .contains("\"replicated_write_processes_overwrite_cpu_us_per_op_leader\":{\"min\":")
            .contains("\"replicated_write_processes_append_cpu_us_per_op_all\":{\"min\":");
    }

    @Test
    void walFigureReportsThroughputPerServerCountThenLatencyPerRate()
    {
        final Config config = Config.parse(new String[] {"--figure", "wal", "--runs", "1", "--warmup", "0.2",
            "--seconds", "0.3", "--data-dir", dir.toString(), "--wal-servers", "1,4", "--wal-rates", "half,2000",
            "--wal-snapshot-every", "50"});
        final List<Json> lines = Harness.run("wal", config);
        // Each latency line is followed by the device's own floor at that rate, one line per way of moving full
        // files into segments.
        final List<String> floors = List.of("none", "new_files", "recycled_files", "appended_files", "renamed_spares");
        assertThat(lines).hasSize(2 + 2 * (1 + floors.size()));
        assertThat(lines.get(0).toString()).contains("\"figure\":\"wal-throughput\"").contains("\"servers\":1,")
            .contains("\"entries_s\":{\"min\":").contains("\"alloc_bytes_per_entry\":{\"min\":")
            .contains("\"snapshot_every\":50").contains("\"segment_spares\":true")
            .contains("\"segment_max_entries\":" + FileStorage.DEFAULT_SEGMENT_MAX_ENTRIES);
        assertThat(lines.get(1).toString()).contains("\"servers\":4,");
        for (int rate = 0; rate < 2; rate++)
        {
            final int at = 2 + rate * (1 + floors.size());
            assertThat(lines.get(at).toString()).contains("\"figure\":\"wal-latency\"").contains("\"servers\":4,")
                .contains("\"p99_ms\":{\"min\":").contains("\"hurried_segment_writes_share\":{\"min\":")
                .contains("\"segment_files_over_spares_per_share\":{\"min\":").contains("\"overloaded_runs\":0")
                .contains("\"timeline\":[[{\"t_s\":").contains("\"room_waits\":").contains("\"wal_writer_cpu_pct\":");
            for (int f = 0; f < floors.size(); f++)
            {
                assertThat(lines.get(at + 1 + f).toString()).contains("\"figure\":\"wal-latency-floor\"")
                    .contains("\"segments\":\"" + floors.get(f) + "\"").contains("\"p99_ms\":{\"min\":");
            }
        }
        assertThat(lines.get(2 + 1 + floors.size()).toString()).contains("\"target_entries_s\":2000");
    }

    @Test
    void walFigureWithoutFloorsWithAGivenSparePoolAndSegmentSize()
    {
        final Config config = Config.parse(new String[] {"--figure", "wal", "--runs", "1", "--warmup", "0.2",
            "--seconds", "0.3", "--data-dir", dir.toString(), "--wal-servers", "2", "--wal-rates", "2000",
            "--wal-floors", "false", "--wal-segment-spare-mb", "8", "--wal-segment-max-entries", "100"});
        final List<Json> lines = Harness.run("wal", config);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).toString()).contains("\"figure\":\"wal-latency\"")
            .contains("\"segment_spare_mb\":8").contains("\"segment_max_entries\":100")
            .contains("\"timeline\":[[{\"t_s\":");
        assertThatThrownBy(() -> Config.parse(new String[] {"--wal-segment-spare-mb", "-1"}))
            .hasMessageContaining("--wal-segment-spare-mb");
        assertThatThrownBy(() -> Config.parse(new String[] {"--wal-segment-max-entries", "-1"}))
            .hasMessageContaining("--wal-segment-max-entries");
    }

    @Test
    void processCpuReadsProcAndDividesPerOperation()
    {
        final long self = ProcessHandle.current().pid();
        final long before = ProcessCpu.nanos(self);
        assertThat(before).as("this JVM has used CPU, read from /proc (Linux)").isPositive();
        assertThat(ProcessCpu.nanos(Long.MAX_VALUE)).as("a process that does not exist").isEqualTo(-1);
        assertThat(ProcessCpu.microsPerOp(new long[] {1_000_000, -1, 0}, new long[] {3_000_000, 5, 0}, 1_000))
            .containsExactly(2.0, -1.0, 0.0);
        assertThat(ProcessCpu.total(new double[] {1.25, 2.5})).isEqualTo(3.8);
        assertThat(ProcessCpu.total(new double[] {1.0, -1.0})).as("one process unknown").isEqualTo(-1.0);
        assertThat(ProcessCpu.byRole(new double[] {4.0, 2.0, 2.0, 1.5})).containsExactly(
            entry("leader", 4.0), entry("follower_a", 2.0), entry("follower_b", 2.0), entry("client", 1.5),
            entry("all", 9.5));
        final long[] spent = new long[3];
        final long[] next = ProcessCpu.accumulate(spent, new long[] {10, 10, 10}, new long[] {15, -1, 12});
        ProcessCpu.accumulate(spent, next, new long[] {25, 30, 13});
        assertThat(spent).as("two intervals added; a failed reading stays unknown").containsExactly(15, -1, 3);
    }

    @Test
    void nettyFigureReportsItsLinesAndTheFloorAlongside()
    {
        final List<Json> lines = Harness.run("netty", tiny("netty"));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0).toString()).contains("\"figure\":\"sequential-netty\"")
            .contains("\"cpu_us_per_op\":{\"leader\":").contains("\"wire_per_op\":{\"messages\":");
        assertThat(lines.get(1).toString()).contains("\"figure\":\"sequential-netty-chained\"")
            .contains("\"cpu_us_per_op\":{\"leader\":").contains("\"wire_per_op\":{\"messages\":");
        assertThat(lines.get(2).toString()).contains("\"figure\":\"sequential-netty-against-floor\"")
            .contains("\"floor_p50_ms\":{\"min\":").contains("\"ratio_to_floor_around\":{\"min\":")
            .contains("\"p50_ms\":{\"min\":").contains("\"floor_cpu_us_per_op\":{\"leader\":")
            .contains("\"cpu_ratio_to_floor_around\":{\"leader\":").contains("\"floor_mark\":true");
        assertThat(lines.get(3).toString()).contains("\"figure\":\"pipelined-64-netty\"");
    }

    @Test
    void manyClustersFailoverAndRecoveryReport()
    {
        assertThat(Harness.run("many-clusters", tiny("many-clusters")).get(0).toString())
            .contains("\"start_s\":").contains("\"start_and_elect_s\":").contains("\"heap_per_cluster_kb\":")
            .contains("\"elections_per_cluster\":")
            .contains("\"idle_cpu_pct_of_core\":").contains("\"aggregate_vs_single_median\":")
            .contains("\"follower_lag_under_load\":{\"sampled_clusters\":3")
            .containsPattern("\"apply_lag_ms_at_least\":\\{\"samples\":[1-9]");
        assertThat(Harness.run("failover", tiny("failover")).get(0).toString()).contains("\"trials\":1");
        final List<Json> recovery = Harness.run("recovery", tiny("recovery"));
        assertThat(recovery).hasSize(2);
        assertThat(recovery.get(1).toString()).contains("\"figure\":\"recovery-with-snapshot\"");
    }

    @Test
    void failoverComparisonReportsEveryScenarioForOurs()
    {
        final List<Json> lines = FailoverComparison.run(tiny("failover-comparison"), List.of("ra"),
            FailoverComparison.SCENARIOS);
        assertThat(lines).hasSize(3);
        for (int i = 0; i < lines.size(); i++)
        {
            assertThat(lines.get(i).toString()).contains("\"impl\":\"ra\"")
                .contains("\"scenario\":\"" + FailoverComparison.SCENARIOS.get(i) + "\"")
                .contains("\"election_timeout_ms\":[150,300]").contains("\"trials\":1");
        }
    }

    @Test
    void clientFailoverReportsEveryScenario()
    {
        final List<Json> lines = Harness.run("client-failover", tiny("client-failover"));
        assertThat(lines).hasSize(ClientFailover.SCENARIOS.size());
        for (int i = 0; i < lines.size(); i++)
        {
            assertThat(lines.get(i).toString()).contains("\"figure\":\"client-failover\"")
                .contains("\"scenario\":\"" + ClientFailover.SCENARIOS.get(i) + "\"").contains("\"trials\":1")
                .contains("\"first_write_ms\":{\"min\":").doesNotContain("\"error\"");
        }
    }

    @Test
    void oursOverNettyInOneJvmReportsAsThePeersFigureRunsIt()
    {
        assertThat(ClusterFigures.pipelined(tiny("peers"), 64, true).toString())
            .contains("\"transport\":\"netty-loopback\"").contains("\"ops_s\":{\"min\":");
        assertThat(ClusterFigures.sequential(tiny("peers"), true).toString())
            .contains("\"transport\":\"netty-loopback\"").contains("\"in_flight\":1");
    }

    @Test
    void readsAcrossJvmsReportOursAndSofaJraftsReadIndex()
    {
        final List<Json> lines = Harness.run("reads-across-jvms", tiny("reads-across-jvms"));
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0).toString()).contains("\"impl\":\"ra-on-leader\"").contains("\"ops_s\":{\"min\":")
            .contains("\"cpu_us_per_read_members\":{\"min\":");
        assertThat(lines.get(1).toString()).contains("\"impl\":\"ra\"").contains("\"ops_s\":{\"min\":");
        assertThat(lines.get(2).toString()).contains("\"impl\":\"jraft\"").contains("\"ops_s\":{\"min\":")
            .contains("\"cpu_us_per_read_members\":{\"min\":");
        assertThat(lines.get(3).toString()).contains("\"ours\":\"ra-on-leader\"")
            .contains("\"ratio_ours_to_jraft_median\":").contains("\"cpu_per_read_jraft_to_ours_median\":");
        assertThat(lines.get(4).toString()).contains("\"ours\":\"ra\"").contains("\"ratio_ours_to_jraft_median\":");
    }

    @Test
    void jsonIsOneLineAndEscaped()
    {
        final String s = new Json().put("a", "x\"y\n").put("b", 1.5).put("c", List.of(1, 2))
            .put("d", Json.summary(List.of(3.0, 1.0, 2.0))).toString();
        assertThat(s).isEqualTo("{\"a\":\"x\\\"y\\n\",\"b\":1.500,\"c\":[1,2]," +
            "\"d\":{\"min\":1,\"median\":2,\"max\":3,\"runs\":[3,1,2]}}");
    }
}
