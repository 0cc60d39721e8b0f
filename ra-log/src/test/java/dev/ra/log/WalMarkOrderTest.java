package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a durability report means with the WAL mark: the mark of a batch is written only after the WAL data it
 * describes is synced (never in parallel with it), and a server hears that an entry is durable only once a synced
 * mark covers it. Checked on every write and every report of several servers appending at once over a few WAL files.
 */
class WalMarkOrderTest
{
    private static final int SERVERS = 6;
    private static final int APPENDS = 150;

    @TempDir
    Path dir;

    private final List<String> violations = new CopyOnWriteArrayList<>();
    /** Per WAL sequence, the end of its data at its last sync. */
    private final Map<Long, Long> walSynced = new ConcurrentHashMap<>();
    private volatile boolean markUnsynced;
    private volatile long markWrites;

    @Test
    void reportsFollowASyncedMarkThatFollowsTheSyncedData() throws Exception
    {
        final long[] uids = new long[SERVERS];
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(64 << 10)
            .fileLayer(new Recording()).build())
        {
            final List<Thread> threads = new ArrayList<>();
            final List<RecordingListener> listeners = new ArrayList<>();
            for (int s = 0; s < SERVERS; s++)
            {
                final int server = s;
                final RecordingListener recording = new RecordingListener();
                listeners.add(recording);
                final LogStore log = storage.open(new ServerId("s" + s, "n1"), new LogListener()
                {
                    @Override
                    public void onWritten(final long index, final long term)
                    {
                        checkReport(server, uids[server], index);
                        recording.onWritten(index, term);
                    }

                    @Override
                    public void onFailure(final Throwable cause)
                    {
                        recording.onFailure(cause);
                    }
                }).log();
                uids[s] = ((ServerLogHandle)log).log().directory().uid();
                threads.add(new Thread(() ->
                {
                    for (long i = 1; i <= APPENDS; i++)
                    {
                        log.append(List.of(entry(i, 1, "entry " + i + " of server " + server + " ".repeat(200))));
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (final Thread t : threads)
            {
                t.join(60_000);
            }
            for (int s = 0; s < SERVERS; s++)
            {
                assertThat(listeners.get(s).awaitIndex(APPENDS)).as("server %d", s).isTrue();
            }
            assertThat(storage.walStatistics().records()).isGreaterThanOrEqualTo((long)SERVERS * APPENDS);
        }
        assertThat(markWrites).isPositive();
        assertThat(violations).isEmpty();
    }

    @Test
    void aMarkThatCannotBeWrittenFailsTheStorageAndNothingMoreIsReported() throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        try (FileStorage storage = FileStorage.builder().directory(Path.of("/d")).fileLayer(disk.view()).build())
        {
            final RecordingListener listener = new RecordingListener();
            final LogStore log = storage.open(new ServerId("a", "n1"), listener).log();
            log.append(List.of(entry(1, 1, "one"), entry(2, 1, "two")));
            assertThat(listener.awaitIndex(2)).isTrue();
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (!storage.wal().isIdle() && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            // The next batch's WAL write succeeds (and is synced); the mark's write after it fails.
            disk.failWritesAfter(1);
            log.append(List.of(entry(3, 1, "three")));
            assertThat(listener.awaitFailure()).isTrue();
            assertThat(listener.failure()).hasMessageContaining("No space left");
            assertThat(listener.index()).as("never reported without its mark").isEqualTo(2);
        }
    }

    private void checkReport(final int server, final long uid, final long index)
    {
        if (markUnsynced)
        {
            violations.add("server " + server + " heard " + index + " while the mark had unsynced writes");
        }
        try
        {
            final WalMark.State mark = WalMark.read(RealFileLayer.INSTANCE, dir);
            final long[] row = null == mark ? null : mark.servers().get(uid);
            if (0 != uid && (null == row || row[0] < index))
            {
                violations.add("server " + server + " heard " + index + " but the mark says " +
                    (null == row ? "nothing" : row[0]));
            }
        }
        catch (final IOException ex)
        {
            violations.add(ex.toString());
        }
    }

    /** The real file layer, watching the WAL files' syncs and the mark's writes. */
    private final class Recording extends ForwardingFileLayer
    {
        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            final LogFile file = super.open(path, create);
            final String name = path.getFileName().toString();
            if (name.endsWith(".wal"))
            {
                final long sequence = Long.parseLong(name.substring(0, name.indexOf('.')), 16);
                return new Watched(file, sequence);
            }
            return name.equals(WalMark.FILE) ? new Watched(file, -1) : file;
        }
    }

    /** A WAL file (sequence above 0) or the mark (-1). */
    private final class Watched extends ForwardingLogFile
    {
        private final long sequence;
        private long written;

        Watched(final LogFile file, final long sequence)
        {
            super(file);
            this.sequence = sequence;
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            if (sequence < 0)
            {
                markUnsynced = true;
                markWrites++;
                if ((position == WalMark.HEAD_SLOT_OFFSET || position == 2 * WalMark.HEAD_SLOT_OFFSET) &&
                    src.remaining() == WalMark.HEAD_SLOT_SIZE)
                {
                    final long walSequence = src.getLong(src.position() + 16);
                    final long end = src.getLong(src.position() + 24);
                    final long synced = walSynced.getOrDefault(walSequence, 0L);
                    if (synced < end)
                    {
                        violations.add("mark written up to " + end + " of WAL file " + walSequence +
                            " synced only up to " + synced);
                    }
                }
            }
            else
            {
                written = Math.max(written, position + src.remaining());
            }
            super.write(src, position);
        }

        @Override
        public void force() throws IOException
        {
            final long before = written;
            super.force();
            if (sequence < 0)
            {
                markUnsynced = false;
            }
            else
            {
                walSynced.merge(sequence, before, Math::max);
            }
        }
    }
}
