package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.codec.BufferWriter;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.LogEntry;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed table of an open segment: terms and offsets as the file's table has them, in about 4 bytes per entry.
 */
class SegmentReaderTest
{
    @TempDir
    Path dir;

    @Test
    void readsEveryEntryWithItsTermAcrossRunsOfTerms() throws Exception
    {
        final long[] terms = {1, 1, 1, 2, 2, 5, 5, 5, 5, 7};
        final SegmentReader reader = open(write(100, terms));
        try
        {
            for (int i = 0; i < terms.length; i++)
            {
                assertThat(reader.term(100 + i)).as("term of %d", 100 + i).isEqualTo(terms[i]);
                assertThat(reader.payloadSize(100 + i)).isEqualTo(encoded(100 + i, terms[i]).length);
            }
            // Reads starting inside a run and crossing into later ones decode each entry with its own term (a wrong
            // term would fail the record's check).
            for (int from = 100; from < 100 + terms.length; from++)
            {
                final List<LogEntry> out = new ArrayList<>();
                assertThat(reader.read(from, 200, 100, Long.MAX_VALUE, out)).isEqualTo(110 - from);
                for (int i = 0; i < out.size(); i++)
                {
                    assertThat(out.get(i).index()).isEqualTo(from + i);
                    assertThat(out.get(i).term()).isEqualTo(terms[from - 100 + i]);
                }
            }
            assertThatThrownBy(() -> reader.term(110)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> reader.term(99)).isInstanceOf(IllegalArgumentException.class);
        }
        finally
        {
            reader.close();
        }
    }

    @Test
    void aSegmentOfOneTermCostsAboutFourBytesPerEntry() throws Exception
    {
        final int count = FileStorage.DEFAULT_SEGMENT_MAX_ENTRIES;
        final long[] terms = new long[count];
        Arrays.fill(terms, 3);
        terms[count - 1] = 4;
        final SegmentReader reader = open(write(1, terms));
        try
        {
            // One int offset per entry plus the end, and two runs of terms: the file's table has 16 bytes per entry.
            assertThat(reader.tableBytes()).isEqualTo(4L * (count + 1) + 2 * (4 + 8));
            assertThat(reader.term(count - 1)).isEqualTo(3);
            assertThat(reader.term(count)).isEqualTo(4);
            final List<LogEntry> out = new ArrayList<>();
            assertThat(reader.read(count - 2, count, 10, Long.MAX_VALUE, out)).isEqualTo(3);
            assertThat(out).extracting(LogEntry::term).containsExactly(3L, 3L, 4L);
        }
        finally
        {
            reader.close();
        }
    }

    @Test
    void aSegmentWhoseTableLiesBeyondTwoGibibytesIsRefusedAsDamaged() throws Exception
    {
        // A valid segment moved apart (a sparse file): its table and trailer rewritten past 2 GiB, checksums intact, so
        // only the size gives it away. No segment this code writes is that large; a reader must refuse it by name
        // rather than wrap its offsets.
        final SegmentFile small = write(1, new long[] {1, 1, 1});
        final byte[] bytes = Files.readAllBytes(small.path());
        final ByteBuffer trailer = ByteBuffer.wrap(bytes, bytes.length - SegmentFile.TRAILER, SegmentFile.TRAILER)
            .slice();
        final int tableOffset = (int)trailer.getLong(0);
        final int tableLength = bytes.length - SegmentFile.TRAILER - tableOffset;
        final long farTable = (1L << 31) + 4096;
        trailer.putLong(0, farTable);
        trailer.putInt(20, Formats.crc(trailer, 0, 20));
        try (FileChannel channel = FileChannel.open(small.path(), StandardOpenOption.WRITE))
        {
            channel.truncate(tableOffset);
            channel.write(ByteBuffer.wrap(bytes, tableOffset, tableLength), farTable);
            channel.write(trailer.rewind(), farTable + tableLength);
        }
        final SegmentFile moved = SegmentFile.open(RealFileLayer.INSTANCE, small.path());
        assertThat(moved.size()).isGreaterThan(Integer.MAX_VALUE);
        assertThatThrownBy(() -> SegmentReader.open(RealFileLayer.INSTANCE, moved))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(small.path().toString())
            .hasMessageContaining("larger than 2 GiB");
    }

    private SegmentFile write(final long firstIndex, final long[] terms) throws Exception
    {
        final Path segments = Files.createDirectories(dir.resolve("segments"));
        final SegmentBuilder builder = new SegmentBuilder(SegmentBuilder.DIRECT_MIN_BYTES);
        builder.start(firstIndex, firstIndex, 0);
        for (int i = 0; i < terms.length; i++)
        {
            final byte[] payload = encoded(firstIndex + i, terms[i]);
            builder.add(firstIndex + i, terms[i], ByteBuffer.wrap(payload), 0, payload.length);
        }
        return SegmentWriting.writeDurably(builder, RealFileLayer.INSTANCE, segments, null);
    }

    private static SegmentReader open(final SegmentFile segment) throws Exception
    {
        return SegmentReader.open(RealFileLayer.INSTANCE, SegmentFile.open(RealFileLayer.INSTANCE, segment.path()));
    }

    private static byte[] encoded(final long index, final long term)
    {
        final LogEntry entry = TestEntries.entry(index, term);
        final BufferWriter out = new BufferWriter(64);
        EntryCodec.INSTANCE.encode(entry, out);
        return out.toByteArray();
    }
}
