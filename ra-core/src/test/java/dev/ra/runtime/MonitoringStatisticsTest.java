package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.stats.CallKind;
import dev.ra.stats.CallStatistics;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The statistics the library keeps for monitoring, without any exporter: the leader's view of its followers and the
 * apply times in each overview, and the caller's side of client calls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitoringStatisticsTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theLeadersOverviewShowsEachFollowersMatchIndexAndEveryOverviewItsApplyTimes()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem system = cluster.system(leader);
            for (int i = 0; i < 10; i++)
            {
                system.processCommand(leader, new KvMachine.Put("k" + i, "v"));
            }
            final ServerOverview overview = InJvmCluster.await(() ->
            {
                final ServerOverview o = system.overview(leader);
                return o.peerMatchIndexes().values().stream().allMatch(m -> m == o.lastIndex()) ? o : null;
            }, WAIT, "every follower to match the leader's log");
            assertThat(overview.peerMatchIndexes().keySet()).containsExactlyInAnyOrderElementsOf(
                members.stream().filter(m -> !m.equals(leader)).toList());
            assertThat(overview.applyTimes().count()).isPositive();
            assertThat(overview.applyTimes().totalNanos()).isPositive();
            for (final ServerId member : members)
            {
                if (!member.equals(leader))
                {
                    assertThat(cluster.system(member).overview(member).peerMatchIndexes()).isEmpty();
                }
            }
        }
    }

    @Test
    void callsAreCountedOnTheCallersNodePerKind()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final ServerId follower = members.get((members.indexOf(leader) + 1) % members.size());
            final RaSystem caller = cluster.system(follower);
            final CallStatistics calls = caller.callStatistics();
            final long commandsBefore = calls.latency(CallKind.COMMAND).count();
            final long redirectsBefore = calls.redirects(CallKind.COMMAND);

            caller.processCommand(follower, new KvMachine.Put("k", "v"));
            caller.localQuery(follower, s -> s);
            caller.members(follower);
            // A call's latency is recorded by a completion action of its future, which may run just after the caller
            // has its answer: wait until the last calls are in.
            InJvmCluster.await(() -> calls.latency(CallKind.COMMAND).count() >= commandsBefore + 1 &&
                calls.latency(CallKind.LOCAL_QUERY).count() > 0 && calls.latency(CallKind.ADMIN).count() > 0, WAIT,
                "the calls' latencies");

            assertThat(calls.latency(CallKind.COMMAND).count()).isEqualTo(commandsBefore + 1);
            assertThat(calls.redirects(CallKind.COMMAND)).isGreaterThan(redirectsBefore);
            assertThat(calls.latency(CallKind.LOCAL_QUERY).count()).isPositive();
            assertThat(calls.latency(CallKind.ADMIN).count()).isPositive();
            assertThat(calls.timeouts(CallKind.COMMAND)).isZero();
            assertThat(calls.failures(CallKind.COMMAND)).isZero();
        }
    }
}
