package dev.ra.bench;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The least a replicated write can cost here, measured as one program rather than summed from parts: a client sends a
 * 128-byte request to a leader, which forwards it to two followers, appends a 200-byte record to its own file and
 * syncs it, waits for one follower's acknowledgement (each follower appends, syncs and acknowledges) and answers the
 * client. No consensus logic, no encoding, no batching; just the messages and the {@code fdatasync}s a three-member
 * cluster must make, with the same gaps between syncs as a client waiting for each answer makes (a disk synced back to
 * back is faster than one synced after a pause, so floors summed from back-to-back measurements are not reachable).
 *
 * <p>Three transports: {@link Transport#PROCESSES}, each member a JVM of its own and each hop a blocking TCP socket on
 * 127.0.0.1 with Nagle off, the client in the calling JVM (the topology of the figures with one JVM per node and a
 * client JVM); {@link Transport#LOOPBACK}, the same sockets between threads of one JVM; and {@link Transport#THREADS},
 * each hop a hand-off between threads of one JVM through a blocking queue (the floor of the in-JVM figures). The files
 * are either fresh (appending) or written once before (overwriting, as a recycled WAL file is).
 *
 * <p>{@link #main} runs one member of the {@code PROCESSES} variant.
 */
final class ReplicatedWriteFloor
{
    /** Where the members run and how they talk. */
    enum Transport
    {
        /** One JVM per member, blocking TCP sockets over 127.0.0.1; the client in the calling JVM. */
        PROCESSES,
        /** Threads of the calling JVM, blocking TCP sockets over 127.0.0.1. */
        LOOPBACK,
        /** Threads of the calling JVM, blocking queues between them. */
        THREADS
    }

    private static final int REQUEST_BYTES = 128;
    private static final int ACK_BYTES = 8;
    private static final int RECORD_BYTES = 200;
    /**
     * System property of a {@link Transport#PROCESSES} member: whether it also keeps a mark file, as ra-log keeps its
     * WAL mark (see {@link MarkFile}).
     */
    static final String MARK_PROPERTY = "ra.bench.floorMark";
    private static final Object MESSAGE = new Object();

    private ReplicatedWriteFloor()
    {
    }

    /**
     * One run of the floor program.
     *
     * @param p50Millis      the p50 of a client's round trip in milliseconds.
     * @param cpuMicrosPerOp CPU per round of each JVM in the order of {@link ProcessCpu#ROLES} ({@code PROCESSES}
     *                       only; empty otherwise, -1 where {@code /proc} could not be read).
     */
    record Result(double p50Millis, double[] cpuMicrosPerOp)
    {
    }

    /**
     * How long to warm the one-JVM-per-member program: as long as the figures compared with it warm their nodes, at
     * about 3,000 rounds a second here, so that neither side is measured while its JIT compilers are still busy.
     *
     * @param warmupSeconds the figures' warm-up.
     * @return round trips, at least 1,000.
     */
    static int processWarmupRounds(final double warmupSeconds)
    {
        return Math.max(1_000, (int)Math.min(300_000, warmupSeconds * 3_000));
    }

    private static double p50Millis(final Histogram histogram)
    {
        return histogram.getValueAtPercentile(50) / 1e6;
    }

    /**
     * @param dir          for the three members' files (deleted afterwards).
     * @param warmupRounds client round trips before the measured ones (for {@code PROCESSES}, enough for the members'
     *                     JIT compilers to finish, as the figures it is compared with are measured after theirs).
     * @param rounds       measured client round trips, after the warm-up.
     * @param transport    between the members.
     * @param overwrite    whether the files are written once before, so the rounds overwrite allocated blocks.
     * @return the p50 of a client's round trip, and for {@code PROCESSES} the CPU each process spent per round.
     */
    static Result run(final Path dir, final int warmupRounds, final int rounds, final Transport transport,
        final boolean overwrite)
    {
        final List<Path> files = List.of(dir.resolve("replicated-leader"), dir.resolve("replicated-follower-1"),
            dir.resolve("replicated-follower-2"));
        try
        {
            for (final Path file : files)
            {
                Files.deleteIfExists(file);
                if (overwrite)
                {
                    preallocate(file, (long)(warmupRounds + rounds) * RECORD_BYTES);
                }
            }
            final double[] cpu = new double[0];
            return switch (transport)
            {
                case PROCESSES -> processes(files, warmupRounds, rounds);
                case LOOPBACK -> new Result(p50Millis(loopback(files, warmupRounds, rounds)), cpu);
                case THREADS -> new Result(p50Millis(threads(files, warmupRounds, rounds)), cpu);
            };
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            for (final Path file : files)
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ex)
                {
                    // best effort: the directory is removed by the caller
                }
            }
        }
    }

    private static Histogram loopback(final List<Path> files, final int warmupRounds, final int rounds)
        throws IOException
    {
        final Histogram histogram;
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        final List<Thread> threads = new ArrayList<>();
        try (ServerSocket leaderSocket = new ServerSocket(0, 1, loopback);
            ServerSocket follower1Socket = new ServerSocket(0, 1, loopback);
            ServerSocket follower2Socket = new ServerSocket(0, 1, loopback))
        {
            threads.add(start("floor-follower-1", () -> follower(follower1Socket, files.get(1), 0)));
            threads.add(start("floor-follower-2", () -> follower(follower2Socket, files.get(2), 0)));
            threads.add(start("floor-leader", () -> leader(leaderSocket, follower1Socket.getLocalPort(),
                follower2Socket.getLocalPort(), files.get(0), 0)));
            try (Client client = new Client(leaderSocket.getLocalPort()))
            {
                client.roundTrips(warmupRounds);
                histogram = client.measuredRoundTrips(rounds);
            }
        }
        join(threads);
        return histogram;
    }

    private static Result processes(final List<Path> files, final int warmupRounds, final int rounds)
        throws IOException
    {
        try (ProcessSession session = ProcessSession.start(files, 0, warmupRounds, false))
        {
            return session.window(rounds);
        }
    }

    /**
     * The {@link Transport#PROCESSES} variant kept running between measured windows, so that its windows can take turns
     * with another figure's seconds apart rather than minutes (this machine's speed drifts by a third within minutes).
     * Each member overwrites a preallocated file of {@link #FILE_BYTES} in circles, as recycled WAL files are
     * overwritten.
     */
    static final class ProcessSession implements AutoCloseable
    {
        /** The size of each member's file: that of the WAL files the steady-state figures recycle. */
        static final long FILE_BYTES = 4L << 20;

        private final List<Process> members;
        private final List<Path> files;
        private final List<Long> pids;
        private final Client client;

        private ProcessSession(final List<Process> members, final List<Path> files, final Client client)
        {
            this.members = members;
            this.files = files;
            this.client = client;
            // In the order of ProcessCpu.ROLES: leader, followers, then this JVM (the client).
            this.pids = List.of(members.get(2).pid(), members.get(0).pid(), members.get(1).pid(),
                ProcessHandle.current().pid());
        }

        /**
         * @param dir          for the members' files, each preallocated to {@link #FILE_BYTES} and overwritten in
         *                     circles (deleted on {@link #close}).
         * @param warmupRounds round trips before this returns, for the members' JIT compilers.
         * @param mark         whether each member also keeps a mark file, synced after each record's sync.
         * @return the running program.
         * @throws IOException if a member cannot be started or reached.
         */
        static ProcessSession start(final Path dir, final int warmupRounds, final boolean mark) throws IOException
        {
            final List<Path> files = List.of(dir.resolve("session-leader"), dir.resolve("session-follower-1"),
                dir.resolve("session-follower-2"));
            for (final Path file : files)
            {
                preallocate(file, FILE_BYTES);
            }
            return start(files, FILE_BYTES, warmupRounds, mark);
        }

        /**
         * @param files        the leader's and the two followers' files (deleted on {@link #close}).
         * @param wrapBytes    the files' size if they are to be overwritten in circles, 0 to append.
         * @param warmupRounds round trips before this returns, for the members' JIT compilers.
         * @param mark         whether each member also keeps a mark file, synced after each record's sync.
         * @return the running program.
         * @throws IOException if a member cannot be started or reached.
         */
        static ProcessSession start(final List<Path> files, final long wrapBytes, final int warmupRounds,
            final boolean mark) throws IOException
        {
            final List<Process> members = new ArrayList<>();
            ProcessSession session = null;
            try
            {
                final String wrap = String.valueOf(wrapBytes);
                final Member follower1 = Member.start(members, mark, "follower", files.get(1).toString(), wrap);
                final Member follower2 = Member.start(members, mark, "follower", files.get(2).toString(), wrap);
                final Member leader = Member.start(members, mark, "leader", files.get(0).toString(),
                    String.valueOf(follower1.port()), String.valueOf(follower2.port()), wrap);
                session = new ProcessSession(members, files, new Client(leader.port()));
                session.client.roundTrips(warmupRounds);
                return session;
            }
            catch (final IOException | RuntimeException ex)
            {
                if (null != session)
                {
                    try
                    {
                        session.close();
                    }
                    catch (final IllegalStateException stuck)
                    {
                        ex.addSuppressed(stuck);
                    }
                }
                members.forEach(Process::destroyForcibly);
                throw ex;
            }
        }

        /**
         * @param rounds measured round trips.
         * @return their p50 and the CPU each process spent per round.
         * @throws IOException if a member fails.
         */
        Result window(final int rounds) throws IOException
        {
            final long[] before = ProcessCpu.nanos(pids);
            final Histogram histogram = client.measuredRoundTrips(rounds);
            return new Result(p50Millis(histogram), ProcessCpu.microsPerOp(before, ProcessCpu.nanos(pids), rounds));
        }

        @Override
        /**
         * Stop the program: the members exit once their client leaves.
         *
         * @throws IllegalStateException if a member had not stopped 30 s after its client left (it is killed).
         */
        public void close()
        {
            boolean allStopped = true;
            try
            {
                client.close();
                for (final Process member : members)
                {
                    allStopped &= member.waitFor(30, TimeUnit.SECONDS);
                }
            }
            catch (final IOException ex)
            {
                // the members are stopped below either way
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                members.forEach(Process::destroyForcibly);
                for (final Path file : files)
                {
                    try
                    {
                        Files.deleteIfExists(file);
                    }
                    catch (final IOException ex)
                    {
                        // best effort: the directory is removed by the caller
                    }
                }
            }
            if (!allStopped)
            {
                throw new IllegalStateException("a floor member did not stop after its client left");
            }
        }
    }

    /**
     * One member of the {@link Transport#PROCESSES} variant: {@code follower FILE [WRAP_BYTES]} or {@code leader FILE
     * FOLLOWER1_PORT FOLLOWER2_PORT [WRAP_BYTES]} (with {@code WRAP_BYTES}, the file is overwritten in circles of that
     * size). Prints {@code port N} once it listens and exits when its client leaves.
     *
     * @param args the role and its arguments.
     * @throws IOException if the socket cannot be opened.
     */
    public static void main(final String[] args) throws IOException
    {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            System.out.println("port " + listener.getLocalPort());
            System.out.flush();
            if ("leader".equals(args[0]))
            {
                leader(listener, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[1]),
                    args.length > 4 ? Long.parseLong(args[4]) : 0);
            }
            else
            {
                follower(listener, Path.of(args[1]), args.length > 2 ? Long.parseLong(args[2]) : 0);
            }
        }
    }

    private record Member(int port)
    {
        static Member start(final List<Process> started, final boolean mark, final String... args) throws IOException
        {
            final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-D" + MARK_PROPERTY + "=" + mark, "-cp", System.getProperty("java.class.path"),
                ReplicatedWriteFloor.class.getName()));
            command.addAll(List.of(args));
            final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
            started.add(process);
            final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
            final String line = out.readLine();
            if (null == line || !line.startsWith("port "))
            {
                throw new IllegalStateException("a floor member did not start: " + line);
            }
            return new Member(Integer.parseInt(line.substring("port ".length())));
        }
    }

    /** The client's end of the socket variants: one request at a time, each awaiting its answer. */
    private static final class Client implements AutoCloseable
    {
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;
        private final byte[] request = new byte[REQUEST_BYTES];
        private final byte[] ack = new byte[ACK_BYTES];

        Client(final int port) throws IOException
        {
            socket = connect(port);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
        }

        void roundTrips(final int count) throws IOException
        {
            for (int i = 0; i < count; i++)
            {
                out.write(request);
                in.readFully(ack);
            }
        }

        Histogram measuredRoundTrips(final int count) throws IOException
        {
            final Histogram histogram = new Histogram(3);
            for (int i = 0; i < count; i++)
            {
                final long start = System.nanoTime();
                out.write(request);
                in.readFully(ack);
                histogram.recordValue(System.nanoTime() - start);
            }
            return histogram;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    private static void leader(final ServerSocket listener, final int follower1Port, final int follower2Port,
        final Path file, final long wrapBytes)
    {
        try (Socket client = accept(listener);
            Socket follower1 = connect(follower1Port);
            Socket follower2 = connect(follower2Port);
            FileChannel channel = open(file);
            MarkFile mark = MarkFile.openIfKept(file))
        {
            // Only one follower's acknowledgement is awaited (with the leader's own sync, a majority of three); the
            // other's are read by a thread of their own so its socket never fills.
            final InputStream slowAcks = follower2.getInputStream();
            final Thread drain = start("floor-leader-drain", () -> drain(slowAcks));
            final DataInputStream fromClient = new DataInputStream(client.getInputStream());
            final OutputStream toClient = client.getOutputStream();
            final OutputStream toFollower1 = follower1.getOutputStream();
            final OutputStream toFollower2 = follower2.getOutputStream();
            final DataInputStream fromFollower1 = new DataInputStream(follower1.getInputStream());
            final byte[] request = new byte[REQUEST_BYTES];
            final byte[] ack = new byte[ACK_BYTES];
            final ByteBuffer record = ByteBuffer.allocateDirect(RECORD_BYTES);
            long position = 0;
            while (readFully(fromClient, request))
            {
                toFollower1.write(request);
                toFollower2.write(request);
                position = appendAndSync(channel, record, position, wrapBytes);
                if (null != mark)
                {
                    mark.write(position);
                }
                fromFollower1.readFully(ack);
                toClient.write(ack);
            }
            follower1.shutdownOutput();
            follower2.shutdownOutput();
            join(List.of(drain));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void follower(final ServerSocket listener, final Path file, final long wrapBytes)
    {
        try (Socket leader = accept(listener);
            FileChannel channel = open(file);
            MarkFile mark = MarkFile.openIfKept(file))
        {
            final DataInputStream in = new DataInputStream(leader.getInputStream());
            final OutputStream out = leader.getOutputStream();
            final byte[] request = new byte[REQUEST_BYTES];
            final byte[] ack = new byte[ACK_BYTES];
            final ByteBuffer record = ByteBuffer.allocateDirect(RECORD_BYTES);
            long position = 0;
            while (readFully(in, request))
            {
                position = appendAndSync(channel, record, position, wrapBytes);
                if (null != mark)
                {
                    mark.write(position);
                }
                out.write(ack);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void drain(final InputStream in)
    {
        final byte[] buffer = new byte[256];
        try
        {
            while (in.read(buffer) >= 0)
            {
                // acknowledgements of the follower the leader does not wait for
            }
        }
        catch (final IOException ex)
        {
            // the leader closed the socket
        }
    }

    private static Histogram threads(final List<Path> files, final int warmupRounds, final int rounds)
    {
        final Histogram histogram = new Histogram(3);
        final BlockingQueue<Object> toLeader = new ArrayBlockingQueue<>(4);
        final BlockingQueue<Object> toClient = new ArrayBlockingQueue<>(4);
        final BlockingQueue<Object> toFollower1 = new ArrayBlockingQueue<>(4);
        final BlockingQueue<Object> toFollower2 = new ArrayBlockingQueue<>(4);
        final BlockingQueue<Object> follower1Acks = new ArrayBlockingQueue<>(4);
        final BlockingQueue<Object> follower2Acks = new ArrayBlockingQueue<>(4);
        final int total = warmupRounds + rounds;
        final List<Thread> threads = new ArrayList<>();
        threads.add(start("floor-follower-1", () -> followerRounds(toFollower1, follower1Acks, files.get(1), total)));
        threads.add(start("floor-follower-2", () -> followerRounds(toFollower2, follower2Acks, files.get(2), total)));
        threads.add(start("floor-leader-drain", () -> take(follower2Acks, total)));
        threads.add(start("floor-leader", () ->
        {
            try (FileChannel channel = open(files.get(0)))
            {
                final ByteBuffer record = ByteBuffer.allocateDirect(RECORD_BYTES);
                long position = 0;
                for (int i = 0; i < total; i++)
                {
                    final Object request = toLeader.take();
                    toFollower1.put(request);
                    toFollower2.put(request);
                    position = appendAndSync(channel, record, position, 0);
                    follower1Acks.take();
                    toClient.put(request);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }));
        try
        {
            for (int i = -warmupRounds; i < rounds; i++)
            {
                final long start = System.nanoTime();
                toLeader.put(MESSAGE);
                if (null == toClient.poll(30, TimeUnit.SECONDS))
                {
                    throw new IllegalStateException("the floor's leader thread stopped answering");
                }
                if (i >= 0)
                {
                    histogram.recordValue(System.nanoTime() - start);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        join(threads);
        return histogram;
    }

    private static void followerRounds(final BlockingQueue<Object> in, final BlockingQueue<Object> out, final Path file,
        final int total)
    {
        try (FileChannel channel = open(file))
        {
            final ByteBuffer record = ByteBuffer.allocateDirect(RECORD_BYTES);
            long position = 0;
            for (int i = 0; i < total; i++)
            {
                final Object request = in.take();
                position = appendAndSync(channel, record, position, 0);
                out.put(request);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void take(final BlockingQueue<Object> queue, final int count)
    {
        try
        {
            for (int i = 0; i < count; i++)
            {
                queue.take();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @param wrapBytes if positive, the file's preallocated size: the next record goes back to its start when it would
     *                  not fit, so the file is overwritten in circles (as recycled WAL files are); 0 to append.
     * @return where the next record goes.
     */
    private static long appendAndSync(final FileChannel channel, final ByteBuffer record, final long position,
        final long wrapBytes) throws IOException
    {
        record.clear();
        record.putLong(0, position);
        channel.write(record, position);
        channel.force(false);
        final long next = position + RECORD_BYTES;
        return wrapBytes > 0 && next + RECORD_BYTES > wrapBytes ? 0 : next;
    }

    /**
     * Write {@code bytes} of zeros (rounded up to 64 KiB) into {@code file} and sync it, so that later writes
     * overwrite allocated blocks.
     */
    static void preallocate(final Path file, final long bytes) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 16);
        try (FileChannel channel = open(file))
        {
            for (long position = 0; position < bytes; position += zeros.capacity())
            {
                zeros.clear();
                channel.write(zeros, position);
            }
            channel.force(true);
        }
    }

    static FileChannel open(final Path file) throws IOException
    {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private static boolean readFully(final DataInputStream in, final byte[] buffer) throws IOException
    {
        int read = 0;
        while (read < buffer.length)
        {
            final int n = in.read(buffer, read, buffer.length - read);
            if (n < 0)
            {
                if (read == 0)
                {
                    return false;
                }
                throw new IOException("connection closed inside a message");
            }
            read += n;
        }
        return true;
    }

    private static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static Socket accept(final ServerSocket listener) throws IOException
    {
        final Socket socket = listener.accept();
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static Thread start(final String name, final Runnable body)
    {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(final List<Thread> threads)
    {
        try
        {
            for (final Thread thread : threads)
            {
                thread.join(30_000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
