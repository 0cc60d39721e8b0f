package dev.ra.log;

import dev.ra.ServerId;
import dev.ra.codec.BufferReader;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.LogEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Read-only access to a {@link FileStorage} data directory for operators' tools: what each file holds and whether
 * its checksums hold, parsed by the same code the storage recovers with (see docs/log-format.md).
 *
 * <p>Nothing is ever written, created, deleted or locked: files are opened without write access, and the storage's
 * {@code lock} file is not taken, so a running node is never disturbed. The price is that files a running node is
 * writing may change while they are read (a WAL file growing, a WAL file recycled, a snapshot replaced); stop the
 * node for a definitive answer. Not thread-safe.
 */
public final class DataDirectoryReader
{
    private static final Pattern CORRUPT = Pattern.compile("corrupt file (.+) at offset (\\d+): (.*)", Pattern.DOTALL);
    private static final long MAX_WAL_FILE = 1L << 30;

    private final FileLayer files = ReadOnlyFileLayer.INSTANCE;
    private final Path directory;
    private final Path walDirectory;
    private final Path serversDirectory;
    /** Every server's log range, by directory name and uid: worked out together, once. */
    private Map<String, LogRange> logRanges;

    /**
     * Damage found in a file.
     *
     * @param file   the damaged file.
     * @param offset where in it (0 when the whole file is concerned, e.g. missing).
     * @param what   is wrong.
     */
    public record Damage(Path file, long offset, String what)
    {
        @Override
        public String toString()
        {
            return file + ":" + offset + ": " + what;
        }
    }

    /**
     * One server's directory.
     *
     * @param directoryName  its name under {@code servers/}.
     * @param root           the directory.
     * @param id             the server id, or null if the identity file is damaged.
     * @param uid            its incarnation id; with {@code identityDamage}, the one its meta files record (by which
     *                       recovery tells its WAL records from an earlier incarnation's), 0 if they record none.
     * @param identityDamage what is wrong with {@code server.id}, or null.
     */
    public record ServerFiles(String directoryName, Path root, ServerId id, long uid, Damage identityDamage)
    {
    }

    /**
     * A server's meta store: the newest valid slot of {@code meta} and {@code meta.copy}.
     *
     * @param found           whether any valid slot was found (false: a new server, or one whose meta files are lost).
     * @param term            current term.
     * @param votedFor        vote in that term, or null.
     * @param lastApplied     last applied index as last flushed.
     * @param damagedIndex    recorded storage damage: last durable index lost (0: none).
     * @param termAndVoteLost whether term and vote were recorded as lost.
     * @param source          the file the state was read from ({@code meta} or {@code meta.copy}), or null.
     * @param damage          what is wrong with either file (missing, damaged slots).
     */
    public record MetaState(boolean found, long term, ServerId votedFor, long lastApplied, long damagedIndex,
        boolean termAndVoteLost, String source, List<Damage> damage)
    {
    }

    /**
     * A segment file.
     *
     * @param path       of the file.
     * @param sequence   from its header (or name, if damaged).
     * @param firstIndex first index held.
     * @param lastIndex  last index held ({@code firstIndex - 1} if empty: a truncation).
     * @param reset      whether the log was reset to a snapshot at this segment.
     * @param size       in bytes.
     * @param damage     what is wrong with its header, trailer or table, or null.
     */
    public record Segment(Path path, long sequence, long firstIndex, long lastIndex, boolean reset, long size,
        Damage damage)
    {
    }

    /**
     * A snapshot file.
     *
     * @param path   of the file.
     * @param index  last index it covers (from its name if damaged).
     * @param term   of that entry (from its name if damaged).
     * @param size   in bytes.
     * @param damage what is wrong with it, or null if it is valid.
     */
    public record SnapshotFile(Path path, long index, long term, long size, Damage damage)
    {
    }

