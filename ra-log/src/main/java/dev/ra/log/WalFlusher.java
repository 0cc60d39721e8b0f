package dev.ra.log;

import dev.ra.codec.BufferReader;
import dev.ra.codec.CodecException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the content of one WAL file into per-server segment files, then retires the WAL file (it becomes a spare, see
 * {@link WalFiles}). Used for every file the writer rolls over and, at startup, for every file a previous run left
 * behind (which is how recovery replays the WAL). Reading the file back, rather than the memtables, means segments
 * only ever hold what the WAL made durable. Runs on one thread at a time.
 *
 * <p>Two speeds. Normally a flush runs on that one thread and gives way to the WAL writer (see {@link GiveWay}): four
 * threads writing and syncing segments in parallel made the WAL's syncs wait behind their I/O (p99 30-190 ms instead
 * of about 4 ms at 250,000 entries/s). When the segment writer falls behind (another WAL file is already waiting) or
 * at startup, throughput matters more: servers' segments are written in parallel on an I/O pool, at full speed.
 *
 * <p>What keeps it cheap enough to keep up: large segments are written with direct I/O (no copy into the page cache,
 * no write-back later; see {@link SegmentBuilder#writeTo}), and the segments of one flush are synced, renamed and
 * their directories synced as one batch ({@link SegmentBatch}), not one server at a time. Measured with 100 servers
 * on 2 cores, the WAL's maximum rose from 1.9-2.2 to 3.3-3.8 million entries/s and the p99 at 1.05 million from
 * 13-72 ms to 4-9 ms (docs/benchmarks.md).
 */
final class WalFlusher
{
    private static final Logger LOG = LoggerFactory.getLogger(WalFlusher.class);
    private static final int READ_STEP = 64 << 10;

    private final FileLayer files;
    private final int segmentMaxEntries;
    private final long segmentMaxBytes;
    private final Function<ServerReplay, FlushTarget> targets;
    private final Retirement retirement;
    private final ExecutorService io;
    private final BooleanSupplier behind;
    private final WalSyncGate gate;
    private final GiveWay giveWay;
    private final ThreadLocal<SegmentBuilder> builders;
    private final ArrayDeque<ServerReplay> spareReplays = new ArrayDeque<>();
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    private final CRC32C markerCrc = new CRC32C();
    private final LongAdder segmentWrites = new LongAdder();
    private final LongAdder hurriedSegmentWrites = new LongAdder();
    private final SegmentSpares spares;

    /**
     * What happens to a WAL file once its content is in segments and every server has been told.
     */
    @FunctionalInterface
    interface Retirement
    {
        /**
         * @param sequence of the WAL file.
         * @param path     of the WAL file.
         * @throws IOException on failure.
         */
        void retire(long sequence, Path path) throws IOException;
    }

    /**
     * @param files             the file layer.
     * @param segmentMaxEntries most entries per segment.
     * @param segmentMaxBytes   size after which a segment is closed.
     * @param directMinBytes    size from which a segment is written with direct I/O where the file system has it.
     * @param spares            files to write new segments over, or null to create every segment.
     * @param targets           where each server's entries go (null to skip a deleted server).
     * @param retirement        what happens to a flushed WAL file.
     * @param io                pool for writing servers' segments in parallel.
     * @param behind            whether to hurry: WAL files are waiting for the segment writer.
     */
    WalFlusher(final FileLayer files, final int segmentMaxEntries, final long segmentMaxBytes,
        final int directMinBytes, final SegmentSpares spares, final Function<ServerReplay, FlushTarget> targets,
        final Retirement retirement, final ExecutorService io, final BooleanSupplier behind, final WalSyncGate gate)
    {
        this.spares = spares;
        this.builders = ThreadLocal.withInitial(() -> new SegmentBuilder(directMinBytes));
        this.gate = gate;
        this.giveWay = new GiveWay(gate, true);
        this.io = io;
        this.behind = behind;
        this.retirement = retirement;
        this.files = files;
        this.segmentMaxEntries = segmentMaxEntries;
        this.segmentMaxBytes = segmentMaxBytes;
        this.targets = targets;
    }

    /**
     * @return servers' shares of WAL files written into segments so far (one per server with records in a file).
     */
    long segmentWrites()
    {
        return segmentWrites.sum();
    }

    /**
     * @return of those, the ones written in a hurry: in parallel, without giving way, because the segment writer was
     *     behind.
     */
    long hurriedSegmentWrites()
    {
        return hurriedSegmentWrites.sum();
    }

    /**
     * Flush a WAL file into segments and retire it.
     *
     * @param path   of the WAL file.
     * @param newest whether it is the newest file (the only one that may end in a torn batch).
     * @return the offset where the file's valid data ends (0 if its header was never completely written).
     * @throws IOException on I/O failure.
     * @throws IllegalStateException naming the file and offset if acknowledged data in it is damaged.
     */
    long flush(final Path path, final boolean newest) throws IOException
    {
        final long sequence = WalFormat.sequenceOf(path.getFileName().toString());
        final ByteBuffer file = read(path, sequence, behind.getAsBoolean() ? null : giveWay);
        if (null == file)
        {
            return 0;
        }
        final Map<Integer, ServerReplay> replays = new LinkedHashMap<>();
        try
        {
            return flush(path, sequence, newest, file, replays);
        }
        finally
        {
            spareReplays.addAll(replays.values());
        }
    }

    private long flush(final Path path, final long sequence, final boolean newest, final ByteBuffer file,
        final Map<Integer, ServerReplay> replays) throws IOException
    {
        final GiveWay scanning = behind.getAsBoolean() ? null : giveWay;
        final WalScanner.Result result = WalScanner.scan(path, file, sequence, newest,
            (type, ref, index, term, data, offset, length) ->
            {
                onRecord(path, replays, type, ref, index, data, offset, length);
                if (null != scanning)
                {
                    scanning.worked(WalFormat.RECORD_HEADER + length);
                }
            });
        if (result.neverWritten())
        {
            LOG.warn("{}: the header of this newest WAL file was never completely written; it holds nothing", path);
            retirement.retire(sequence, path);
            return 0;
        }
        if (result.tornTail())
        {
            // The file is never written again under this sequence (the next run starts a new one), so the torn bytes
            // need no cutting: they are ignored here and overwritten when the file is reused.
            LOG.warn("{}: dropping a torn write at offset {} (a batch that was never acknowledged, unless the " +
                "check against the WAL mark reports storage damage)", path, result.validEnd());
        }
        final List<ServerReplay> jobs = new ArrayList<>();
        final List<FlushTarget> jobTargets = new ArrayList<>();
        for (final ServerReplay replay : replays.values())
        {
            final FlushTarget target = targets.apply(replay);
            if (null == target)
            {
                LOG.debug("{}: skipping records of deleted server {}", path, replay.directoryName());
                continue;
            }
            jobs.add(replay);
            jobTargets.add(target);
        }
        // Servers written on this thread share one batch, synced and renamed together at the end. When in a hurry,
        // servers are written in parallel (so that the device overlaps their I/O), each job syncing its own files,
        // renamed with the others; decided per server, so a flush speeds up as soon as the next file waits.
        final SegmentBatch batch = new SegmentBatch(files);
        final List<SegmentBatch> hurried = new ArrayList<>();
        final List<Future<List<SegmentFile>>> written = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++)
        {
            final ServerReplay replay = jobs.get(i);
            final FlushTarget target = jobTargets.get(i);
            final boolean parallel = null != io && behind.getAsBoolean();
            segmentWrites.increment();
            if (parallel)
            {
                hurriedSegmentWrites.increment();
                // In a hurry: no yields, but syncs still wait (bounded) for a WAL sync in progress to end.
                final GiveWay courtesy = new GiveWay(gate, false);
                final SegmentBatch own = new SegmentBatch(files);
                hurried.add(own);
                written.add(io.submit(() ->
                {
                    final List<SegmentFile> segments = writeSegments(file, replay, target, own, courtesy);
                    own.sync(courtesy);
                    return segments;
                }));
            }
            else
            {
                written.add(CompletableFuture.completedFuture(writeSegments(file, replay, target, batch, giveWay)));
            }
        }
        final List<List<SegmentFile>> segments = new ArrayList<>(jobs.size());
        for (final Future<List<SegmentFile>> job : written)
        {
            segments.add(await(job));
        }
        for (final SegmentBatch own : hurried)
        {
            batch.takeOver(own);
        }
        batch.publish(giveWay);
        for (int i = 0; i < jobs.size(); i++)
        {
            jobTargets.get(i).onFlushed(segments.get(i), jobs.get(i));
        }
        retirement.retire(sequence, path);
        return result.validEnd();
    }

    /**
     * Read the file up to its end marker: a recycled file is full size, but what follows the marker is an earlier
     * use's, never read. The batch headers are followed as the bytes arrive (without checking anything: the scan
     * does); if they lead anywhere but to an end marker (a torn tail, damage), the whole file is read, since the scan
     * must then search the rest for batches of this file.
     */
    private ByteBuffer read(final Path path, final long sequence, final GiveWay courtesy) throws IOException
    {
        try (LogFile wal = files.open(path, false))
        {
            final long size = wal.size();
            if (size > Integer.MAX_VALUE - 64)
            {
                throw Formats.corrupt(path, 0, "WAL file larger than 2 GiB");
            }
            if (buffer.capacity() < size)
            {
                buffer = ByteBuffer.allocateDirect((int)Math.max(size, buffer.capacity() * 2L));
            }
            buffer.clear();
            // In steps, giving way between them: the file is in the page cache, so reading it is all copying.
            int at = 0;
            int next = WalFormat.FILE_HEADER;
            boolean followed = true;
            while (at < size)
            {
                buffer.limit((int)Math.min(size, at + READ_STEP)).position(at);
                final int read = wal.read(buffer, at);
                if (read <= 0)
                {
                    break;
                }
                at += read;
                if (null != courtesy)
                {
                    courtesy.worked(read);
                }
                while (followed && at >= next + WalFormat.RECORD_HEADER)
                {
                    if (WalFormat.isEndMarker(buffer, next, at, sequence, markerCrc))
                    {
                        // Every byte the scan looks at is in: the marker is its last. Checked with its checksum: a
                        // damaged batch header must not pass for a marker and hide the batches after it.
                        buffer.limit(next + WalFormat.RECORD_HEADER).position(0);
                        return buffer;
                    }
                    final long length = WalFormat.startsBatchOf(buffer, next, at, sequence) ?
                        buffer.getLong(next + WalFormat.OFFSET_TERM) : -1;
                    if (length < WalFormat.RECORD_HEADER)
                    {
                        followed = false;
                    }
                    else
                    {
                        next += (int)Math.min(length, Integer.MAX_VALUE - next);
                    }
                }
            }
            buffer.limit(at).position(0);
        }
        if (buffer.limit() < WalFormat.FILE_HEADER)
        {
            LOG.warn("{}: deleting a WAL file whose header was never completely written ({} bytes)", path,
                buffer.limit());
            files.delete(path);
            files.syncDirectory(path.getParent());
            return null;
        }
        return buffer;
    }

    private void onRecord(final Path path, final Map<Integer, ServerReplay> replays, final byte type,
        final int ref, final long index, final ByteBuffer data, final int offset, final int length)
    {
        if (type == WalFormat.REGISTER)
        {
            final byte[] payload = new byte[length];
            data.get(offset, payload);
            try
            {
                final BufferReader in = new BufferReader(payload);
                final long uid = in.readLong();
                final String name = in.readString();
                final ServerReplay spare = spareReplays.poll();
                final ServerReplay replay = (null == spare ? new ServerReplay() : spare).start(ref, uid, name, data);
                final ServerReplay replaced = replays.put(ref, replay);
                if (null != replaced)
                {
                    spareReplays.add(replaced);
                }
            }
            catch (final CodecException ex)
            {
                throw Formats.corrupt(path, offset, "undecodable server registration: " + ex.getMessage());
            }
            return;
        }
        final ServerReplay replay = replays.get(ref);
        if (null == replay)
        {
            throw Formats.corrupt(path, offset - WalFormat.RECORD_HEADER, "record for unregistered server ref " + ref);
        }
        replay.apply(path, type, index, offset);
    }

    private static <T> T await(final Future<T> future) throws IOException
    {
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing segments", ex);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof IOException io)
            {
                throw io;
            }
            if (ex.getCause() instanceof RuntimeException runtime)
            {
                throw runtime;
            }
            throw new IOException(ex.getCause());
        }
    }

    private List<SegmentFile> writeSegments(final ByteBuffer file, final ServerReplay replay,
        final FlushTarget target, final SegmentBatch batch, final GiveWay courtesy) throws IOException
    {
        final List<SegmentFile> written = new ArrayList<>();
        final Path dir = target.segmentsDirectory();
        final SegmentBuilder builder = builders.get();
        int flags = replay.isReset() ? SegmentFile.FLAG_RESET : 0;
        long index = replay.base() + 1;
        builder.start(target.takeSegmentSequence(), index, flags);
        while (index <= replay.lastIndex())
        {
            if (builder.count() >= segmentMaxEntries || builder.bytes() >= segmentMaxBytes)
            {
                written.add(write(builder, dir, batch, courtesy));
                flags = 0;
                builder.start(target.takeSegmentSequence(), index, flags);
            }
            final int length = replay.length(index);
            builder.add(index, replay.term(index), file, replay.offset(index), length);
            if (null != courtesy)
            {
                courtesy.worked(length);
            }
            index++;
        }
        written.add(write(builder, dir, batch, courtesy));
        return written;
    }

    private SegmentFile write(final SegmentBuilder builder, final Path dir, final SegmentBatch batch,
        final GiveWay courtesy) throws IOException
    {
        final SegmentFile segment = builder.writeTo(files, dir, spares, courtesy);
        batch.add(segment, builder.cachedBytes(), builder.wroteOverSpare() ? spares : null, courtesy);
        return segment;
    }
}
