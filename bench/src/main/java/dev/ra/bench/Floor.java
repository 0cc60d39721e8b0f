package dev.ra.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The physical floor of a replicated write on this machine, measured rather than assumed, so the sequential figures
 * can be judged against it: a committed write needs at least one {@code fdatasync} (the leader's and a follower's
 * overlap) and, across processes, a loopback round trip client to leader and one leader to follower.
 *
 * <p>Measures, min/median/max over {@code --runs}: the p50 of a 4 KiB write plus {@code fdatasync} appending to a
 * file (how a fresh log grows) and overwriting an already written file (how a recycled log is written), and the p50
 * of a 128-byte TCP ping-pong over 127.0.0.1 with Nagle off. With three members on one machine the leader's and a
 * follower's syncs go to the same disk at the same time, so the floors use the time until two threads appending to
 * two files have both synced (started together each round). A second pair of floors counts the third member too: all
 * three members sync each entry, on the one disk, and the entry commits when two of the three syncs are done. Each
 * is measured appending (a fresh log's first file grows) and overwriting (a recycled WAL file, the steady state).
 *
 * <p>Those sums of parts measured back to back are lower bounds nothing reaches: a disk synced after a pause is slower
 * than one synced continuously, and they leave out the wake-ups of the threads that carry a request. So the figure
 * also runs {@link ReplicatedWriteFloor}, the whole replicated write as the simplest program that does it (blocking
 * sockets or queues, no consensus logic), which is the floor the sequential figures are judged against.
 */
final class Floor
{
    private static final int BLOCK = 4096;
    private static final int MESSAGE = 128;
    private static final int RECORD = 200;
    private static final long PAUSE_NANOS = 100_000;
    /** Round trips before the measured ones where the floor program runs in this (already warm) JVM. */
    private static final int IN_JVM_WARMUP_ROUNDS = 1_000;

    private Floor()
    {
    }

    static Json run(final Config config)
    {
        final List<Double> append = new ArrayList<>();
        final List<Double> overwrite = new ArrayList<>();
        final List<Double> pair = new ArrayList<>();
        final List<Double> trio = new ArrayList<>();
        final List<Double> pairOverwrite = new ArrayList<>();
        final List<Double> trioOverwrite = new ArrayList<>();
        final List<Double> rtt = new ArrayList<>();
        final List<Double> recordBackToBack = new ArrayList<>();
        final List<Double> recordPaused = new ArrayList<>();
        final Map<String, List<Double>> replicated = new LinkedHashMap<>();
        final int rounds = Math.max(500, (int)Math.min(10_000, config.seconds() * 1_000));
        // The one-JVM-per-member program starts fresh JVMs each run.
        final int processWarmupRounds = ReplicatedWriteFloor.processWarmupRounds(config.warmupSeconds());
        final int syncs = Math.max(50, (int)Math.min(2_000, config.seconds() * 400));
        final int pings = Math.max(200, (int)Math.min(20_000, config.seconds() * 4_000));
        try
        {
            final Path dir = null == config.dataDir() ? Files.createTempDirectory("ra-bench-floor") :
                Files.createTempDirectory(Files.createDirectories(config.dataDir()), "ra-bench-floor");
            try
            {
                for (int run = 0; run < config.runs(); run++)
                {
                    final Path file = dir.resolve("probe-" + run);
                    append.add(syncP50Millis(file, syncs, BLOCK, 0));
                    overwrite.add(syncP50Millis(file, syncs, BLOCK, 0));
                    recordBackToBack.add(syncP50Millis(file, syncs, RECORD, 0));
                    recordPaused.add(syncP50Millis(file, syncs, RECORD, PAUSE_NANOS));
                    Files.delete(file);
                    pair.add(concurrentP50Millis(dir, "pair-" + run, 2, 2, syncs, false));
                    trio.add(concurrentP50Millis(dir, "trio-" + run, 3, 2, syncs, false));
                    pairOverwrite.add(concurrentP50Millis(dir, "pair-over-" + run, 2, 2, syncs, true));
                    trioOverwrite.add(concurrentP50Millis(dir, "trio-over-" + run, 3, 2, syncs, true));
                    rtt.add(loopbackRoundTripP50Millis(pings));
                    for (final ReplicatedWriteFloor.Transport transport : ReplicatedWriteFloor.Transport.values())
                    {
                        for (final boolean overwriting : new boolean[] {true, false})
                        {
                            final String key = "replicated_write_" + transport.name().toLowerCase(Locale.ROOT) +
                                (overwriting ? "_overwrite" : "_append") + "_p50_ms";
                            final ReplicatedWriteFloor.Result result =
                                ReplicatedWriteFloor.run(dir, ReplicatedWriteFloor.Transport.PROCESSES == transport ?
                                    processWarmupRounds : IN_JVM_WARMUP_ROUNDS, rounds, transport, overwriting);
                            replicated.computeIfAbsent(key, k -> new ArrayList<>()).add(result.p50Millis());
                            if (result.cpuMicrosPerOp().length > 0)
                            {
                                // The same keys and meaning as the netty figure's cpu_us_per_op.
                                final String cpuKey = key.replace("_p50_ms", "_cpu_us_per_op_");
                                ProcessCpu.byRole(result.cpuMicrosPerOp()).forEach((role, micros) ->
                                    replicated.computeIfAbsent(cpuKey + role, k -> new ArrayList<>()).add(micros));
                            }
                        }
                    }
                }
            }
            finally
            {
                Files.deleteIfExists(dir);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final double sync = median(pair);
        final double roundTrip = median(rtt);
        final Json json = new Json().put("figure", "floor")
            .put("fdatasync_append_4k_p50_ms", Json.summary(append))
            .put("fdatasync_overwrite_4k_p50_ms", Json.summary(overwrite))
            .put("fdatasync_overwrite_200b_back_to_back_p50_ms", Json.summary(recordBackToBack))
            .put("fdatasync_overwrite_200b_after_100us_pause_p50_ms", Json.summary(recordPaused))
            .put("fdatasync_append_4k_two_files_at_once_p50_ms", Json.summary(pair))
            .put("fdatasync_append_4k_three_files_at_once_two_done_p50_ms", Json.summary(trio))
            .put("fdatasync_overwrite_4k_two_files_at_once_p50_ms", Json.summary(pairOverwrite))
            .put("fdatasync_overwrite_4k_three_files_at_once_two_done_p50_ms", Json.summary(trioOverwrite))
            .put("loopback_rtt_p50_ms", Json.summary(rtt))
            .put("floor_in_jvm_sequential_ms", round(sync))
            .put("floor_netty_sequential_ms", round(sync + 2 * roundTrip))
            .put("floor_in_jvm_sequential_three_syncs_ms", round(median(trio)))
            .put("floor_netty_sequential_three_syncs_ms", round(median(trio) + 2 * roundTrip))
            .put("floor_in_jvm_sequential_overwrite_ms", round(median(pairOverwrite)))
            .put("floor_netty_sequential_overwrite_ms", round(median(pairOverwrite) + 2 * roundTrip))
            .put("floor_in_jvm_sequential_overwrite_three_syncs_ms", round(median(trioOverwrite)))
            .put("floor_netty_sequential_overwrite_three_syncs_ms", round(median(trioOverwrite) + 2 * roundTrip));
        replicated.forEach((key, values) -> json.put(key, Json.summary(values)));
        return json;
    }

    /**
     * Write {@code size}-byte pieces from the start of the file, syncing each; on a new file this appends, on one
     * already written it overwrites allocated blocks. With a pause between syncs (as a client waiting for each answer
     * leaves) a sync is slower than back to back, which is why sums of back-to-back parts are not a reachable floor.
     */
    private static double syncP50Millis(final Path file, final int count, final int size, final long pauseNanos)
        throws IOException
    {
        final Histogram histogram = new Histogram(3);
        final ByteBuffer piece = ByteBuffer.allocateDirect(size);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (int i = 0; i < count; i++)
            {
                piece.clear();
                piece.putLong(0, i);
                final long start = System.nanoTime();
                channel.write(piece, (long)i * size);
                channel.force(false);
                histogram.recordValue(System.nanoTime() - start);
                if (pauseNanos > 0)
                {
                    LockSupport.parkNanos(pauseNanos);
                }
            }
        }
        return histogram.getValueAtPercentile(50) / 1e6;
    }

    /**
     * {@code writers} threads each append and sync a block to their own file, released together each round; a round
     * counts until {@code needed} of them have synced (two of two: a leader and a follower; two of three: the commit
     * point of a three-member cluster whose three syncs share the disk).
     */
    private static double concurrentP50Millis(final Path dir, final String name, final int writers, final int needed,
        final int count, final boolean overwrite) throws IOException
    {
        if (overwrite)
        {
            // Written and synced once first: the rounds then overwrite allocated blocks, as a recycled WAL file is.
            final ByteBuffer zeros = ByteBuffer.allocateDirect(BLOCK);
            for (int w = 0; w < writers; w++)
            {
                try (FileChannel channel = FileChannel.open(dir.resolve(name + "-" + w), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE))
                {
                    for (int i = 0; i < count; i++)
                    {
                        zeros.clear();
                        channel.write(zeros, (long)i * BLOCK);
                    }
                    channel.force(true);
                }
            }
        }
        final Histogram histogram = new Histogram(3);
        final CyclicBarrier start = new CyclicBarrier(writers);
        final CyclicBarrier done = new CyclicBarrier(writers);
        final long[] began = new long[1];
        final long[] ends = new long[writers];
        final List<Thread> partners = new ArrayList<>();
        for (int w = 1; w < writers; w++)
        {
            final int writer = w;
            final Thread partner = new Thread(() -> syncRounds(dir.resolve(name + "-" + writer), writer, count, start,
                done, began, ends, needed, null), "floor-partner-" + w);
            partner.setDaemon(true);
            partner.start();
            partners.add(partner);
        }
        syncRounds(dir.resolve(name + "-0"), 0, count, start, done, began, ends, needed, histogram);
        try
        {
            for (final Thread partner : partners)
            {
                partner.join(60_000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (int w = 0; w < writers; w++)
        {
            Files.deleteIfExists(dir.resolve(name + "-" + w));
        }
        return histogram.getValueAtPercentile(50) / 1e6;
    }

    private static void syncRounds(final Path file, final int writer, final int count, final CyclicBarrier start,
        final CyclicBarrier done, final long[] began, final long[] ends, final int needed, final Histogram histogram)
    {
        final ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (int i = 0; i < count; i++)
            {
                start.await(10, TimeUnit.SECONDS);
                if (writer == 0)
                {
                    began[0] = System.nanoTime();
                }
                block.clear();
                channel.write(block, (long)i * BLOCK);
                channel.force(false);
                ends[writer] = System.nanoTime();
                // The barrier orders every writer's end time before the measuring writer reads them.
                done.await(10, TimeUnit.SECONDS);
                if (null != histogram)
                {
                    final long[] sorted = ends.clone();
                    Arrays.sort(sorted);
                    histogram.recordValue(Math.max(0, sorted[needed - 1] - began[0]));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException | BrokenBarrierException |
            TimeoutException ex)
        {
            throw new IllegalStateException("the sync threads lost step", ex);
        }
    }

    private static double loopbackRoundTripP50Millis(final int count) throws IOException
    {
        final Histogram histogram = new Histogram(3);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread echo = new Thread(() -> echo(server, count), "floor-echo");
            echo.setDaemon(true);
            echo.start();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()))
            {
                socket.setTcpNoDelay(true);
                final OutputStream out = socket.getOutputStream();
                final DataInputStream in = new DataInputStream(socket.getInputStream());
                final byte[] message = new byte[MESSAGE];
                final int warmup = count / 5;
                for (int i = 0; i < warmup + count; i++)
                {
                    final long start = System.nanoTime();
                    out.write(message);
                    out.flush();
                    in.readFully(message);
                    if (i >= warmup)
                    {
                        histogram.recordValue(System.nanoTime() - start);
                    }
                }
            }
            try
            {
                echo.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        return histogram.getValueAtPercentile(50) / 1e6;
    }

    private static void echo(final ServerSocket server, final int count)
    {
        try (Socket socket = server.accept())
        {
            socket.setTcpNoDelay(true);
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            final byte[] message = new byte[MESSAGE];
            final DataInputStream data = new DataInputStream(in);
            while (true)
            {
                data.readFully(message);
                out.write(message);
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            // The client closed the connection: the measurement is over.
        }
    }

    private static double median(final List<Double> values)
    {
        return Json.median(values.stream().mapToDouble(Double::doubleValue).sorted().toArray());
    }

    private static double round(final double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }
}
