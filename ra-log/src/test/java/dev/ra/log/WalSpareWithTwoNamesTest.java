package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static dev.ra.log.TestEntries.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WAL file renamed to a spare (recycled) or a spare renamed to a WAL file (claimed), with a crash before the WAL
 * directory was synced, on a file system that wrote out one end of the rename and not the other: the file has both
 * names. A spare with a second name must never be written over while the other name still leads to it.
 */
class WalSpareWithTwoNamesTest
{
    private static final ServerId A = new ServerId("a", "n1");

    @TempDir
    Path dir;

    /** Whether the file system counts links; one that does not says 1 for every file. */
    private boolean linksCounted = true;

    private FileStorage storage()
    {
        final FileLayer uncounted = new ForwardingFileLayer()
        {
            @Override
            public int linkCount(final Path path)
            {
                return 1;
            }
        };
        return FileStorage.builder().directory(dir).segmentMaxEntries(10)
            .fileLayer(linksCounted ? RealFileLayer.INSTANCE : uncounted).build();
    }

    private Path wal()
    {
        return dir.resolve("wal");
    }

    /**
     * The spare name of a flushed WAL file that also kept its WAL name was adopted: the start replayed the WAL file
     * again and renamed it to that spare name (a rename between two names of one file does nothing, so both stayed),
     * then claimed the spare as its new WAL file and wrote over it. The next start found the older WAL file holding
     * the newer one's header and refused to open ("damaged WAL file header").
     */
    @Test
    void aSpareThatIsAlsoAWalFileIsNotWrittenOver() throws Exception
    {
        spareThatIsAlsoAWalFileIsNotWrittenOver();
    }

    /**
     * The same where the file system does not count links (it says 1 for every file): the spare name was adopted and
     * the recycling rename between the file's two names did nothing, so the WAL name still led to the spare claimed
     * and written over as a later WAL file, and the next start refused to open.
     */
    @Test
    void aSpareThatIsAlsoAWalFileIsNotWrittenOverWhereLinksAreNotCounted() throws Exception
    {
        linksCounted = false;
        spareThatIsAlsoAWalFileIsNotWrittenOver();
    }

    private void spareThatIsAlsoAWalFileIsNotWrittenOver() throws Exception
    {
        append(1, 20);
        append(21, 30);
        final Path walFile;
        try (Stream<Path> files = Files.list(wal()))
        {
            for (final Path spare : files.filter(p -> p.toString().endsWith(".spare")).toList())
            {
                Files.delete(spare);
            }
        }
        try (Stream<Path> files = Files.list(wal()))
        {
            walFile = files.filter(p -> p.toString().endsWith(".wal")).findFirst().orElseThrow();
        }
        final long sequence = WalFormat.sequenceOf(walFile.getFileName().toString());
        Files.createLink(wal().resolve(WalFormat.spareName(sequence)), walFile);
        append(31, 40);
        append(41, 50);
        try (FileStorage storage = storage())
        {
            final ServerStorage server = storage.open(A, new RecordingListener());
            assertThat(server.log().lastIndex()).isEqualTo(50);
            for (long i = 1; i <= 50; i++)
            {
                assertThat(server.log().entry(i)).isEqualTo(entry(i, 1));
            }
        }
    }

    private void append(final long from, final long to) throws Exception
    {
        try (FileStorage storage = storage())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(A, listener);
            server.log().append(range(from, to, 1));
            assertThat(listener.awaitIndex(to)).isTrue();
        }
    }
}
