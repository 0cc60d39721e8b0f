package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Starting a member on another node arms a deadline for the start; once the start is answered the deadline must go,
 * not stay queued (holding the start's future) for the whole timeout: a node starting thousands of clusters would
 * otherwise keep thousands of tasks for minutes.
 */
class RemoteStartDeadlinesTest
{
    private static final int CLUSTERS = 20;

    @Test
    void answeredRemoteStartsLeaveNoDeadlineQueued() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.defaultTimeout(Duration.ofMinutes(10))))
        {
            final RaSystem n1 = cluster.first();
            final List<CompletableFuture<ServerId>> starts = new ArrayList<>();
            for (int i = 0; i < CLUSTERS; i++)
            {
                starts.add(n1.startClusterAsync("c" + i, new CounterMachine(), cluster.serverIds("c" + i)));
            }
            CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
            // Each cluster asked the two other nodes to start a member: 40 answered starts.
            assertThat(scheduler(n1).getQueue()).as("tasks still queued on n1's scheduler").hasSizeLessThan(CLUSTERS);
        }
    }

    private static ScheduledThreadPoolExecutor scheduler(final RaSystem system) throws ReflectiveOperationException
    {
        final Field runtime = RaSystem.class.getSuperclass().getDeclaredField("runtime");
        runtime.setAccessible(true);
        final Field scheduler = RaRuntime.class.getDeclaredField("scheduler");
        scheduler.setAccessible(true);
        return (ScheduledThreadPoolExecutor)scheduler.get(runtime.get(system));
    }
}
