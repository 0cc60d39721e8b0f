package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incremental {@code wal.mark} (format version 2): a round writes only the rows of the servers in it, a torn round
 * reads as the state before it, rows of an earlier WAL file say nothing, and the version 1 file of an earlier release
 * still reads.
 */
class WalMarkTest
{
    private static final int SECTOR = 512;

    @TempDir
    Path dir;

    private WalMark.State read() throws IOException
    {
        return WalMark.read(RealFileLayer.INSTANCE, dir);
    }

    private Path file()
    {
        return dir.resolve(WalMark.FILE);
    }

    private static long uid(final int server)
    {
        return 0x5EED_0000L + server;
    }

    /**
     * The first round of a new WAL file: servers {@code 0 .. servers - 1} (ref {@code s + 1}) each with a row saying
     * {@code index}, term 1.
     */
    private static void firstRound(final WalMark mark, final long walSequence, final int servers, final long index,
        final long end) throws IOException
    {
        mark.startFile(walSequence);
        for (int s = 0; s < servers; s++)
        {
            mark.put(s + 1, uid(s), index, 1);
        }
        mark.write(end, true);
    }

    @Test
    void aNewMarkSaysNothing() throws Exception
    {
        try (WalMark mark = WalMark.create(RealFileLayer.INSTANCE, dir))
        {
            assertThat(read().sequence()).isZero();
            assertThat(read().servers()).isEmpty();
        }
    }

    @Test
    void aRoundWritesOnlyThePagesOfItsServers() throws Exception
    {
        final int servers = 10_000;
        try (WalMark mark = WalMark.create(RealFileLayer.INSTANCE, dir))
        {
            firstRound(mark, 7, servers, 10, 1000);
            final byte[] before = Files.readAllBytes(file());
            // One server, then two far apart: only their rows' 4 KiB pages (and the head) change.
            mark.put(1 + 1, uid(1), 11, 1);
            mark.write(2000, true);
            mark.put(9_999 + 1, uid(9_999), 12, 2);
            mark.put(5 + 1, uid(5), 13, 2);
            mark.write(3000, true);
            final byte[] after = Files.readAllBytes(file());
            assertThat(after).hasSameSizeAs(before);
            for (int page = 1; page < after.length / 4096; page++)
            {
                final boolean changed = !java.util.Arrays.equals(before, page * 4096, (page + 1) * 4096, after,
                    page * 4096, (page + 1) * 4096);
                final int firstRow = (page - 1) * 4096 / WalMark.ROW_SIZE;
                final boolean hasWritten = firstRow <= 5 || firstRow <= 9_999 && 9_999 < firstRow + 32;
                assertThat(changed).as("page %d", page).isEqualTo(hasWritten);
            }
        }
        final WalMark.State state = read();
        assertThat(state.sequence()).isEqualTo(7);
        assertThat(state.end()).isEqualTo(3000);
        assertThat(state.servers()).hasSize(servers);
        assertThat(state.servers().get(uid(0))).containsExactly(10, 1);
        assertThat(state.servers().get(uid(1))).containsExactly(11, 1);
        assertThat(state.servers().get(uid(5))).containsExactly(13, 2);
        assertThat(state.servers().get(uid(9_999))).containsExactly(12, 2);
    }

    @Test
    void aRoundOfServersOnTheFirstPageOfRowsIsOneWriteAndOneSync() throws Exception
    {
        final List<String> calls = new ArrayList<>();
        final FileLayer counting = new ForwardingFileLayer()
        {
            @Override
            public LogFile open(final Path path, final boolean create) throws IOException
            {
                return new ForwardingLogFile(super.open(path, create))
                {
                    @Override
                    public void write(final ByteBuffer src, final long position) throws IOException
                    {
                        calls.add("write " + position + " " + src.remaining());
                        super.write(src, position);
                    }

                    @Override
                    public void force() throws IOException
                    {
                        calls.add("force");
                        super.force();
                    }
                };
            }
        };
        try (WalMark mark = WalMark.create(counting, dir))
        {
            firstRound(mark, 4, 3, 1, 100);
            calls.clear();
            // Two servers on the first page: the head slots and that page up to the later one's row in one write.
            mark.put(1, uid(0), 2, 1);
            mark.put(3, uid(2), 2, 1);
            mark.write(200, true);
            assertThat(calls).containsExactly("write 512 " + (WalMark.ROWS_OFFSET + 3 * WalMark.ROW_SIZE - 512),
                "force");
            calls.clear();
            // No server: the head slot alone (the rounds take the slots at 512 and 1024 in turn).
            mark.write(300, true);
            assertThat(calls).containsExactly("write 1024 " + WalMark.HEAD_SLOT_SIZE, "force");
        }
        final WalMark.State state = read();
        assertThat(state.end()).isEqualTo(300);
        assertThat(state.servers().get(uid(0))).containsExactly(2, 1);
        assertThat(state.servers().get(uid(1))).containsExactly(1, 1);
        assertThat(state.servers().get(uid(2))).containsExactly(2, 1);
        // A server beyond the first page: its page, then the head slot, as before.
        try (WalMark mark = WalMark.create(counting, dir))
        {
            firstRound(mark, 5, 40, 1, 100);
            calls.clear();
            mark.put(40, uid(39), 2, 1);
            mark.write(200, true);
            assertThat(calls).containsExactly("write " + (WalMark.ROWS_OFFSET + 4096) + " " + 8 * WalMark.ROW_SIZE,
                "write 512 " + WalMark.HEAD_SLOT_SIZE, "force");
        }
        assertThat(read().servers().get(uid(39))).containsExactly(2, 1);
        assertThat(read().servers().get(uid(0))).containsExactly(1, 1);
    }

