package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime on ra-log: a 3-node in-JVM cluster writes through FileStorage (with snapshots and WAL rollovers), is
 * stopped completely, and after a restart from disk every member recovers the same state.
 */
class FileStorageClusterTest
{
    private static final int KEYS = 300;

    @TempDir
    Path dir;

    private final InJvmNetwork network = new InJvmNetwork();
    private final Map<String, RaSystem> systems = new LinkedHashMap<>();
    private final Map<String, FileStorage> storages = new LinkedHashMap<>();

    private void start(final String node)
    {
        final FileStorage storage = FileStorage.builder().directory(dir.resolve(node)).walMaxSizeBytes(64 << 10)
            .segmentMaxEntries(64).build();
        storages.put(node, storage);
        systems.put(node, InJvmCluster.testDefaults(RaSystem.builder().nodeId(node)
            .transport(network.newTransport()).storage(storage))
            .minSnapshotInterval(10).registerMachine("kv-snap", () -> new KvMachine(50)).build());
    }

    private void stopAll()
    {
        for (final RaSystem system : systems.values())
        {
            system.close();
        }
        systems.clear();
        for (final FileStorage storage : storages.values())
        {
            storage.close();
        }
        storages.clear();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aClusterStoppedCompletelyRecoversItsStateFromDisk()
    {
        final List<ServerId> members = new ArrayList<>();
        for (final String node : List.of("n1", "n2", "n3"))
        {
            start(node);
            members.add(new ServerId("kv", node));
        }
        try
        {
            final ServerId leader = systems.get("n1").startCluster("kv", "kv-snap", members);
            for (int i = 0; i < KEYS; i++)
            {
                systems.get(leader.node()).processCommand(leader, new KvMachine.Put("k" + i, "v" + i));
            }
            final Map<String, String> before = systems.get(leader.node())
                .<Map<String, String>, Map<String, String>>consistentQuery(leader, s -> s).result();
            assertThat(before).hasSize(KEYS);
            stopAll();

            for (final String node : List.of("n1", "n2", "n3"))
            {
                start(node);
            }
            for (final ServerId member : members)
            {
                systems.get(member.node()).restartServer(member);
            }
            for (final ServerId member : members)
            {
                final Map<String, String> after = InJvmCluster.await(() ->
                {
                    final Map<String, String> state = systems.get(member.node())
                        .<Map<String, String>, Map<String, String>>localQuery(member, s -> s).result();
                    return state.size() == KEYS ? state : null;
                }, Duration.ofSeconds(30), member + " to recover all keys");
                assertThat(after).isEqualTo(before);
                assertThat(systems.get(member.node()).overview(member).snapshotIndex()).isPositive();
            }
            final ServerId newLeader = InJvmCluster.await(() ->
            {
                for (final ServerId m : members)
                {
                    if (systems.get(m.node()).overview(m).role() == dev.ra.RaftRole.LEADER)
                    {
                        return m;
                    }
                }
                return null;
            }, Duration.ofSeconds(30), "a leader after the restart");
            systems.get(newLeader.node()).processCommand(newLeader, new KvMachine.Put("after", "restart"));
        }
        finally
        {
            stopAll();
            network.close();
        }
    }
}
