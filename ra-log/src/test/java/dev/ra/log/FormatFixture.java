package dev.ra.log;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A small data directory written by this release, checked in under {@code src/test/resources/formats/<release>}, so
 * that a later release proves it still reads it ({@link FormatCompatibilityTest}). One server holds every kind of
 * file and every kind of encoding in them: segments (a WAL file was rolled over), a WAL file with entries not yet in
 * segments (sealed by the clean close), an overwrite of a suffix with a later term, a snapshot, term, vote, last
 * applied and configuration, and a log entry of every payload kind.
 *
 * <p>Run {@link #main} to write it again (only when a release's formats change: the directory of the release before
 * stays, as what the new one must read): {@code mvn -B -q -pl ra-log -am test-compile} then
 * {@code java -cp <test classpath> dev.ra.log.FormatFixture ra-log/src/test/resources/formats/<release>}.
 */
final class FormatFixture
{
    /** The release whose files the checked-in directory holds. */
    static final String RELEASE = "0.1.0";
    static final ServerId SERVER = new ServerId("a", "n1");
    static final ServerId OTHER = new ServerId("b", "n2");
    static final SnapshotMeta SNAPSHOT = new SnapshotMeta(20, 1, List.of(Member.voter(SERVER), Member.voter(OTHER)),
        1);
    static final Bytes SNAPSHOT_STATE = Bytes.wrap("machine state at 20".getBytes(StandardCharsets.UTF_8));
    static final long TERM = 3;
    static final long LAST_APPLIED = 100;
    static final byte[] CONFIG = "server configuration".getBytes(StandardCharsets.UTF_8);
    /** Entries 125.. of term 2 are overwritten by entries of term 3. */
    static final long OVERWRITTEN_FROM = 125;
    static final long LAST_INDEX = 136;

    private FormatFixture()
    {
    }

    /**
     * @param args the directory to write (it must not exist or be empty).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        write(Path.of(args[0]));
    }

    static FileStorage.Builder builder(final Path dir)
    {
        return FileStorage.builder().directory(dir).walMaxSizeBytes(64 * 1024).segmentMaxEntries(40);
    }

    static void write(final Path dir) throws Exception
    {
        try (FileStorage storage = builder(dir).build())
        {
            final RecordingListener listener = new RecordingListener();
            final ServerStorage server = storage.open(SERVER, listener);
            final List<LogEntry> log = new ArrayList<>();
            for (long i = 1; i <= 130; i++)
            {
                log.add(entry(i, i < 115 ? 1 : 2));
            }
            // In several batches, so that the WAL file is rolled over part way and its entries go to segments.
            for (int from = 0; from < log.size(); from += 10)
            {
                final List<LogEntry> batch = log.subList(from, Math.min(log.size(), from + 10));
                server.log().append(batch);
                await(listener, batch.get(batch.size() - 1).index());
            }
            server.snapshots().write(SNAPSHOT, SNAPSHOT_STATE);
            server.log().append(expected().subList((int)OVERWRITTEN_FROM - 1, (int)LAST_INDEX));
            await(listener, LAST_INDEX);
            server.meta().storeTermAndVote(TERM, OTHER);
            server.meta().storeLastApplied(LAST_APPLIED);
            server.meta().storeServerConfig(CONFIG);
            server.close();
        }
        // Spares are zeros or old batches, optional: a directory without them is as valid, and much smaller.
        try (Stream<Path> wal = Files.list(dir.resolve("wal")))
        {
            for (final Path spare : wal.filter(p -> p.toString().endsWith(".spare")).toList())
            {
                Files.delete(spare);
            }
        }
        Files.deleteIfExists(dir.resolve("lock"));
    }

    private static void await(final RecordingListener listener, final long index) throws InterruptedException
    {
        if (!listener.awaitIndex(index))
        {
            throw new IllegalStateException("entries up to " + index + " not reported durable");
        }
    }

    /**
     * @return the server's log as written: index 1 to {@link #LAST_INDEX} (it reads back from the snapshot on).
     */
    static List<LogEntry> expected()
    {
        final List<LogEntry> log = new ArrayList<>();
        for (long i = 1; i <= LAST_INDEX; i++)
        {
            log.add(entry(i, i < 115 ? 1 : i < OVERWRITTEN_FROM ? 2 : TERM));
        }
        return log;
    }

    /** Every payload kind {@code EntryCodec} writes appears at a fixed index; the rest are user commands. */
    private static LogEntry entry(final long index, final long term)
    {
        final EntryPayload payload;
        if (index == 21 || index == 115)
        {
            payload = new EntryPayload.Noop((int)index);
        }
        else if (index == 22)
        {
            payload = new EntryPayload.ClusterChange(List.of(Member.voter(SERVER), Member.voter(OTHER)));
        }
        else if (index == 111)
        {
            payload = new EntryPayload.Builtin(new BuiltinCommand.NodeUp("n2"));
        }
        else if (index == 112)
        {
            payload = new EntryPayload.Builtin(new BuiltinCommand.NodeDown("n2"));
        }
        else if (index == 113)
        {
            payload = new EntryPayload.Builtin(new BuiltinCommand.Down(new ProcessRef("n2", 7), DownReason.NOPROC));
        }
        else if (index == 114)
        {
            payload = new EntryPayload.Builtin(new BuiltinCommand.Timeout("election"));
        }
        else if (index == LAST_INDEX)
        {
            payload = new EntryPayload.DeleteCluster();
        }
        else
        {
            payload = UserCommand.ofData(Bytes.wrap(("command " + index + " of term " + term + " " +
                "x".repeat(500)).getBytes(StandardCharsets.UTF_8)));
        }
        return new LogEntry(index, term, 1_700_000_000_000L + index, payload);
    }

    /**
     * Copy a directory tree (the checked-in fixture, to a temporary directory: opening a storage writes to it).
     */
    static void copy(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> all = Files.walk(from))
        {
            for (final Path source : all.sorted(Comparator.naturalOrder()).toList())
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(source, target);
                }
            }
        }
    }
}
