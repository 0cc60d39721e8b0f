package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.QueryResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every result names the right leader, and every call comes in the same four forms: blocking and asynchronous, each
 * with the default timeout and with an explicit one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallFormsTest
{
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * A timeout is any positive duration: one too long to count in nanoseconds (Duration.toNanos throws beyond 292
     * years) waits without a limit, as an explicit timeout and as the node's default, also for starting a cluster.
     */
    @Test
    void aTimeoutTooLongToCountInNanosecondsWaitsWithoutALimit() throws Exception
    {
        final Duration forEver = Duration.ofDays(365L * 1000);
        cluster = new InJvmCluster(3, b -> b.defaultTimeout(Duration.ofSeconds(Long.MAX_VALUE)));
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final RaSystem client = cluster.first();

        assertThat(client.processCommand(members.get(0), new KvMachine.Put("a", "1"), forEver).leader())
            .isIn(members);
        assertThat(client.processCommandAsync(members.get(1), new KvMachine.Put("b", "2"), forEver)
            .get(30, TimeUnit.SECONDS).leader()).isIn(members);
        assertThat(client.processCommand(members.get(2), new KvMachine.Put("c", "3")).leader()).isIn(members);
        assertThat(client.<java.util.Map<String, String>, Integer>consistentQuery(members.get(0), s -> s.size(),
            forEver).result()).isEqualTo(3);
        assertThat(client.<String>namedQuery(members.get(1), "get", "a", true, forEver).result()).isEqualTo("1");
        assertThat(client.members(members.get(2))).containsExactlyInAnyOrderElementsOf(members);
    }

    @Test
    void aNamedQueryOfAFollowerReportsTheLeaderNotTheFollower() throws Exception
    {
        cluster = new InJvmCluster(3);
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final RaSystem client = cluster.first();
        final ServerId leader = client.processCommand(members.get(0), new KvMachine.Put("a", "1")).leader();
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        InJvmCluster.await(() -> "1".equals(cluster.system(follower)
            .<java.util.Map<String, String>, String>localQuery(follower, s -> s.get("a")).result()),
            Duration.ofSeconds(10), "the follower to apply the write");

        final QueryResult<String> stale = client.namedQuery(follower, "get", "a", false);
        final QueryResult<String> consistent = client.namedQuery(follower, "get", "a", true, Duration.ofSeconds(5));
        final QueryResult<String> async = client.<String>namedQueryAsync(follower, "get", "a", false)
            .get(30, TimeUnit.SECONDS);

        assertThat(stale.result()).isEqualTo("1");
        assertThat(stale.leader()).isEqualTo(leader);
        assertThat(consistent.leader()).isEqualTo(leader);
        assertThat(async.leader()).isEqualTo(leader);
    }

    @Test
    void callsWithoutATimeoutHaveAFormWithOneAndBothHaveAnAsynchronousForm()
    {
        final List<String> missing = new ArrayList<>();
        for (final String call : List.of("processCommand", "consistentQuery", "leaderQuery", "namedQuery",
            "localQuery"))
        {
            for (final Method sync : methods(call))
            {
                final List<Class<?>> params = Arrays.asList(sync.getParameterTypes());
                if (params.contains(Duration.class))
                {
                    continue;
                }
                final List<Class<?>> withTimeout = new ArrayList<>(params);
                withTimeout.add(Duration.class);
                expect(call, params, false, missing);
                expect(call, withTimeout, false, missing);
                expect(call + "Async", params, true, missing);
                expect(call + "Async", withTimeout, true, missing);
            }
        }
        assertThat(missing).isEmpty();
    }

    private static List<Method> methods(final String name)
    {
        return Arrays.stream(RaSystem.class.getMethods()).filter(m -> m.getName().equals(name)).toList();
    }

    private static void expect(final String name, final List<Class<?>> params, final boolean async,
        final List<String> missing)
    {
        try
        {
            final Method method = RaSystem.class.getMethod(name, params.toArray(new Class<?>[0]));
            if (async != CompletableFuture.class.equals(method.getReturnType()))
            {
                missing.add(name + params + " returns " + method.getReturnType().getSimpleName());
            }
        }
        catch (final NoSuchMethodException ex)
        {
            missing.add(name + params);
        }
    }
}
