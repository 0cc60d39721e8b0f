package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailoverTest
{
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void stoppingTheLeaderElectsANewOneAndLosesNoAcknowledgedCommand() throws Exception
    {
        cluster = new InJvmCluster(3);
        runFailover(cluster.startCluster("kv", new KvMachine()));
    }

    @Test
    void withDelayedDurabilityStoppingTheLeaderLosesNoAcknowledgedCommand() throws Exception
    {
        // Appends become durable 2 ms later, reported from the storage's sync thread; a stopped server loses what
        // was not durable yet, as in a crash.
        cluster = new InJvmCluster(3, Duration.ofMillis(2), b -> { });
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId stopped = runFailover(members);
        cluster.system(stopped).restartServer(stopped);
        final Map<String, String> state = cluster.system(stopped).<Map<String, String>, Map<String, String>>
            consistentQuery(stopped, s -> s).result();
        assertThat(state).isNotEmpty();
    }

    @Test
    void fiveNodeClusterSurvivesTheLossOfTwoLeadersInARow() throws Exception
    {
        cluster = new InJvmCluster(5);
        final List<ServerId> members = cluster.startCluster("kv5", new KvMachine());
        final ServerId stopped = runFailover(members);
        final List<ServerId> remaining = new ArrayList<>(members);
        remaining.remove(stopped);
        runFailover(remaining);
    }

    /**
     * Writes from a client on a node that survives, stops the leader mid-stream, keeps writing, then checks every
     * acknowledged write is in the new leader's state.
     *
     * @return the leader that was stopped.
     */
    private ServerId runFailover(final List<ServerId> members) throws Exception
    {
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId survivor = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem client = cluster.system(survivor);
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicInteger unknown = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger sequence = new AtomicInteger();
        final Thread writer = new Thread(() ->
        {
            while (running.get())
            {
                final String key = leader.name() + "-" + sequence.incrementAndGet();
                try
                {
                    client.processCommand(survivor, new KvMachine.Put(key, "v"), Duration.ofSeconds(10));
                    acknowledged.add(key);
                }
                catch (final CommandOutcomeUnknownException | dev.ra.ServerStoppedException ex)
                {
                    unknown.incrementAndGet();
                }
                catch (final RaException ex)
                {
                    unknown.incrementAndGet();
                }
            }
        });
        writer.start();
        InJvmCluster.await(() -> acknowledged.size() > 50, Duration.ofSeconds(10), "writes before the stop");

        cluster.system(leader).stopServer(leader);
        final List<ServerId> live = new ArrayList<>(members);
        live.remove(leader);
        final ServerId newLeader = cluster.awaitLeader(live, Duration.ofSeconds(10));
        final int atElection = acknowledged.size();
        InJvmCluster.await(() -> acknowledged.size() > atElection + 50, Duration.ofSeconds(10),
            "writes after the new leader");
        running.set(false);
        writer.join();

        assertThat(newLeader).isNotEqualTo(leader);
        final Map<String, String> state = client.<Map<String, String>, Map<String, String>>consistentQuery(survivor,
            s -> s).result();
        assertThat(state.keySet()).containsAll(acknowledged);
        return leader;
    }

    @Test
    void aStoppedFollowerRestartsFromItsStorageAndCatchesUp()
    {
        cluster = new InJvmCluster(3);
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(5));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem leaderNode = cluster.system(leader);
        leaderNode.processCommand(leader, new KvMachine.Put("before", "1"));

        cluster.system(follower).stopServer(follower);
        cluster.system(follower).stopServer(follower);
        for (int i = 0; i < 10; i++)
        {
            leaderNode.processCommand(leader, new KvMachine.Put("during" + i, "1"));
        }
        cluster.system(follower).restartServer(follower);

        final Map<String, String> state = cluster.system(follower).<Map<String, String>, Map<String, String>>
            consistentQuery(follower, s -> s).result();
        assertThat(state).containsKeys("before", "during9");
    }

    @Test
    void aWholeNodeRestartRecoversEveryServerFromStorage()
    {
        cluster = new InJvmCluster(3);
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        cluster.first().processCommand(members.get(0), new KvMachine.Put("a", "1"));

        for (final ServerId member : members)
        {
            cluster.stopNode(member.node());
        }
        for (final ServerId member : members)
        {
            cluster.startNode(member.node()).restartServer(member);
        }

        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final Map<String, String> state = cluster.system(leader).<Map<String, String>, Map<String, String>>
            consistentQuery(leader, s -> s).result();
        assertThat(state).containsEntry("a", "1");
    }
}
