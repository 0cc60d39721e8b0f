package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.ra.CommandResult;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many clusters on few nodes: servers are not threads, and idle servers cost no CPU.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ScaleTest
{
    private static final int CLUSTERS = 300;

    @Test
    void threeHundredClustersOnThreeNodesElectCommitAndThenIdleQuietly() throws Exception
    {
        // Production tick (1 s): what idles is what a real deployment would run.
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.tickInterval(Duration.ofSeconds(1))
            .defaultTimeout(Duration.ofSeconds(30))))
        {
            final RaSystem n1 = cluster.first();
            final List<List<ServerId>> clusters = new ArrayList<>();
            final List<CompletableFuture<ServerId>> starts = new ArrayList<>();
            for (int i = 0; i < CLUSTERS; i++)
            {
                final List<ServerId> members = cluster.serverIds("c" + i);
                clusters.add(members);
                starts.add(n1.startClusterAsync("c" + i, new CounterMachine(), members));
            }
            CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);

            final List<CompletableFuture<CommandResult<Long>>> commands = new ArrayList<>();
            for (final List<ServerId> members : clusters)
            {
                commands.add(n1.processCommandAsync(members.get(0), 1L));
            }
            for (final CompletableFuture<CommandResult<Long>> command : commands)
            {
                assertThat(command.get(60, TimeUnit.SECONDS).reply()).isEqualTo(1L);
            }
            int leaders = 0;
            for (final List<ServerId> members : clusters)
            {
                for (final ServerId member : members)
                {
                    if (cluster.system(member).overview(member).role() == RaftRole.LEADER)
                    {
                        leaders++;
                    }
                }
            }
            assertThat(leaders).isEqualTo(CLUSTERS);

            // Let followers learn the last commit index and the JIT settle, then measure an idle period.
            Thread.sleep(1500);
            final OperatingSystemMXBean os = (OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
            final long cpuBefore = os.getProcessCpuTime();
            final long wallBefore = System.nanoTime();
            Thread.sleep(3000);
            final long cpu = os.getProcessCpuTime() - cpuBefore;
            final long wall = System.nanoTime() - wallBefore;
            final double shareOfOneCore = (double)cpu / wall;
            System.out.printf("idle CPU with %d servers: %.1f%% of one core%n", CLUSTERS * 3, shareOfOneCore * 100);
            assertThat(shareOfOneCore).as("idle CPU share of one core (no spinning)").isLessThan(0.30);
        }
    }
}
