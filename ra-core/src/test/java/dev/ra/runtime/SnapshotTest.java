package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SnapshotTest
{
    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.minSnapshotInterval(10)
        .registerMachine("kv-snap", () -> new KvMachine(20)));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void releaseCursorsSnapshotAndTruncateTheLogOnEveryMember()
    {
        final List<ServerId> members = cluster.serverIds("kv");
        final RaSystem n1 = cluster.first();
        n1.startCluster("kv", "kv-snap", members);

        // A release cursor is a hint: one arriving while a snapshot is still being written is skipped. So write
        // until every member has taken one.
        final int written = writeUntil(n1, members.get(0), () -> members.stream()
            .allMatch(m -> cluster.system(m).overview(m).snapshotIndex() >= 80));

        for (final ServerId member : members)
        {
            final ServerOverview overview = cluster.system(member).overview(member);
            assertThat(overview.snapshotIndex()).isGreaterThanOrEqualTo(80);
            assertThat(overview.counters().get("snapshots_written")).isPositive();
            assertThat(overview.lastIndex()).isGreaterThanOrEqualTo(written);
        }
    }

    @Test
    void aFollowerThatFellBehindCatchesUpFromASnapshot()
    {
        final List<ServerId> members = cluster.serverIds("kv");
        final RaSystem n1 = cluster.first();
        final ServerId leader = n1.startCluster("kv", "kv-snap", members);
        final ServerId laggard = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem leaderNode = cluster.system(leader);
        cluster.system(laggard).stopServer(laggard);

        final int written = writeUntil(leaderNode, leader,
            () -> leaderNode.overview(leader).snapshotIndex() >= 100);
        cluster.system(laggard).restartServer(laggard);

        final Map<String, String> state = InJvmCluster.await(() ->
        {
            final Map<String, String> s = cluster.system(laggard).<Map<String, String>, Map<String, String>>
                consistentQuery(laggard, x -> x).result();
            return s.size() == written ? s : null;
        }, Duration.ofSeconds(20), "the laggard to catch up");
        assertThat(state).containsEntry("k" + (written - 1), "v" + (written - 1));
        assertThat(cluster.system(laggard).overview(laggard).counters().get("snapshots_installed")).isPositive();
    }

    /**
     * Write distinct keys k0, k1, ... until the condition holds (checked every 20 writes).
     *
     * @return the number of keys written.
     */
    private static int writeUntil(final RaSystem node, final ServerId server,
        final java.util.function.BooleanSupplier done)
    {
        int written = 0;
        while (written < 100 || written % 20 != 0 || !done.getAsBoolean())
        {
            node.processCommand(server, new KvMachine.Put("k" + written, "v" + written));
            written++;
            assertThat(written).as("writes before the condition held").isLessThan(5000);
        }
        return written;
    }

    @Test
    void aRestartedServerRecoversFromItsSnapshotAndLog()
    {
        final List<ServerId> members = cluster.serverIds("kv");
        final RaSystem n1 = cluster.first();
        n1.startCluster("kv", "kv-snap", members);
        for (int i = 0; i < 50; i++)
        {
            n1.processCommand(members.get(0), new KvMachine.Put("k" + i, "v" + i));
        }
        final ServerId member = members.get(2);
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final long lastWrite = cluster.system(leader).overview(leader).lastApplied();
        InJvmCluster.await(() -> cluster.system(member).overview(member).lastApplied() >= lastWrite,
            Duration.ofSeconds(10), "the last write applied on " + member);

        cluster.system(member).stopServer(member);
        cluster.system(member).restartServer(member);

        final Map<String, String> state = cluster.system(member).<Map<String, String>, Map<String, String>>
            localQuery(member, s -> s).result();
        assertThat(state).as("replayed up to the applied index recorded at stop").hasSize(50);
    }
}
