package dev.ra.log;

import static dev.ra.log.SegmentWriting.writeDurably;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Large segments are written with direct I/O (their whole blocks around the page cache, the last partial block
 * through it): the files are the same as written through the page cache, whether or not they end on a block
 * boundary and however many direct writes they take; small segments and file systems without direct I/O take the
 * page cache.
 */
class DirectSegmentWritesTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} entries of {1} bytes")
    @CsvSource({
        "64, 2007",    // 131,072 bytes: whole blocks only
        "100, 1000",   // 104,064 bytes: 25 blocks and 1,664 bytes
        "3000, 1000",  // 3 MiB and more: several direct writes
    })
    void aDirectlyWrittenSegmentIsTheSameFile(final int entries, final int payload) throws Exception
    {
        assumeTrue(directWritesAvailable(), "the file system of the temporary directory has no direct I/O");
        final CountingLayer direct = new CountingLayer(true);
        final SegmentBuilder builder = segment(entries, payload);
        final SegmentFile written = writeDurably(builder, direct, Files.createDirectories(dir.resolve("direct")),
            null);
        final long end = written.size();
        assertThat(direct.given).as("files opened for direct writes").isEqualTo(1);
        assertThat(builder.cachedBytes()).as("bytes through the page cache").isEqualTo(end % 4096);

        final CountingLayer cached = new CountingLayer(false);
        final SegmentBuilder same = segment(entries, payload);
        final SegmentFile copy = writeDurably(same, cached, Files.createDirectories(dir.resolve("cached")), null);
        assertThat(cached.asked).as("a direct open was asked for, and refused").isEqualTo(1);
        assertThat(same.cachedBytes()).isEqualTo(end);

        assertThat(Files.readAllBytes(written.path())).isEqualTo(Files.readAllBytes(copy.path()));
        assertThat(SegmentFile.open(RealFileLayer.INSTANCE, written.path()).count()).isEqualTo(entries);
        assertThat(Files.list(dir.resolve("direct")).count()).as("no temporary file left").isEqualTo(1);
    }

    @Test
    void aFileSystemThatRefusesDirectWritesGetsTheSameFilesThroughThePageCache() throws Exception
    {
        final int entries = 3000;
        final int payload = 1000;
        final RefusingLayer refusing = new RefusingLayer();
        final SegmentBuilder builder = new SegmentBuilder(SegmentBuilder.DIRECT_MIN_BYTES);
        fill(builder, 3, entries, payload);
        final SegmentFile first = writeDurably(builder, refusing, Files.createDirectories(dir.resolve("refused")),
            null);
        assertThat(refusing.directWrites).as("the first direct write went, the second was refused").isEqualTo(2);
        assertThat(builder.cachedBytes()).as("what followed the refused write").isEqualTo(first.size() - (1 << 20));
        fill(builder, 4, entries, payload);
        final SegmentFile second = writeDurably(builder, refusing, dir.resolve("refused"), null);
        assertThat(refusing.asked).as("no direct open after a refusal").isEqualTo(1);
        assertThat(builder.cachedBytes()).isEqualTo(second.size());

        final SegmentBuilder cached = new SegmentBuilder(Integer.MAX_VALUE);
        fill(cached, 3, entries, payload);
        final SegmentFile copy = writeDurably(cached, RealFileLayer.INSTANCE,
            Files.createDirectories(dir.resolve("cached")), null);
        assertThat(Files.readAllBytes(first.path())).isEqualTo(Files.readAllBytes(copy.path()));
        assertThat(SegmentFile.open(RealFileLayer.INSTANCE, second.path()).count()).isEqualTo(entries);
    }

    @Test
    void aSmallSegmentGoesThroughThePageCache() throws Exception
    {
        final CountingLayer layer = new CountingLayer(true);
        final SegmentBuilder builder = segment(10, 1000);
        final SegmentFile written = writeDurably(builder, layer, dir, null);
        assertThat(written.size()).isLessThan(SegmentBuilder.DIRECT_MIN_BYTES);
        assertThat(layer.asked).isZero();
        assertThat(builder.cachedBytes()).isEqualTo(written.size());
        assertThat(SegmentFile.open(RealFileLayer.INSTANCE, written.path()).count()).isEqualTo(10);
    }

    private boolean directWritesAvailable() throws IOException
    {
        final Path probe = dir.resolve("probe");
        try (LogFile file = RealFileLayer.INSTANCE.openDirect(probe, SegmentBuilder.DIRECT_ALIGNMENT))
        {
            return null != file;
        }
        finally
        {
            Files.deleteIfExists(probe);
        }
    }

    private static SegmentBuilder segment(final int entries, final int payload)
    {
        final SegmentBuilder builder = new SegmentBuilder(SegmentBuilder.DIRECT_MIN_BYTES);
        fill(builder, 3, entries, payload);
        return builder;
    }

    private static void fill(final SegmentBuilder builder, final long sequence, final int entries, final int payload)
    {
        final byte[] bytes = new byte[entries * payload];
        new Random(entries).nextBytes(bytes);
        final ByteBuffer payloads = ByteBuffer.wrap(bytes);
        builder.start(sequence, 1, 0);
        for (int i = 0; i < entries; i++)
        {
            builder.add(1 + i, 1, payloads, i * payload, payload);
        }
    }

    /**
     * Opens files for direct writes (really through the page cache) and then refuses the second direct write, as a
     * file system with alignment rules other than the ones it reports would.
     */
    private static final class RefusingLayer extends ForwardingFileLayer
    {
        private int asked;
        private int directWrites;

        @Override
        public LogFile openDirect(final Path path, final int alignment) throws IOException
        {
            asked++;
            return new ForwardingLogFile(open(path, true))
            {
                @Override
                public void write(final ByteBuffer src, final long position) throws IOException
                {
                    if (++directWrites > 1)
                    {
                        throw new IOException("Invalid argument (simulated)");
                    }
                    super.write(src, position);
                }
            };
        }
    }

    /** The real file system, with direct I/O or refusing it; counts what was asked and given. */
    private static final class CountingLayer extends ForwardingFileLayer
    {
        private final boolean direct;
        private int asked;
        private int given;

        CountingLayer(final boolean direct)
        {
            this.direct = direct;
        }

        @Override
        public LogFile openDirect(final Path path, final int alignment) throws IOException
        {
            asked++;
            final LogFile file = direct ? super.openDirect(path, alignment) : null;
            if (null != file)
            {
                given++;
            }
            return file;
        }
    }
}