    /**
     * A WAL file.
     *
     * @param path             of the file.
     * @param sequence         from its name.
     * @param size             in bytes.
     * @param newest           whether it is the newest WAL file (the only one whose tail may be torn).
     * @param validEnd         offset after its last valid batch.
     * @param ended            whether it ends with its end marker (rolled over or cleanly closed).
     * @param tornTail         whether a batch was started after the valid data but not completed (never acknowledged).
     * @param entriesByServer  ENTRY records in valid batches, by server directory name.
     * @param damage           damage to acknowledged data, or null.
     */
    public record WalFile(Path path, long sequence, long size, boolean newest, long validEnd, boolean ended,
        boolean tornTail, Map<String, Long> entriesByServer, Damage damage)
    {
    }

    /**
     * What {@code wal.mark} says: how far the newest WAL file was durable when its servers were told.
     *
     * @param present       whether the file exists.
     * @param sequence      of the WAL file it speaks of (0: nothing since the WAL was last replayed).
     * @param end           offset in that file up to which data was synced and reported durable.
     * @param lastDurable   per server uid: {index, term} of its last durable entry in that file.
     * @param damage        what is wrong with the file, or null.
     */
    public record Mark(boolean present, long sequence, long end, Map<Long, long[]> lastDurable, Damage damage)
    {
    }

    /**
     * What the file {@code deleted-servers} holds ({@link DeletedServersFile}).
     *
     * @param present whether the file exists (a directory of an earlier release, or of a node that never applied a
     *                cluster's deletion, has none).
     * @param servers how many servers it remembers (those before any damage).
     * @param damage  what is wrong with the file, or null.
     */
    public record DeletedServers(boolean present, int servers, Damage damage)
    {
    }

    /**
     * One entry of a server's log, as recovery would see it (segments, then the WAL files not yet flushed).
     *
     * @param index  of the entry.
     * @param term   of the entry.
     * @param size   of its encoded payload in bytes.
     * @param entry  the decoded entry, or null if damaged.
     * @param file   the file it was read from.
     * @param damage what is wrong with it, or null.
     */
    public record Entry(long index, long term, int size, LogEntry entry, Path file, Damage damage)
    {
    }

    /**
     * A server's log range as recovery would see it: entries {@code [firstIndex, lastIndex]} on disk.
     *
     * @param firstIndex first index held (lastIndex + 1 if empty).
     * @param lastIndex  last index held (0 if nothing was ever written).
     * @param lastTerm   term of the last entry (or of the snapshot the log was reset to), 0 if unknown.
     * @param gaps       segments that do not continue the log before them (entries missing), as damage.
     */
    public record LogRange(long firstIndex, long lastIndex, long lastTerm, List<Damage> gaps)
    {
    }

    private DataDirectoryReader(final Path directory)
    {
        this.directory = directory;
        this.walDirectory = directory.resolve(FileStorage.WAL_DIR);
        this.serversDirectory = directory.resolve(FileStorage.SERVERS_DIR);
    }

