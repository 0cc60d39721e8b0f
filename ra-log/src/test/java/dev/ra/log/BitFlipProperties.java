package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One bit flipped anywhere in durable data (WAL files and spares, segments, snapshots, meta store): recovery either
 * refuses with an error naming the damaged file, or reports the damage when the entry is read, or (for the last batch
 * of the newest WAL file only, which looks exactly like a torn write) cuts that batch. It never returns a wrong entry
 * and never silently drops anything else.
 */
class BitFlipProperties
{
    private static final Path ROOT = Path.of("/flip");
    private static final int SERVERS = 2;

    private static ServerId id(final int i)
    {
        return new ServerId("f" + i, "n");
    }

    private static FileStorage storage(final FaultyFileLayer disk)
    {
        return FileStorage.builder().directory(ROOT).walMaxSizeBytes(64 << 10).segmentMaxEntries(16)
            .fileLayer(disk.view()).build();
    }

    /** The seed of a flip's random decisions and the number of batches each server writes before it. */
    record Flip(long seed, int batches)
    {
    }

    @Test
    void aFlippedBitIsDetectedNeverServed()
    {
        final Gen<Long> seeds = Gen.longs();
        final Gen<Integer> batches = Gen.ints(1, 12);
        Property.forAll(100, c -> new Flip(seeds.next(c), batches.next(c)),
            flip -> aFlippedBitIsDetectedNeverServed(flip.seed(), flip.batches()));
    }

    private static void aFlippedBitIsDetectedNeverServed(final long seed, final int batches) throws Exception
    {
        final Random random = new Random(seed);
        final FaultyFileLayer disk = new FaultyFileLayer();
        final List<List<LogEntry>> written = new ArrayList<>();
        final long[] snapshotAt = new long[SERVERS];
        try (FileStorage storage = storage(disk))
        {
            for (int s = 0; s < SERVERS; s++)
            {
                final RecordingListener listener = new RecordingListener();
                final ServerStorage server = storage.open(id(s), listener);
                server.meta().storeTermAndVote(1, id(s));
                server.meta().storeTermAndVote(2, null);
                final List<LogEntry> log = new ArrayList<>();
                for (int b = 0; b < batches; b++)
                {
                    final List<LogEntry> batch = new ArrayList<>();
                    final int size = 1 + random.nextInt(40);
                    for (int k = 0; k < size; k++)
                    {
                        final long index = log.size() + 1;
                        batch.add(TestEntries.entry(index, 1, "f" + s + "-" + index + "-" + "y".repeat(300)));
                        log.add(batch.get(k));
                    }
                    server.log().append(batch);
                    assertThat(listener.awaitIndex(log.size())).isTrue();
                }
                if (random.nextBoolean())
                {
                    final long at = 1 + random.nextInt(log.size());
                    server.snapshots().write(new SnapshotMeta(at, 1, List.of(), 0), Bytes.wrap(new byte[] {7, 7}));
                    server.log().truncateUpTo(at);
                    snapshotAt[s] = at;
                }
                written.add(log);
            }
        }
        final List<Path> candidates = new ArrayList<>(disk.files(ROOT.resolve("wal")));
        for (int s = 0; s < SERVERS; s++)
        {
            final Path dir = ROOT.resolve("servers").resolve(ServerDirectory.dirName(id(s)));
            candidates.addAll(disk.files(dir.resolve("segments")));
            candidates.addAll(disk.files(dir.resolve("snapshots")));
            candidates.add(dir.resolve("meta"));
        }
        candidates.removeIf(p -> disk.size(p) == 0);
        final Path victim = candidates.get(random.nextInt(candidates.size()));
        disk.flipBit(victim, random.nextInt((int)disk.size(victim)), random.nextInt(8));
        // Spares (flushed WAL files kept for reuse) are never read: a flip there changes nothing.
        final List<Path> wals = disk.files(ROOT.resolve("wal"));
        wals.removeIf(p -> WalFormat.sequenceOf(p.getFileName().toString()) < 0);
        final boolean newestWal = victim.equals(wals.get(wals.size() - 1));

        disk.crash(random, false, false);
        try (FileStorage storage = storage(disk))
        {
            for (int s = 0; s < SERVERS; s++)
            {
                final ServerStorage server;
                try
                {
                    server = storage.open(id(s), new RecordingListener());
                }
                catch (final IllegalStateException refused)
                {
                    assertThat(refused.getMessage()).as("refusal names a file").containsAnyOf(ROOT.toString());
                    continue;
                }
                assertThat(server.meta().currentTerm()).isIn(1L, 2L);
                final List<LogEntry> expected = written.get(s);
                final long last = server.log().lastIndex();
                if (!newestWal)
                {
                    assertThat(last).as("server %d last index after a flip in %s", s, victim)
                        .isEqualTo(expected.size());
                }
                final SnapshotMeta snapshot = server.snapshots().latest();
                assertThat(null == snapshot ? 0 : snapshot.index()).isIn(0L, snapshotAt[s]);
                for (long i = server.log().firstIndex(); i <= last; i++)
                {
                    try
                    {
                        assertThat(server.log().entry(i)).as("entry %d", i).isEqualTo(expected.get((int)i - 1));
                    }
                    catch (final UncheckedIOException detected)
                    {
                        assertThat(detected.getMessage()).contains(victim.toString());
                    }
                }
            }
        }
    }
}