    @Test
    void aServerInSeveralBatchesOfOneRoundKeepsItsLastSyncedValue() throws Exception
    {
        try (WalMark mark = WalMark.create(RealFileLayer.INSTANCE, dir))
        {
            firstRound(mark, 3, 1, 5, 100);
            final byte[] synced = Files.readAllBytes(file());
            // Two batches merged into one round: the second put must not overwrite the half the last round synced.
            mark.put(1, uid(0), 6, 1);
            mark.put(1, uid(0), 7, 1);
            mark.write(200, true);
            final byte[] written = Files.readAllBytes(file());
            tornBetween(synced, written, new Random(1), 1.0);
            assertThat(read().servers().get(uid(0))).containsExactly(7, 1);
            // The row's new half torn, the head written: the server falls back to what it was told before.
            final int newHalf = rowHalfThatDiffers(synced, written, 0);
            final byte[] torn = written.clone();
            torn[newHalf + 20] ^= 1;
            Files.write(file(), torn);
            assertThat(read().end()).isEqualTo(200);
            assertThat(read().servers().get(uid(0))).containsExactly(5, 1);
        }
    }

    @Test
    void aTornRoundReadsAsTheStateBeforeItOrAfterIt() throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final int servers = 200;
        try (WalMark mark = WalMark.create(RealFileLayer.INSTANCE, dir))
        {
            firstRound(mark, 5, servers, 1, 500);
            for (int round = 0; round < 40; round++)
            {
                final Map<Long, long[]> beforeRows = read().servers();
                final long beforeEnd = read().end();
                final byte[] before = Files.readAllBytes(file());
                for (int k = random.nextInt(30); k >= 0; k--)
                {
                    final int s = random.nextInt(servers);
                    mark.put(s + 1, uid(s), beforeRows.get(uid(s))[0] + 1 + random.nextInt(3), 2);
                }
                final long end = beforeEnd + 100;
                mark.write(end, true);
                final byte[] after = Files.readAllBytes(file());
                final Map<Long, long[]> afterRows = read().servers();
                // A crash during the round: each sector of the file is as before or as after it.
                tornBetween(before, after, random, random.nextDouble());
                final WalMark.State torn = read();
                assertThat(torn).as("seed %d round %d", seed, round).isNotNull();
                assertThat(torn.end()).as("seed %d", seed).isIn(beforeEnd, end);
                assertThat(torn.servers()).as("seed %d", seed).hasSize(servers);
                for (int s = 0; s < servers; s++)
                {
                    final long[] value = torn.servers().get(uid(s));
                    if (torn.end() == beforeEnd)
                    {
                        assertThat(value).as("seed %d server %d", seed, s).isEqualTo(beforeRows.get(uid(s)));
                    }
                    else
                    {
                        assertThat(value).as("seed %d server %d", seed, s)
                            .isIn(beforeRows.get(uid(s)), afterRows.get(uid(s)));
                    }
                }
                Files.write(file(), after);
            }
        }
    }

    @Test
    void afterRotationOnlyTheNewFilesServersCount() throws Exception
    {
        try (WalMark mark = WalMark.create(RealFileLayer.INSTANCE, dir))
        {
            firstRound(mark, 1, 2, 10, 300);
            final byte[] firstFile = Files.readAllBytes(file());
            mark.startFile(2);
            mark.put(1, uid(0), 11, 1);
            mark.write(100, true);
            final WalMark.State state = read();
            assertThat(state.sequence()).isEqualTo(2);
            assertThat(state.end()).isEqualTo(100);
            assertThat(state.servers()).containsOnlyKeys(uid(0));
            assertThat(state.servers().get(uid(0))).containsExactly(11, 1);
            // The first round of the new file torn before its head: the mark still speaks of the earlier file.
            final byte[] written = Files.readAllBytes(file());
            final byte[] torn = written.clone();
            System.arraycopy(firstFile, 0, torn, 0, 4096);
            Files.write(file(), torn);
            final WalMark.State before = read();
            assertThat(before.sequence()).isEqualTo(1);
            assertThat(before.end()).isEqualTo(300);
            assertThat(before.servers()).containsOnlyKeys(uid(0), uid(1));
            assertThat(before.servers().get(uid(0))).containsExactly(10, 1);
        }
    }

    @Test
    void theServerReopenedUnderANewRefKeepsItsRow() throws Exception
    {
        try (WalMark mark = WalMark.create(RealFileLayer.INSTANCE, dir))
        {
            firstRound(mark, 1, 1, 10, 300);
            final long size = Files.size(file());
            mark.put(2, uid(0), 11, 1);
            mark.write(400, true);
            assertThat(Files.size(file())).isEqualTo(size);
        }
        assertThat(read().servers()).hasSize(1);
        assertThat(read().servers().get(uid(0))).containsExactly(11, 1);
    }

    @Test
    void bothHeadSlotsDamagedIsUnreadable() throws Exception
    {
        try (WalMark mark = WalMark.create(RealFileLayer.INSTANCE, dir))
        {
            firstRound(mark, 1, 1, 10, 300);
            mark.write(400, true);
        }
        final byte[] bytes = Files.readAllBytes(file());
        bytes[WalMark.HEAD_SLOT_OFFSET + 10] ^= 1;
        bytes[2 * WalMark.HEAD_SLOT_OFFSET + 10] ^= 1;
        Files.write(file(), bytes);
        assertUnreadableSaying("neither of its head slots (at offsets 512 and 1024");
    }

    @Test
    void aMarkWithoutItsHeaderIsUnreadableAndTheWarningSaysSo() throws Exception
    {
        Files.write(file(), new byte[] {'R', 'A', 'M', 'K', 0, 0});
        assertUnreadableSaying("its header is unreadable (6 bytes");
    }

    @Test
    void bothSlotsOfAVersion1MarkDamagedIsUnreadableAndTheWarningSaysSo() throws Exception
    {
        Files.copy(Path.of("src/test/resources/formats/0.1.0/wal.mark"), file(), StandardCopyOption.REPLACE_EXISTING);
        final byte[] bytes = Files.readAllBytes(file());
        final int slotSize = ByteBuffer.wrap(bytes).getInt(8);
        bytes[4096 + 20] ^= 1;
        bytes[4096 + slotSize + 20] ^= 1;
        Files.write(file(), bytes);
        assertUnreadableSaying("neither of its two slots (format version 1)");
    }

    /** The mark reads as unreadable, and the start's warning names the file and {@code what} of it. */
    private void assertUnreadableSaying(final String what) throws IOException
    {
        assertThat(read()).isNull();
        assertThat(StorageDamage.unreadableMarkWarning(RealFileLayer.INSTANCE, file()))
            .startsWith(file() + ": " + what).endsWith("cannot be detected at this start");
    }

    @Test
    void theVersion1MarkOfAnEarlierReleaseStillReads() throws Exception
    {
        Files.copy(Path.of("src/test/resources/formats/0.1.0/wal.mark"), file(), StandardCopyOption.REPLACE_EXISTING);
        final WalMark.State state = read();
        assertThat(state.sequence()).isEqualTo(2);
        assertThat(state.end()).isEqualTo(0x18c8);
        assertThat(state.servers()).hasSize(1);
        assertThat(state.servers().get(0x426395ea16b0a1efL)).containsExactly(0x88, 3);
    }

    /** Write over the mark a file whose every sector is, at random, as in {@code before} or as in {@code after}. */
    private void tornBetween(final byte[] before, final byte[] after, final Random random, final double newShare)
        throws IOException
    {
        final byte[] torn = after.clone();
        for (int at = 0; at < Math.min(before.length, after.length); at += SECTOR)
        {
            if (random.nextDouble() >= newShare)
            {
                System.arraycopy(before, at, torn, at, Math.min(SECTOR, before.length - at));
            }
        }
        Files.write(file(), torn);
    }

    private static int rowHalfThatDiffers(final byte[] before, final byte[] after, final int row)
    {
        final int start = WalMark.ROWS_OFFSET + row * WalMark.ROW_SIZE;
        final ByteBuffer a = ByteBuffer.wrap(before);
        final ByteBuffer b = ByteBuffer.wrap(after);
        return a.getLong(start + 8) != b.getLong(start + 8) ? start : start + WalMark.HALF_SIZE;
    }
}
