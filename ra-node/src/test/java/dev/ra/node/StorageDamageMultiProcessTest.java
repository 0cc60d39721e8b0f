package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.QueryResult;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.ServerStoppedException;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One member's storage damaged while it is down, in three JVMs with ra-log on disk (issue 15): the leader A and a
 * follower B acknowledge writes that the third member C, cut off, never receives; all three are killed; B's newest
 * WAL file or its meta file is damaged; B and C restart first, A later. No acknowledged write may be lost: B must not
 * help elect a leader with less than it had acknowledged (it used to be elected with its shorter log, and the writes
 * were gone for good once A's extra entries were overwritten). B must say what it lost in its log, and once A has
 * re-replicated its entries it must vote again: with A down, B and C elect a leader.
 *
 * <p>Every kind of damage runs in turn on the same JVMs (small WAL files, so there are several).
 */
class StorageDamageMultiProcessTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int WRITES_ONLY_A_AND_B_HAVE = 120;
    private static final String TEST = "storage-damage";
    private static final int WAL_HEADER = 20;
    private static final int RECORD_HEADER = 29;
    private static final byte ENTRY = 1;
    private static final byte BATCH = 5;

    /** The damage done to the member B's files while it is down. */
    enum Damage
    {
        TRUNCATE_INSIDE_BATCH, TRUNCATE_AT_BATCH, ZERO_FILL_TAIL, DELETE_NEWEST_WAL, TRUNCATE_WAL_TO_HEADER,
        DELETE_META, EMPTY_META, DELETE_BOTH_META_FILES
    }

    private int written;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void aMemberWithDamagedStorageLosesNoAcknowledgedWriteAndVotesAgainOnceRepaired() throws Exception
    {
        // Small WAL files, so that the entries only two members acknowledged span several of them.
        try (Deployment d = new Deployment(3, TEST, List.of("wal.max.bytes=65536")))
        {
            d.client.startCluster("kv", "kv", d.members("kv"));
            final Map<String, String> acknowledged = new LinkedHashMap<>();
            for (int i = 0; i < 200; i++)
            {
                put(d.client, d.members("kv").get(0), acknowledged);
            }
            // -Dra.test.damage=KIND runs one kind only (to look at one).
            final String only = System.getProperty("ra.test.damage");
            for (final Damage damage : Damage.values())
            {
                if (null == only || only.equals(damage.name()))
                {
                    round(d, damage, acknowledged);
                }
            }
        }
    }

    private void round(final Deployment d, final Damage damage, final Map<String, String> acknowledged)
        throws InterruptedException
    {
        final RaSystem client = d.client;
        final ServerId a = d.awaitLeader("kv", List.of());
        final List<String> followers = new ArrayList<>(d.nodes.keySet());
        followers.remove(a.node());
        final String b = followers.get(0);
        final String c = followers.get(1);
        // C is up to date, then cut off from A and B (not from the client).
        awaitCaughtUp(d, c, acknowledged.size());
        for (final String other : List.of(a.node(), b))
        {
            d.node(c).command("block " + other);
            d.node(other).command("block " + c);
        }
        final long cutAt = commitIndex(d, a);
        final List<String> onlyAAndB = new ArrayList<>();
        for (int i = 0; i < WRITES_ONLY_A_AND_B_HAVE; i++)
        {
            onlyAAndB.add(put(client, a, acknowledged));
        }
        for (final NodeJvm node : d.nodes.values())
        {
            node.kill();
        }
        final Path bData = dataDir(b);
        final long logBytesBefore = logSize(b);
        final String done = damage + " on " + b + " (" + damage(damage, bData, cutAt) + "; " + onlyAAndB.size() +
            " writes acknowledged by " + a.node() + " and " + b + " only, after index " + cutAt + ")";

        // B and C alone: whatever leader they elect, if any, must have every acknowledged write.
        d.node(b).start();
        d.node(c).start();
        d.awaitClientConnected();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (System.nanoTime() - deadline < 0)
        {
            final ServerId leader = d.leaderOf("kv", List.of(a.node()));
            if (null != leader)
            {
                assertHolds(client, leader, onlyAAndB, acknowledged, done + ": leader " + leader + " elected " +
                    "without " + a.node());
                break;
            }
            Thread.sleep(200);
        }
        assertThat(newLogLines(b, logBytesBefore)).as(done + ": " + b + " reports the damage it found")
            .anyMatch(line -> line.contains("ERROR") || line.contains("WARN"))
            .anyMatch(line -> line.contains("damage"));

        // A returns: a leader with every acknowledged write, which B catches up from.
        d.node(a.node()).start();
        d.awaitClientConnected();
        final ServerId leader = d.awaitLeader("kv", List.of());
        assertHolds(client, leader, onlyAAndB, acknowledged, done + ": with every member back");
        put(client, leader, acknowledged);
        awaitCaughtUp(d, b, acknowledged.size());

        d.node(a.node()).kill();
        if (damage == Damage.DELETE_BOTH_META_FILES)
        {
            // Term and vote are gone for good: B may have voted in a term nobody can tell it, so it never votes
            // again under this identity, and B and C alone elect no leader.
            Thread.sleep(3000);
            assertThat(d.leaderOf("kv", List.of(a.node()))).as(done + ": " + b + " must not vote again").isNull();
        }
        else
        {
            // B votes again: without A, B and C elect a leader.
            final ServerId withoutA = d.awaitLeader("kv", List.of(a.node()));
            assertHolds(client, withoutA, onlyAAndB, acknowledged, done + ": after " + b + " recovered");
        }
        d.node(a.node()).start();
        d.awaitClientConnected();
    }

    private static void assertHolds(final RaSystem client, final ServerId leader, final List<String> recent,
        final Map<String, String> acknowledged, final String what)
    {
        for (final String key : recent)
        {
            assertThat(consistentRead(client, leader, "get", key)).as(what + ": acknowledged " + key)
                .isEqualTo(acknowledged.get(key));
        }
        assertThat(consistentRead(client, leader, "size", null)).as(what + ": every acknowledged key")
            .isEqualTo(acknowledged.size());
    }

    private static void awaitCaughtUp(final Deployment d, final String node, final int keys)
    {
        final ServerId member = new ServerId("kv", node);
        InJvmCluster.await(() -> Integer.valueOf(keys).equals(d.client.namedQuery(member, "size", null, false)
            .result()), WAIT, node + " to hold all " + keys + " keys");
    }

    private static long commitIndex(final Deployment d, final ServerId member)
    {
        for (final String word : d.status(member).orElseThrow(() -> new AssertionError("no status of " + member)))
        {
            if (word.startsWith("commit="))
            {
                return Long.parseLong(word.substring("commit=".length()));
            }
        }
        throw new AssertionError("no commit index in the status of " + member);
    }

    // ------------------------------------------------------------------------------------------------ damage

    private static Path dataDir(final String node)
    {
        return Path.of("target", "node-data", TEST, node).toAbsolutePath();
    }

    /**
     * Damage B's files; WAL damage lands inside the entries after {@code cutAt}, which only A and B acknowledged.
     *
     * @return what was done.
     */
    private static String damage(final Damage damage, final Path data, final long cutAt)
    {
        try
        {
            final Path meta = serverDir(data).resolve("meta");
            switch (damage)
            {
                case DELETE_META:
                    Files.delete(meta);
                    return "deleted " + meta;
                case EMPTY_META:
                    try (FileChannel file = FileChannel.open(meta, StandardOpenOption.WRITE))
                    {
                        file.truncate(0);
                    }
                    return "emptied " + meta;
                case DELETE_BOTH_META_FILES:
                    Files.delete(meta);
                    Files.delete(meta.resolveSibling("meta.copy"));
                    return "deleted " + meta + " and its copy (term and vote lost)";
                default:
                    break;
            }
            final Path wal = newestWal(data);
            final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(wal));
            final List<long[]> batches = batches(bytes, sequenceOf(wal));
            final long validEnd = batches.isEmpty() ? WAL_HEADER : batches.get(batches.size() - 1)[1];
            long[] target = null;
            for (final long[] batch : batches)
            {
                if (batch[2] > cutAt + 2)
                {
                    target = batch;
                    break;
                }
            }
            switch (damage)
            {
                case DELETE_NEWEST_WAL:
                    Files.delete(wal);
                    return "deleted " + wal + " (" + validEnd + " bytes of batches)";
                case TRUNCATE_WAL_TO_HEADER:
                    truncate(wal, WAL_HEADER);
                    return "truncated " + wal + " from " + validEnd + " bytes of batches to its header";
                default:
                    break;
            }
            assertThat(target).as("a batch of entries after index " + cutAt + " in " + wal).isNotNull();
            switch (damage)
            {
                case TRUNCATE_AT_BATCH:
                    truncate(wal, target[0]);
                    return "truncated " + wal + " at the batch boundary " + target[0] + " (entries from " +
                        target[2] + "; valid data ended at " + validEnd + ")";
                case TRUNCATE_INSIDE_BATCH:
                    final long inside = target[0] + (target[1] - target[0]) / 2;
                    truncate(wal, inside);
                    return "truncated " + wal + " at " + inside + ", inside the batch of entries from " + target[2];
                case ZERO_FILL_TAIL:
                    try (FileChannel file = FileChannel.open(wal, StandardOpenOption.WRITE))
                    {
                        file.write(ByteBuffer.allocate((int)(validEnd - target[0])), target[0]);
                        file.force(true);
                    }
                    return "zero-filled " + wal + " from " + target[0] + " to " + validEnd + " (entries from " +
                        target[2] + ")";
                default:
                    throw new IllegalArgumentException(damage.toString());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path serverDir(final Path data) throws IOException
    {
        try (Stream<Path> dirs = Files.list(data.resolve("servers")))
        {
            return dirs.filter(p -> p.getFileName().toString().startsWith("kv")).findFirst().orElseThrow();
        }
    }

    private static Path newestWal(final Path data) throws IOException
    {
        try (Stream<Path> files = Files.list(data.resolve("wal")))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".wal"))
                .max(Comparator.comparingLong(StorageDamageMultiProcessTest::sequenceOf)).orElseThrow();
        }
    }

    private static long sequenceOf(final Path wal)
    {
        final String name = wal.getFileName().toString();
        return Long.parseUnsignedLong(name.substring(0, name.indexOf('.')), 16);
    }

    /**
     * The batches of a WAL file as documented in docs/log-format.md, followed by their headers (checksums are ra-log's
     * business): start offset, end offset, first entry index (or -1).
     */
    private static List<long[]> batches(final ByteBuffer file, final long sequence)
    {
        final List<long[]> batches = new ArrayList<>();
        int at = WAL_HEADER;
        while (at + RECORD_HEADER <= file.limit() && file.get(at + 8) == BATCH && file.getLong(at + 13) == sequence)
        {
            final long length = file.getLong(at + 21);
            if (length < RECORD_HEADER || at + length > file.limit())
            {
                break;
            }
            long firstEntry = -1;
            int record = at + RECORD_HEADER;
            while (record < at + length)
            {
                if (file.get(record + 8) == ENTRY && firstEntry < 0)
                {
                    firstEntry = file.getLong(record + 13);
                }
                record += RECORD_HEADER + file.getInt(record + 4);
            }
            batches.add(new long[] {at, at + length, firstEntry});
            at += (int)length;
        }
        return batches;
    }

    private static void truncate(final Path file, final long size) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(size);
            channel.force(true);
        }
    }

    private static long logSize(final String node)
    {
        final Path log = Path.of("target", "node-logs", TEST, node + ".log");
        try
        {
            return Files.exists(log) ? Files.size(log) : 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static List<String> newLogLines(final String node, final long from)
    {
        final Path log = Path.of("target", "node-logs", TEST, node + ".log");
        try
        {
            final byte[] all = Files.readAllBytes(log);
            return List.of(new String(all, (int)Math.min(from, all.length), (int)Math.max(0, all.length - from),
                java.nio.charset.StandardCharsets.UTF_8).split("\n"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    // ------------------------------------------------------------------------------------------------ client

    private String put(final RaSystem client, final ServerId server, final Map<String, String> acknowledged)
    {
        final String key = "k" + written++;
        final KvMachine.Put put = new KvMachine.Put(key, "v" + key);
        for (int attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                client.processCommand(server, put);
                acknowledged.put(key, put.value());
                return key;
            }
            catch (final CommandOutcomeUnknownException | RaTimeoutException | ServerStoppedException ex)
            {
                // Idempotent (only this call writes the key, always with this value): sending it again is safe.
            }
        }
        throw new AssertionError(put + " was not acknowledged in 5 attempts");
    }

    private static Object consistentRead(final RaSystem client, final ServerId server, final String query,
        final Object argument)
    {
        return InJvmCluster.await(() ->
        {
            try
            {
                final QueryResult<Object> result = client.namedQueryAsync(server, query, argument, true,
                    Duration.ofSeconds(3)).join();
                return Optional.ofNullable(result.result());
            }
            catch (final CompletionException failed)
            {
                return null;
            }
        }, WAIT, "a consistent " + query + " " + argument + " from " + server).orElse(null);
    }
}