    /**
     * @param directory a FileStorage data directory.
     * @return a reader of it.
     * @throws IllegalArgumentException if it is not a directory or holds neither {@code wal/} nor {@code servers/}.
     */
    public static DataDirectoryReader open(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            throw new IllegalArgumentException(directory + (Files.exists(directory) ?
                ": not a directory (a node's data directory is)" : ": no such directory"));
        }
        if (!Files.isReadable(directory))
        {
            throw new IllegalArgumentException(directory + ": not readable");
        }
        if (!Files.isDirectory(directory.resolve(FileStorage.WAL_DIR)) &&
            !Files.isDirectory(directory.resolve(FileStorage.SERVERS_DIR)))
        {
            throw new IllegalArgumentException(directory + ": not a ra-log data directory (no wal/ or servers/)");
        }
        return new DataDirectoryReader(directory);
    }

    /**
     * @return the data directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return every server directory, by name.
     * @throws UncheckedIOException if the directory cannot be listed.
     */
    public List<ServerFiles> servers()
    {
        final List<ServerFiles> servers = new ArrayList<>();
        for (final String name : sorted(serversDirectory))
        {
            final Path root = serversDirectory.resolve(name);
            if (!Files.isDirectory(root))
            {
                continue;
            }
            try
            {
                final ServerDirectory dir = ServerDirectory.load(files, root);
                servers.add(null != dir ? new ServerFiles(name, root, dir.id(), dir.uid(), null) :
                    new ServerFiles(name, root, null, recordedUid(root),
                        new Damage(root.resolve(ServerDirectory.ID_FILE), 0, "missing")));
            }
            catch (final IOException | RuntimeException ex)
            {
                servers.add(new ServerFiles(name, root, null, recordedUid(root),
                    damage(ex, root.resolve(ServerDirectory.ID_FILE))));
            }
        }
        return servers;
    }

    /** The uid the meta files of a directory whose identity is unreadable record (as recovery reads it), or 0. */
    private long recordedUid(final Path root)
    {
        try
        {
            return FileMetaStore.recordedUid(files, ServerDirectory.unidentified(root));
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    /**
     * @param server a server directory.
     * @return its meta store's state and the damage of either file.
     */
    public MetaState meta(final ServerFiles server)
    {
        final List<Damage> damage = new ArrayList<>();
        final Path primary = server.root().resolve(ServerDirectory.META_FILE);
        final Path copy = server.root().resolve(ServerDirectory.META_COPY_FILE);
        final FileMetaStore.Slot first = readMeta(primary, damage);
        final FileMetaStore.Slot second = readMeta(copy, damage);
        final boolean primaryMissing = !files.exists(primary);
        final boolean copyMissing = !files.exists(copy);
        if (primaryMissing != copyMissing || (primaryMissing && holdsData(server)))
        {
            // One missing while the other is there is never a crash (both are created by the same first write).
            for (final Path missing : primaryMissing && copyMissing ? List.of(primary, copy) :
                List.of(primaryMissing ? primary : copy))
            {
                damage.add(new Damage(missing, 0, "missing"));
            }
        }
        FileMetaStore.Slot best = first;
        String source = ServerDirectory.META_FILE;
        if (null == best || (null != second && second.sequence() > best.sequence()))
        {
            best = second;
            source = ServerDirectory.META_COPY_FILE;
        }
        if (null == best)
        {
            return new MetaState(false, 0, null, 0, 0, false, null, damage);
        }
        return new MetaState(true, best.term(), best.votedFor(), best.lastApplied(), best.damagedIndex(),
            best.termAndVoteLost(), source, damage);
    }

    private boolean holdsData(final ServerFiles server)
    {
        return !list(server.root().resolve(ServerDirectory.SEGMENTS_DIR)).isEmpty() ||
            !list(server.root().resolve(ServerDirectory.SNAPSHOTS_DIR)).isEmpty();
    }

    private FileMetaStore.Slot readMeta(final Path path, final List<Damage> damage)
    {
        if (!files.exists(path))
        {
            return null;
        }
        try (LogFile file = files.open(path, false))
        {
            final long size = file.size();
            if (size < FileMetaStore.HEADER)
            {
                damage.add(new Damage(path, size, "truncated to " + size + " bytes"));
                return null;
            }
            final ByteBuffer header = ByteBuffer.allocate(FileMetaStore.HEADER);
            file.read(header, 0);
            Formats.checkHeader(path, Formats.META_MAGIC, header.getInt(0), header.getInt(4));
            FileMetaStore.Slot best = null;
            // Slots that hold anything (valid or not).
            int slots = 0;
            for (int i = 0; i < 2; i++)
            {
                final long offset = (long)FileMetaStore.SLOT_SIZE * (i + 1);
                final ByteBuffer slot = ByteBuffer.allocate(FileMetaStore.SLOT_SIZE);
                final int read = file.read(slot, offset);
                if (isZero(slot.array(), read))
                {
                    continue;
                }
                slots++;
                final FileMetaStore.Slot parsed = FileMetaStore.parse(slot.array(), read);
                if (null == parsed)
                {
                    damage.add(new Damage(path, offset, "slot " + i + " fails its checksum or is torn"));
                }
                else if (null == best || parsed.sequence() > best.sequence())
                {
                    best = parsed;
                }
            }
            if (0 == slots)
            {
                // Created holding a slot: one with none lost its state (as FileMetaStore reads it).
                damage.add(new Damage(path, FileMetaStore.SLOT_SIZE, "holds no slot (" + size + " bytes)"));
            }
            return best;
        }
        catch (final IOException | RuntimeException ex)
        {
            damage.add(damage(ex, path));
            return null;
        }
    }

    private static boolean isZero(final byte[] data, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (data[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param server a server directory.
     * @return what is wrong with its configuration file, or null (also if it has none).
     */
    public Damage configDamage(final ServerFiles server)
    {
        final Path path = server.root().resolve(ServerDirectory.CONFIG_FILE);
        try
        {
            FileMetaStore.readConfig(files, path);
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return damage(ex, path);
        }
    }

    /**
     * @param server a server directory.
     * @return its segment files in sequence order, header, trailer and index table checked.
     */
    public List<Segment> segments(final ServerFiles server)
    {
        final List<Segment> segments = new ArrayList<>();
        final Path dir = server.root().resolve(ServerDirectory.SEGMENTS_DIR);
        for (final String name : sorted(dir))
        {
            final long sequence = SegmentFile.sequenceOf(name);
            if (sequence < 0)
            {
                continue;
            }
            final Path path = dir.resolve(name);
            try
            {
                final SegmentFile segment = SegmentFile.open(files, path);
                segments.add(new Segment(path, segment.sequence(), segment.firstIndex(), segment.lastIndex(),
                    segment.isReset(), segment.size(), null));
            }
            catch (final IOException | RuntimeException ex)
            {
                segments.add(new Segment(path, sequence, 0, -1, false, sizeOf(path), damage(ex, path)));
            }
        }
        return segments;
    }

    /**
     * Read every entry of a segment and check its checksum, index and term.
     *
     * @param segment an undamaged segment (see {@link #segments}).
     * @param out     receives each entry's damage.
     */
    public void verifyEntries(final Segment segment, final Consumer<Damage> out)
    {
        readSegment(segment, segment.firstIndex(), segment.lastIndex(), e ->
        {
            if (null != e.damage())
            {
                out.accept(e.damage());
            }
        });
    }

    private void readSegment(final Segment segment, final long from, final long to, final Consumer<Entry> out)
    {
        final SegmentReader reader;
        try
        {
            reader = SegmentReader.open(files, SegmentFile.open(files, segment.path()));
        }
        catch (final IOException | RuntimeException ex)
        {
            out.accept(new Entry(from, 0, 0, null, segment.path(), damage(ex, segment.path())));
            return;
        }
        try
        {
            final List<LogEntry> one = new ArrayList<>(1);
            for (long i = Math.max(from, segment.firstIndex()); i <= Math.min(to, segment.lastIndex()); i++)
            {
                one.clear();
                try
                {
                    reader.read(i, i, 1, Long.MAX_VALUE, one);
                    final LogEntry entry = one.get(0);
                    out.accept(new Entry(i, entry.term(), reader.payloadSize(i), entry, segment.path(), null));
                }
                catch (final UncheckedIOException | IllegalStateException ex)
                {
                    out.accept(new Entry(i, reader.term(i), 0, null, segment.path(), damage(ex, segment.path())));
                }
            }
        }
        finally
        {
            reader.close();
        }
    }

    /**
     * @param server a server directory.
     * @return its snapshot files by name, each checked whole.
     */
    public List<SnapshotFile> snapshots(final ServerFiles server)
    {
        final List<SnapshotFile> snapshots = new ArrayList<>();
        final Path dir = server.root().resolve(ServerDirectory.SNAPSHOTS_DIR);
        for (final String name : sorted(dir))
        {
            if (!name.endsWith(FileSnapshotStore.SUFFIX))
            {
                continue;
            }
            final Path path = dir.resolve(name);
            try
            {
                final FileSnapshotStore.Snapshot snapshot = FileSnapshotStore.validate(files, path);
                snapshots.add(new SnapshotFile(path, snapshot.meta().index(), snapshot.meta().term(), sizeOf(path),
                    null));
            }
            catch (final IOException | RuntimeException ex)
            {
                final long[] named = snapshotName(name);
                snapshots.add(new SnapshotFile(path, named[0], named[1], sizeOf(path), damage(ex, path)));
            }
        }
        return snapshots;
    }

    private static long[] snapshotName(final String name)
    {
        try
        {
            return new long[] {Long.parseUnsignedLong(name.substring(0, 16), 16),
                Long.parseUnsignedLong(name.substring(17, 33), 16)};
        }
        catch (final RuntimeException ex)
        {
            return new long[] {0, 0};
        }
    }

    /**
     * @return what {@code wal.mark} says.
     */
    public Mark mark()
    {
        final Path path = directory.resolve(WalMark.FILE);
        if (!files.exists(path))
        {
            return new Mark(false, 0, 0, Map.of(), null);
        }
        try
        {
            final WalMark.State state = WalMark.read(files, directory);
            if (null == state)
            {
                return new Mark(true, 0, 0, Map.of(), new Damage(path, 0, "both slots damaged (or not a WAL mark)"));
            }
            return new Mark(true, state.sequence(), state.end(), state.servers(), null);
        }
        catch (final IOException | RuntimeException ex)
        {
            return new Mark(true, 0, 0, Map.of(), damage(ex, path));
        }
    }

    /**
     * @return what {@code deleted-servers} says.
     */
    public DeletedServers deletedServers()
    {
        final Path path = directory.resolve(DeletedServersFile.NAME);
        if (!files.exists(path))
        {
            return new DeletedServers(false, 0, null);
        }
        final DeletedServersFile file = DeletedServersFile.inspect(files, directory);
        final String problem = file.damage();
        return new DeletedServers(true, file.records().size(), null == problem ? null :
            damage(new IOException(problem), path));
    }

    /**
     * Scan every WAL file whole (spares, which hold only flushed data, are skipped), checking every batch.
     *
     * @return the WAL files in sequence order.
     */
    public List<WalFile> walFiles()
    {
        final List<WalFile> wals = new ArrayList<>();
        for (final WalName wal : walNames())
        {
            wals.add(scanWal(wal, null));
        }
        return wals;
    }

    /** A WAL file by name, not yet read. */
    private record WalName(Path path, long sequence, boolean newest)
    {
    }

    private List<WalName> walNames()
    {
        final List<String> names = sorted(walDirectory);
        long newest = -1;
        for (final String name : names)
        {
            newest = Math.max(newest, WalFormat.sequenceOf(name));
        }
        final List<WalName> wals = new ArrayList<>();
        for (final String name : names)
        {
            final long sequence = WalFormat.sequenceOf(name);
            if (sequence >= 0)
            {
                wals.add(new WalName(walDirectory.resolve(name), sequence, sequence == newest));
            }
        }
        return wals;
    }

    /** Receives the records of a WAL file's valid batches, with the server each belongs to. */
    private interface RecordSink
    {
        void onRecord(String serverName, long uid, byte type, long index, long term, ByteBuffer file,
            int payloadOffset, int payloadLength);
    }

    private WalFile scanWal(final WalName wal, final RecordSink sink)
    {
        final Path path = wal.path();
        final long size = sizeOf(path);
        final Map<String, Long> entries = new LinkedHashMap<>();
        final Map<Integer, String> names = new LinkedHashMap<>();
        final Map<Integer, Long> uids = new LinkedHashMap<>();
        try
        {
            if (size > MAX_WAL_FILE)
            {
                throw Formats.corrupt(path, 0, "larger than a WAL file can be (" + size + " bytes)");
            }
            final ByteBuffer bytes = ByteBuffer.wrap(AtomicFiles.readAll(files, path, MAX_WAL_FILE));
            final WalScanner.Result result = WalScanner.scan(path, bytes, wal.sequence(), wal.newest(),
                (type, ref, index, term, file, offset, length) ->
                {
                    if (type == WalFormat.REGISTER)
                    {
                        try
                        {
                            final BufferReader in = new BufferReader(file.array(), offset, length);
                            uids.put(ref, in.readLong());
                            names.put(ref, in.readString());
                        }
                        catch (final CodecException ex)
                        {
                            throw Formats.corrupt(path, offset, "undecodable server registration: " +
                                ex.getMessage());
                        }
                        return;
                    }
                    final String name = names.get(ref);
                    if (null == name)
                    {
                        throw Formats.corrupt(path, offset - WalFormat.RECORD_HEADER,
                            "record for unregistered server ref " + ref);
                    }
                    if (type == WalFormat.ENTRY)
                    {
                        entries.merge(name, 1L, Long::sum);
                    }
                    if (null != sink)
                    {
                        sink.onRecord(name, uids.get(ref), type, index, term, file, offset, length);
                    }
                });
            return new WalFile(path, wal.sequence(), size, wal.newest(), result.validEnd(), result.ended(),
                result.tornTail(), entries, null);
        }
        catch (final IOException | RuntimeException ex)
        {
            return new WalFile(path, wal.sequence(), size, wal.newest(), 0, false, false, entries, damage(ex, path));
        }
    }

    /**
     * A server's log range as recovery would see it: its segments in order, then the WAL files' records. The ranges
     * of all servers are worked out together, reading each WAL file once, the first time one is asked for.
     *
     * @param server a server directory.
     * @return the range.
     */
    public LogRange logRange(final ServerFiles server)
    {
        if (null == logRanges)
        {
            final Map<String, LogWalk> walks = new LinkedHashMap<>();
            for (final ServerFiles each : servers())
            {
                final LogWalk walk = new LogWalk(null);
                walkSegments(each, walk, 1, 0);
                walks.put(each.directoryName() + "/" + each.uid(), walk);
            }
            for (final WalName wal : walNames())
            {
                scanWal(wal, (name, uid, type, index, term, file, offset, length) ->
                {
                    final LogWalk walk = walks.get(name + "/" + uid);
                    if (null != walk)
                    {
                        walk.apply(type, index, term);
                    }
                });
            }
            logRanges = new LinkedHashMap<>();
            walks.forEach((key, walk) ->
            {
                walk.finish();
                logRanges.put(key, new LogRange(walk.first, walk.last, walk.lastTerm, List.copyOf(walk.gaps)));
            });
        }
        final LogRange range = logRanges.get(server.directoryName() + "/" + server.uid());
        return null != range ? range : new LogRange(1, 0, 0, List.of());
    }

    /**
     * Read a server's entries in {@code [from, to]} as recovery would see them: its segments applied in order (each
     * replacing the log from its first index), then the records of the WAL files not yet flushed into segments.
     *
     * @param server a server directory.
     * @param from   first index wanted.
     * @param to     last index wanted (keep the range bounded: the entries are held in memory).
     * @param out    receives the entries in index order, damaged ones with their damage.
     */
    public void entries(final ServerFiles server, final long from, final long to, final Consumer<Entry> out)
    {
        final LogWalk walk = new LogWalk(new TreeMap<>());
        walkSegments(server, walk, from, to);
        for (final WalName wal : walNames())
        {
            scanWal(wal, (name, uid, type, index, term, file, offset, length) ->
            {
                if (name.equals(server.directoryName()) && uid == server.uid() && walk.apply(type, index, term) &&
                    index >= from && index <= to)
                {
                    walk.wanted.put(index, decode(wal.path(), index, term, file, offset, length));
                }
            });
        }
        walk.finish();
        if (walk.last >= walk.first)
        {
            for (final Entry entry : walk.wanted.subMap(walk.first, true, walk.last, true).values())
            {
                out.accept(entry);
            }
        }
    }

    /**
     * Apply a server's segments, in sequence order, to a walk; with wanted entries, read those in {@code [from, to]}.
     */
    private void walkSegments(final ServerFiles server, final LogWalk walk, final long from, final long to)
    {
        for (final SnapshotFile snapshot : snapshots(server))
        {
            if (null == snapshot.damage())
            {
                walk.snapshotTop = Math.max(walk.snapshotTop, snapshot.index());
            }
        }
        boolean skipped = false;
        for (final Segment segment : segments(server))
        {
            if (null != segment.damage())
            {
                skipped = true;
                continue;
            }
            walk.applySegment(segment, !skipped);
            if (segment.lastIndex() >= segment.firstIndex())
            {
                walk.lastTerm = termOf(segment, segment.lastIndex());
            }
            if (null != walk.wanted && from <= segment.lastIndex() && to >= segment.firstIndex())
            {
                readSegment(segment, from, to, e -> walk.wanted.put(e.index(), e));
            }
        }
    }

    private long termOf(final Segment segment, final long index)
    {
        try
        {
            final SegmentReader reader = SegmentReader.open(files, SegmentFile.open(files, segment.path()));
            try
            {
                return reader.term(index);
            }
            finally
            {
                reader.close();
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    private static Entry decode(final Path path, final long index, final long term, final ByteBuffer file,
        final int offset, final int length)
    {
        try
        {
            final LogEntry entry = EntryCodec.INSTANCE.decode(new BufferReader(file.array(), offset, length));
            return new Entry(index, term, length, entry, path, null);
        }
        catch (final CodecException | IllegalArgumentException ex)
        {
            return new Entry(index, term, length, null, path, new Damage(path, offset - WalFormat.RECORD_HEADER,
                "undecodable entry " + index + ": " + ex.getMessage()));
        }
    }

    /**
     * @param wal  a WAL file, scanned.
     * @param mark what {@code wal.mark} says.
     * @return the loss, if the mark speaks of this file and its valid data ends before what the mark says was synced
     *     and reported durable (acknowledged entries lost: truncated, zero-filled or overwritten); else null.
     */
    public Damage lostDurableData(final WalFile wal, final Mark mark)
    {
        if (null != wal.damage() || wal.sequence() != mark.sequence() || wal.validEnd() >= mark.end())
        {
            return null;
        }
        return new Damage(wal.path(), wal.validEnd(), "valid data ends here but " + WalMark.FILE + " says it was " +
            "synced and reported durable up to offset " + mark.end() + " (truncated, zero-filled or overwritten)");
    }

    /**
     * Check every file fully: identity, meta and configuration files, every segment entry, every snapshot, every WAL
     * batch, the WAL mark, deleted-servers, and whether the newest WAL file still holds what the mark says was reported
     * durable.
     *
     * @return the damage found, in file order; empty if the directory is clean.
     */
    public List<Damage> verify()
    {
        return DirectoryVerification.verify(this, walDirectory);
    }

    private List<String> list(final Path dir)
    {
        try
        {
            return files.list(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + dir, ex);
        }
    }

    private List<String> sorted(final Path dir)
    {
        final List<String> names = new ArrayList<>(list(dir));
        Collections.sort(names);
        return names;
    }

    private static long sizeOf(final Path path)
    {
        try
        {
            return Files.size(path);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * @param failure what a parser threw: its message names the file and offset when it is the storage's own
     *                "corrupt file ... at offset ..." error.
     * @param file    the file being read, when the message names none.
     * @return the damage.
     */
    private static Damage damage(final Exception failure, final Path file)
    {
        Throwable cause = failure;
        while (null != cause.getCause() && null == cause.getMessage())
        {
            cause = cause.getCause();
        }
        final String message = String.valueOf(cause.getMessage());
        final Matcher matcher = CORRUPT.matcher(message);
        if (matcher.find())
        {
            return new Damage(Path.of(matcher.group(1)), Long.parseLong(matcher.group(2)), matcher.group(3));
        }
        final String prefix = file + ": ";
        final String what = message.startsWith(prefix) ? message.substring(prefix.length()) :
            failure instanceof IOException ? "cannot read: " + message : message;
        return new Damage(file, 0, what);
    }
}
