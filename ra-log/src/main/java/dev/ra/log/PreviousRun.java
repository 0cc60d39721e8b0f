package dev.ra.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL files a previous run left, replayed at start-up into the servers' segments, and what becomes of them: a
 * flushed file is not recycled during the replay but held until the storage has compared the files with the WAL mark
 * and recorded any damage it found in the servers' meta stores ({@link StorageDamage}). A file recycled before that
 * would be taken, by a start after a crash in between, for one a crashed start had finished with: the damage would go
 * unreported, and a server whose log lost acknowledged entries would vote. Replaying a held file again after such a
 * crash is what any crash before a recycle already does.
 *
 * <p>Start-up only, on the constructing thread.
 */
final class PreviousRun
{
    private static final Logger LOG = LoggerFactory.getLogger(PreviousRun.class);

    private final FileLayer files;
    private final Path walDirectory;
    /** The flushed files, in the order flushed. */
    private final List<Flushed> held = new ArrayList<>();

    /**
     * A flushed file of the previous run.
     *
     * @param sequence of the file.
     * @param path     of the file.
     */
    private record Flushed(long sequence, Path path)
    {
    }

    /**
     * @param files        the file layer.
     * @param walDirectory of the storage.
     */
    PreviousRun(final FileLayer files, final Path walDirectory)
    {
        this.files = files;
        this.walDirectory = walDirectory;
    }

    /**
     * @return the highest sequence any WAL file or spare was ever given: the next file must be numbered above every
     *     sequence whose batches a recycled file may still hold.
     * @throws IOException on failure to list the directory.
     */
    long lastWalSequence() throws IOException
    {
        long last = 0;
        for (final String name : files.list(walDirectory))
        {
            last = Math.max(last, Math.max(WalFormat.sequenceOf(name), WalFormat.spareSequenceOf(name)));
        }
        return last;
    }

    /**
     * Flush every WAL file of the previous run into the servers' segments, oldest first; each flushed file comes back
     * to {@link #hold}.
     *
     * @param flusher   writes the segments.
     * @param validEnds filled with where each file's valid data ended, by sequence.
     * @return why the replay stopped (no server can be opened then), or null if it went through.
     * @throws IOException on failure to read or write.
     */
    String replay(final WalFlusher flusher, final Map<Long, Long> validEnds) throws IOException
    {
        final List<Long> sequences = new ArrayList<>();
        for (final String name : files.list(walDirectory))
        {
            final long sequence = WalFormat.sequenceOf(name);
            if (sequence >= 0)
            {
                sequences.add(sequence);
            }
        }
        sequences.sort(Long::compare);
        for (int i = 0; i < sequences.size(); i++)
        {
            final Path path = walDirectory.resolve(WalFormat.fileName(sequences.get(i)));
            try
            {
                validEnds.put(sequences.get(i), flusher.flush(path, i == sequences.size() - 1));
            }
            catch (final IllegalStateException ex)
            {
                LOG.error("WAL recovery stopped; no server of this storage can be opened until this is repaired: {}",
                    ex.getMessage());
                return ex.getMessage();
            }
        }
        return null;
    }

    /**
     * A file of the previous run is flushed: kept as it is until {@link #release}.
     *
     * @param sequence of the file.
     * @param path     of the file.
     */
    void hold(final long sequence, final Path path)
    {
        held.add(new Flushed(sequence, path));
    }

    /**
     * The damage check is durable: recycle the flushed files.
     *
     * @param retirement what recycles a file.
     * @throws IOException on failure to recycle one.
     */
    void release(final WalFlusher.Retirement retirement) throws IOException
    {
        for (final Flushed file : held)
        {
            retirement.retire(file.sequence(), file.path());
        }
        held.clear();
    }
}
