package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on ra-log's FileStorage in a running cluster: cases found in review.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SnapshotStorageReviewTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int KEYS = 200;

    @TempDir
    Path dir;

    private final InJvmNetwork network = new InJvmNetwork();
    private final Map<String, RaSystem> systems = new LinkedHashMap<>();
    private final Map<String, FileStorage> storages = new LinkedHashMap<>();

    private void start(final String node)
    {
        final FileStorage storage = FileStorage.builder().directory(dir.resolve(node)).build();
        storages.put(node, storage);
        systems.put(node, InJvmCluster.testDefaults(RaSystem.builder().nodeId(node)
            .transport(network.newTransport()).storage(storage))
            .minSnapshotInterval(10).registerMachine("kv-snap", () -> new KvMachine(20)).build());
    }

    @AfterEach
    void stopAll()
    {
        for (final RaSystem system : systems.values())
        {
            system.close();
        }
        for (final FileStorage storage : storages.values())
        {
            storage.close();
        }
        network.close();
    }

    private static String value(final int i)
    {
        return String.format("val-%04d", i);
    }

    /**
     * A leader sends its snapshot file in chunks ({@code FileSnapshotStore.readChunk}) without checking the state's
     * checksum, which the file holds for exactly this: {@code read} checks it, {@code readChunk} does not. A bit
     * flipped in the file after it was written (bit rot) goes to every follower that installs the snapshot; the
     * follower stores the damaged state under a fresh checksum of its own, so it is never detected, and that member
     * diverges for ever (here one key has another value than the one acknowledged). Right: the damage is found before
     * the last chunk leaves (the read fails, naming the file, as reading a damaged log entry does), and the follower
     * ends with the acknowledged state.
     */
    @Test
    void aLeadersDamagedSnapshotFileIsNeverInstalledByAFollower() throws IOException
    {
        final List<ServerId> members = new ArrayList<>();
        for (final String node : List.of("n1", "n2", "n3"))
        {
            start(node);
            members.add(new ServerId("kv", node));
        }
        final ServerId leader = systems.get("n1").startCluster("kv", "kv-snap", members);
        final ServerId laggard = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem leaderNode = systems.get(leader.node());
        systems.get(laggard.node()).stopServer(laggard);
        final Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < KEYS; i++)
        {
            leaderNode.processCommand(leader, new KvMachine.Put("k" + i, value(i)));
            expected.put("k" + i, value(i));
        }
        // The last release cursor is at index 200 or so (the noop and the writes): wait for the snapshot of it.
        final Path snapshot = InJvmCluster.await(() ->
        {
            final long index = leaderNode.overview(leader).snapshotIndex();
            final Path newest = newestSnapshot(dir.resolve(leader.node()));
            return index >= 180 && null != newest &&
                newest.getFileName().toString().startsWith(String.format("%016x-", index)) ? newest : null;
        }, WAIT, "the leader's last snapshot");

        // Bit rot: one bit of the value of k7 flips ('7' becomes '6'); the file keeps its length and its header.
        final byte[] bytes = Files.readAllBytes(snapshot);
        final int at = indexOf(bytes, value(7).getBytes(StandardCharsets.UTF_8));
        assertThat(at).as("the value of k7 in " + snapshot).isPositive();
        bytes[at + value(7).length() - 1] ^= 0x01;
        Files.write(snapshot, bytes);

        systems.get(laggard.node()).restartServer(laggard);
        final Map<String, String> state = InJvmCluster.await(() ->
        {
            final Map<String, String> s = systems.get(laggard.node()).<Map<String, String>, Map<String, String>>
                localQuery(laggard, x -> x).result();
            return s.size() == KEYS ? s : null;
        }, WAIT, "the laggard to catch up");
        assertThat(state.get("k7")).as("k7 on the laggard after installing a snapshot").isEqualTo(value(7));
        assertThat(state).as("the laggard's state after installing a snapshot").isEqualTo(expected);
    }

    private static Path newestSnapshot(final Path nodeDir)
    {
        try (Stream<Path> files = Files.walk(nodeDir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(FileSnapshotStore.SUFFIX))
                .max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            int j = 0;
            while (j < needle.length && haystack[i + j] == needle[j])
            {
                j++;
            }
            if (j == needle.length)
            {
                return i;
            }
        }
        return -1;
    }
}
