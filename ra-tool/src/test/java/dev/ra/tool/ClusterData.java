package dev.ra.tool;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.log.FileStorage;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Data written by a real cluster: three RaSystems in one JVM, each on its own FileStorage under {@code root/<node>},
 * with small WAL files and segments (so there are rollovers, segments and snapshots), stopped cleanly. What each
 * member said about its log just before the stop is kept to compare the tool's output with.
 */
final class ClusterData
{
    static final String CLUSTER = "kv";
    static final List<String> NODES = List.of("n1", "n2", "n3");
    /** Makes each command ~200 bytes, so that a few hundred fill more than one (smallest, 64 KiB) WAL file. */
    static final String PADDING = "-".repeat(160);
    /** One snapshot in a run of a few hundred commands: segments are deleted only below the older of two. */
    static final int SNAPSHOT_EVERY = 200;

    /** Per node: the member's overview just before the stop. */
    final Map<String, ServerOverview> overviews = new LinkedHashMap<>();
    final ServerId leader;

    private ClusterData(final ServerId leader)
    {
        this.leader = leader;
    }

    /**
     * @param root     where each node's data directory goes.
     * @param commands Put commands to write: key {@code k} and value {@code v} followed by the index i, then
     *                 {@link #PADDING}.
     * @return what was written.
     */
    static ClusterData write(final Path root, final int commands)
    {
        final InJvmNetwork network = new InJvmNetwork();
        final Map<String, RaSystem> systems = new LinkedHashMap<>();
        final Map<String, FileStorage> storages = new LinkedHashMap<>();
        try
        {
            final List<ServerId> members = new ArrayList<>();
            for (final String node : NODES)
            {
                final FileStorage storage = FileStorage.builder().directory(root.resolve(node))
                    .walMaxSizeBytes(64 << 10).segmentMaxEntries(64).build();
                storages.put(node, storage);
                systems.put(node, InJvmCluster.testDefaults(RaSystem.builder().nodeId(node)
                    .transport(network.newTransport()).storage(storage))
                    .minSnapshotInterval(10).registerMachine("kv-snap", () -> new KvMachine(SNAPSHOT_EVERY)).build());
                members.add(new ServerId(CLUSTER, node));
            }
            final ServerId leader = systems.get("n1").startCluster(CLUSTER, "kv-snap", members);
            for (int i = 0; i < commands; i++)
            {
                systems.get(leader.node()).processCommand(leader, new KvMachine.Put("k" + i, "v" + i + PADDING));
            }
            final ClusterData data = new ClusterData(leader);
            final long committed = systems.get(leader.node()).overview(leader).commitIndex();
            for (final ServerId member : members)
            {
                data.overviews.put(member.node(), InJvmCluster.await(() ->
                {
                    final ServerOverview overview = systems.get(member.node()).overview(member);
                    return overview.lastWrittenIndex() >= committed && overview.lastApplied() >= committed ?
                        overview : null;
                }, java.time.Duration.ofSeconds(30), member + " to write and apply " + committed));
            }
            return data;
        }
        finally
        {
            systems.values().forEach(RaSystem::close);
            storages.values().forEach(FileStorage::close);
            network.close();
        }
    }

    /**
     * @param from a directory tree.
     * @param to   where to copy it (created).
     */
    static void copy(final Path from, final Path to)
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                final Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(path, target);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
