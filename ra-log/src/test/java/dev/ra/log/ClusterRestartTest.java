package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.QueryResult;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.runtime.injvm.InJvmNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's in-JVM cluster on real disks: a 3-member cluster on {@link FileStorage} is stopped completely and
 * restarted from its data directories. Every member must come back with the same machine state (from its snapshot
 * plus log replay), and replaying the log must not run the machine's effects again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterRestartTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int COMMANDS = 600;

    /**
     * Counts commands per key, asks for a {@link Effect.ModCall} on every command, and offers a snapshot every 50
     * commands. Public with a no-arg constructor, so that a restarted server can create it from its stored config.
     */
    public static final class CountingMachine implements StateMachine<String, Map<String, Long>>
    {
        @Override
        public Map<String, Long> init(final InitArgs args)
        {
            return Map.of();
        }

        @Override
        public ApplyResult<Map<String, Long>> apply(final CommandMeta meta, final String key,
            final Map<String, Long> state)
        {
            final TreeMap<String, Long> next = new TreeMap<>(state);
            final long count = next.merge(key, 1L, Long::sum);
            final List<Effect> effects = new ArrayList<>();
            effects.add(new Effect.ModCall("applied", key));
            if (meta.index() % 50 == 0)
            {
                effects.add(new Effect.ReleaseCursor(meta.index(), next));
            }
            return ApplyResult.of(next, count, effects);
        }
    }

    @Test
    void fullClusterRestartRecoversTheSameStateWithoutReissuingEffects(@TempDir final Path dir) throws Exception
    {
        final List<ServerId> members = List.of(new ServerId("counts", "n1"), new ServerId("counts", "n2"),
            new ServerId("counts", "n3"));
        final AtomicLong effectsRun = new AtomicLong();
        final Map<String, Long> before;
        try (Nodes nodes = new Nodes(dir, effectsRun))
        {
            final ServerId leader = nodes.first().startCluster("counts", new CountingMachine(), members);
            final List<CompletableFuture<?>> replies = new ArrayList<>();
            for (int i = 0; i < COMMANDS; i++)
            {
                replies.add(nodes.first().processCommandAsync(leader, "key-" + (i % 7)));
            }
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            before = nodes.first().<Map<String, Long>, Map<String, Long>>consistentQuery(members.get(0),
                TreeMap::new).result();
            assertThat(before.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(COMMANDS);
            assertThat(effectsRun.get()).as("the leader ran one effect per command").isGreaterThanOrEqualTo(COMMANDS);
            for (final ServerId member : members)
            {
                awaitApplied(nodes.system(member), member, before);
                awaitSnapshot(nodes.system(member), member);
            }
        }

        final long effectsBeforeRestart = effectsRun.get();
        try (Nodes nodes = new Nodes(dir, effectsRun))
        {
            for (final ServerId member : members)
            {
                nodes.system(member).restartServer(member);
            }
            for (final ServerId member : members)
            {
                // Each member's own state, straight after recovery: snapshot plus replay of its own log.
                awaitApplied(nodes.system(member), member, before);
            }
            assertThat(effectsRun.get()).as("replay after the restart ran no effect again")
                .isEqualTo(effectsBeforeRestart);

            final Long next = nodes.first().<Long>processCommand(members.get(0), "key-0", TIMEOUT).reply();
            assertThat(next).isEqualTo(before.get("key-0") + 1);
            awaitEffects(effectsRun, effectsBeforeRestart + 1);
        }
    }

    private static void awaitApplied(final RaSystem system, final ServerId member, final Map<String, Long> expected)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, Long> seen = null;
        while (System.nanoTime() < deadline)
        {
            final QueryResult<Map<String, Long>> local = system.localQuery(member,
                (Map<String, Long> s) -> new TreeMap<>(s));
            seen = local.result();
            if (expected.equals(seen))
            {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(seen).as("state of " + member).isEqualTo(expected);
    }

    /** Snapshots are written in the background after the machine releases a cursor: wait for one to be installed. */
    private static void awaitSnapshot(final RaSystem system, final ServerId member) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (system.overview(member).snapshotIndex() == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertThat(system.overview(member).snapshotIndex()).as("snapshots were taken by " + member).isGreaterThan(0);
    }

    private static void awaitEffects(final AtomicLong effects, final long atLeast) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (effects.get() < atLeast && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(effects.get()).isGreaterThanOrEqualTo(atLeast);
    }

    /**
     * Three nodes on an in-JVM network, each with its own {@link FileStorage} under {@code dir/<node>}.
     */
    private static final class Nodes implements AutoCloseable
    {
        private final InJvmNetwork network = new InJvmNetwork();
        private final List<RaSystem> systems = new ArrayList<>();
        private final List<FileStorage> storages = new ArrayList<>();

        Nodes(final Path dir, final AtomicLong effectsRun)
        {
            for (int i = 1; i <= 3; i++)
            {
                final String node = "n" + i;
                final FileStorage storage = FileStorage.builder().directory(dir.resolve(node))
                    .walMaxSizeBytes(64 * 1024).segmentMaxEntries(128).build();
                storages.add(storage);
                systems.add(RaSystem.builder().nodeId(node).transport(network.newTransport()).storage(storage)
                    .eventLoops(1).electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600))
                    .minSnapshotInterval(50).modCallHandler("applied", key -> effectsRun.incrementAndGet())
                    .defaultTimeout(TIMEOUT).build());
            }
        }

        RaSystem first()
        {
            return systems.get(0);
        }

        RaSystem system(final ServerId server)
        {
            return systems.get(Integer.parseInt(server.node().substring(1)) - 1);
        }

        @Override
        public void close()
        {
            for (final RaSystem system : systems)
            {
                system.close();
            }
            // The storage belongs to the application that built it, not to the RaSystem.
            for (final FileStorage storage : storages)
            {
                storage.close();
            }
            network.close();
        }
    }
}
