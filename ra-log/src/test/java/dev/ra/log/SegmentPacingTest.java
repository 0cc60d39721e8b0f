package dev.ra.log;

import static dev.ra.log.SegmentWriting.writeDurably;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment writer's pacing ({@link GiveWay} with a {@link WalSyncGate}) changes when it writes, never what: a
 * segment written in paced steps (synced every megabyte, each write after the WAL's sync in progress) is the same
 * file; and a WAL sync that never ends cannot stop the segment writer.
 */
class SegmentPacingTest
{
    @TempDir
    Path dir;

    private static SegmentBuilder segment(final ByteBuffer payloads, final int entries, final int size)
    {
        final SegmentBuilder builder = new SegmentBuilder(SegmentBuilder.DIRECT_MIN_BYTES);
        builder.start(9, 1, 0);
        for (int i = 0; i < entries; i++)
        {
            builder.add(1 + i, 1, payloads, i * size, size);
        }
        return builder;
    }

    @Test
    void aPacedSegmentIsTheSameFile() throws Exception
    {
        final int entries = 3000;
        final int size = 1000;
        final byte[] bytes = new byte[entries * size];
        new Random(7).nextBytes(bytes);
        final ByteBuffer payloads = ByteBuffer.wrap(bytes);
        final Path fast = Files.createDirectories(dir.resolve("fast"));
        final Path paced = Files.createDirectories(dir.resolve("paced"));
        writeDurably(segment(payloads, entries, size), RealFileLayer.INSTANCE, fast, null);
        final WalSyncGate gate = new WalSyncGate();
        final SegmentFile written = writeDurably(segment(payloads, entries, size), RealFileLayer.INSTANCE, paced,
            new GiveWay(gate, true));
        assertThat(Files.size(written.path())).isGreaterThan(2L << 20);
        assertThat(Files.readAllBytes(written.path()))
            .isEqualTo(Files.readAllBytes(fast.resolve(written.path().getFileName())));
        assertThat(SegmentFile.open(RealFileLayer.INSTANCE, written.path()).count()).isEqualTo(entries);
    }

    @Test
    void aSyncThatNeverEndsOnlyDelaysTheSegmentWriter() throws Exception
    {
        final WalSyncGate gate = new WalSyncGate();
        gate.syncStarts();
        assertThat(gate.syncInProgress()).isTrue();
        final byte[] bytes = new byte[300 * 1000];
        final SegmentFile written = writeDurably(segment(ByteBuffer.wrap(bytes), 300, 1000), RealFileLayer.INSTANCE,
            dir, new GiveWay(gate, false));
        assertThat(written.count()).isEqualTo(300);
        gate.syncEnds();
        assertThat(gate.syncInProgress()).isFalse();
    }
}
