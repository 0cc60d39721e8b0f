package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.node.NodeControl;
import dev.ra.node.NodeJvm;
import dev.ra.transport.netty.NettyTransportConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Figures 1 and 2 across processes: three node JVMs ({@link NettyNode}, ra-log, fsync per the config) on loopback
 * through the Netty transport, driven from this JVM as a fourth, server-less client node with its own Netty
 * transport. Each command crosses client → leader → followers → leader → client over TCP.
 */
public final class NettyFigures
{
    private NettyFigures()
    {
    }

    /**
     * @param config settings.
     * @return the sequential, the chained sequential ({@link Driver#chainedSequential}) and the 64-in-flight lines.
     */
    public static List<Json> run(final Config config)
    {
        final List<Process> nodes = new ArrayList<>();
        final List<BufferedReader> outputs = new ArrayList<>();
        Path root = null;
        RaSystem client = null;
        try
        {
            root = null == config.dataDir() ? Files.createTempDirectory("ra-bench-netty") :
                Files.createTempDirectory(Files.createDirectories(config.dataDir()), "ra-bench-netty");
            final List<String> ports = new ArrayList<>();
            for (final String node : List.of("n1", "n2", "n3", "client"))
            {
                ports.add(node + "=" + freePort());
            }
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final String cp = System.getProperty("java.class.path");
            final long tick = config.nodeOptions().tick().toMillis();
            for (final String node : List.of("n1", "n2", "n3"))
            {
                final List<String> cmd = new ArrayList<>(List.of(java, NodeJvm.ENABLE_NATIVE_ACCESS, "-Xmx1g"));
                cmd.addAll(nodeJvmOptions());
                cmd.add("-D" + NettyNode.WAL_MARK_PROPERTY + "=" + config.walMark());
                cmd.addAll(List.of("-cp", cp,
                    NettyNode.class.getName(), node, root.resolve(node).toString(), config.sync().name(),
                    String.valueOf(config.electionMinMs()), String.valueOf(config.electionMaxMs()),
                    String.valueOf(tick), String.valueOf(config.walMaxMb() << 20)));
                cmd.addAll(ports);
                final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                nodes.add(p);
                final BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
                outputs.add(r);
                final String ready = CompletableFuture.supplyAsync(() -> readLine(r), ThreadPerTask.EXECUTOR)
                    .get(60, TimeUnit.SECONDS);
                if (null == ready || !ready.startsWith(NodeControl.PREFIX + "ready"))
                {
                    throw new IllegalStateException("node " + node + " did not start: " + ready);
                }
            }
            final NettyTransportConfig.Builder transport = NettyTransportConfig.builder().clusterId("ra-bench")
                .ioThreads(1).callerConnections(config.callerConnections());
            for (final String kv : ports)
            {
                final String[] p = kv.split("=");
                final InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(p[1]));
                if ("client".equals(p[0]))
                {
                    transport.listenAddress(address);
                }
                else
                {
                    transport.peer(p[0], address);
                }
            }
            final dev.ra.transport.netty.NettyTransport net = new dev.ra.transport.netty.NettyTransport(
                transport.build());
            client = NettyNode.build("client", net, null, config.sync(), config.electionMinMs(),
                config.electionMaxMs(), tick, config.walMaxMb() << 20);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(net.isReachable("n1") && net.isReachable("n2") && net.isReachable("n3")))
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("nodes not reachable from the client within 60 s");
                }
                Driver.sleep(0.05);
            }
            Driver.sleep(1);
            final ServerId leader = client.startCluster("net", BenchKv.NAME, Nodes.members("net", 3));
            Harness.progress("netty: cluster started, leader %s", leader);
            final RaSystem c = client;
            final List<Json> out = new ArrayList<>();
            final List<Long> pids = processIds(nodes, leader);
            final WireCounters wire = new WireCounters(nodes, outputs, net);
            Driver.sequential(c, leader, config.warmupSeconds());
            // The two sequential lines take turns, window by window, so that neither is measured later in the
            // nodes' life than the other (their JIT compilers and WAL files keep changing for a while).
            final List<Driver.Window> seq = new ArrayList<>();
            final List<Driver.Window> chained = new ArrayList<>();
            final long[] seqCpu = new long[pids.size()];
            final long[] chainedCpu = new long[pids.size()];
            final long[] seqWire = new long[3];
            final long[] chainedWire = new long[3];
            for (int r = 0; r < config.runs(); r++)
            {
                long[] before = ProcessCpu.nanos(pids);
                long[] wireBefore = wire.read();
                seq.add(Driver.sequential(c, leader, config.seconds()));
                before = ProcessCpu.accumulate(seqCpu, before, ProcessCpu.nanos(pids));
                wireBefore = ProcessCpu.accumulate(seqWire, wireBefore, wire.read());
                chained.add(Driver.chainedSequential(c, leader, config.seconds()));
                ProcessCpu.accumulate(chainedCpu, before, ProcessCpu.nanos(pids));
                ProcessCpu.accumulate(chainedWire, wireBefore, wire.read());
            }
            out.add(ClusterFigures.withLatency(base(config, "sequential-netty"), seq, true).put("in_flight", 1)
                .put("cpu_us_per_op", cpuPerOp(seqCpu, seq)).put("wire_per_op", wirePerOp(seqWire, seq)));
            out.add(ClusterFigures.withLatency(base(config, "sequential-netty-chained"), chained, true)
                .put("in_flight", 1).put("cpu_us_per_op", cpuPerOp(chainedCpu, chained))
                .put("wire_per_op", wirePerOp(chainedWire, chained)));
            out.add(againstFloor(config, c, leader, pids, Files.createDirectories(root.resolve("floor"))));
            final List<Driver.Window> pipe = ClusterFigures.pipelinedWindows(config, c, leader, 64);
            out.add(ClusterFigures.withLatency(base(config, "pipelined-64-netty"), pipe, false).put("in_flight", 64));
            return out;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            if (null != client)
            {
                client.close();
            }
            for (final Process p : nodes)
            {
                stop(p);
            }
            if (null != root)
            {
                DirectoryTrees.deleteQuietly(root);
            }
        }
    }

    /**
     * The synchronous sequential figure against the floor program ({@link ReplicatedWriteFloor.ProcessSession}, one
     * JVM per member, overwriting its files in circles as the nodes' recycled WAL files are), window for window: each
     * of ours is taken between two of the floor's, seconds apart, and judged against their mean, so that the machine's
     * drift (a third within minutes here) cancels out of the ratio instead of deciding it. Both are warmed first (the
     * nodes already are; the floor's JVMs for the same warm-up), and each sits idle while the other is measured.
     */
    private static Json againstFloor(final Config config, final RaSystem client, final ServerId leader,
        final List<Long> pids, final Path dir) throws IOException
    {
        final int floorRounds = Math.max(200, (int)Math.min(100_000, config.seconds() * 3_000));
        final int warmupRounds = ReplicatedWriteFloor.processWarmupRounds(config.warmupSeconds());
        final List<Double> floor = new ArrayList<>();
        final List<double[]> floorCpu = new ArrayList<>();
        final List<Driver.Window> ours = new ArrayList<>();
        final List<Double> ratios = new ArrayList<>();
        final Map<String, List<Double>> cpu = new LinkedHashMap<>();
        final Map<String, List<Double>> cpuRatios = new LinkedHashMap<>();
        try (ReplicatedWriteFloor.ProcessSession session = ReplicatedWriteFloor.ProcessSession.start(dir, warmupRounds,
            config.walMark()))
        {
            ReplicatedWriteFloor.Result floorWindow = session.window(floorRounds);
            floor.add(floorWindow.p50Millis());
            floorCpu.add(floorWindow.cpuMicrosPerOp());
            for (int r = 0; r < config.runs(); r++)
            {
                final long[] before = ProcessCpu.nanos(pids);
                final Driver.Window window = Driver.sequential(client, leader, config.seconds());
                final double[] ourCpu = ProcessCpu.microsPerOp(before, ProcessCpu.nanos(pids), window.ops());
                ours.add(window);
                floorWindow = session.window(floorRounds);
                floor.add(floorWindow.p50Millis());
                floorCpu.add(floorWindow.cpuMicrosPerOp());
                final double floorAround = (floor.get(r) + floor.get(r + 1)) / 2;
                ratios.add(Math.round(window.ms(50) / floorAround * 1000) / 1000.0);
                // CPU per command of each of our JVMs against the floor's JVM in the same role, in the floor's windows
                // just before and after ours.
                for (int role = 0; role < ourCpu.length; role++)
                {
                    final String name = ProcessCpu.ROLES.get(role);
                    final double floorRole = (floorCpu.get(r)[role] + floorCpu.get(r + 1)[role]) / 2;
                    cpu.computeIfAbsent(name, k -> new ArrayList<>()).add(ourCpu[role]);
                    if (ourCpu[role] >= 0 && floorRole > 0)
                    {
                        cpuRatios.computeIfAbsent(name, k -> new ArrayList<>())
                            .add(Math.round(ourCpu[role] / floorRole * 1000) / 1000.0);
                    }
                }
            }
        }
        final Json ourCpuJson = new Json();
        cpu.forEach((role, values) -> ourCpuJson.put(role, Json.summary(values)));
        final Json floorCpuJson = new Json();
        for (int role = 0; role < ProcessCpu.ROLES.size(); role++)
        {
            final int at = role;
            floorCpuJson.put(ProcessCpu.ROLES.get(role),
                Json.summary(floorCpu.stream().map(f -> at < f.length ? f[at] : -1).toList()));
        }
        final Json ratioJson = new Json();
        cpuRatios.forEach((role, values) -> ratioJson.put(role, Json.summary(values)));
        return ClusterFigures.withLatency(base(config, "sequential-netty-against-floor"), ours, false)
            .put("in_flight", 1).put("floor_p50_ms", Json.summary(floor))
            .put("floor_file_mb", ReplicatedWriteFloor.ProcessSession.FILE_BYTES >> 20)
            .put("floor_mark", config.walMark())
            .put("ratio_to_floor_around", Json.summary(ratios))
            .put("cpu_us_per_op", ourCpuJson).put("floor_cpu_us_per_op", floorCpuJson)
            .put("cpu_ratio_to_floor_around", ratioJson);
    }

    /**
     * @return the process ids of the leader's node, the two other nodes, and this (the client's) JVM: the order of
     *     {@link ProcessCpu#ROLES}.
     */
    private static List<Long> processIds(final List<Process> nodes, final ServerId leader)
    {
        final List<Long> pids = new ArrayList<>();
        final int leaderIndex = List.of("n1", "n2", "n3").indexOf(leader.node());
        pids.add(nodes.get(leaderIndex).pid());
        for (int i = 0; i < nodes.size(); i++)
        {
            if (i != leaderIndex)
            {
                pids.add(nodes.get(i).pid());
            }
        }
        pids.add(ProcessHandle.current().pid());
        return pids;
    }

    private static Json wirePerOp(final long[] counted, final List<Driver.Window> windows)
    {
        return WireCounters.perOp(new long[counted.length], counted, windows.stream().mapToLong(Driver.Window::ops)
            .sum());
    }

    private static Json cpuPerOp(final long[] spent, final List<Driver.Window> windows)
    {
        final long ops = windows.stream().mapToLong(Driver.Window::ops).sum();
        final Json json = new Json();
        ProcessCpu.byRole(ProcessCpu.microsPerOp(new long[spent.length], spent, ops)).forEach(json::put);
        return json;
    }

    /**
     * Extra JVM options for the node JVMs, from the environment variable {@code RA_BENCH_NODE_JVM_OPTS}
     * (whitespace-separated), to try JVM settings or attach profilers without changing the harness; also used by the
     * failover and reads figures' node JVMs ({@link FailoverCluster}).
     *
     * @return the options, empty when the variable is not set.
     */
    static List<String> nodeJvmOptions()
    {
        final String options = System.getenv("RA_BENCH_NODE_JVM_OPTS");
        return null == options || options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
    }

    private static Json base(final Config config, final String figure)
    {
        final Json j = ClusterFigures.base(config, figure);
        j.put("transport", "netty-loopback").put("jvms", "3 nodes + 1 client")
            .put("caller_connections", config.callerConnections());
        return j;
    }

    private static void stop(final Process p)
    {
        try
        {
            final OutputStream in = p.getOutputStream();
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            in.close();
            if (!p.waitFor(20, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
            }
        }
        catch (final IOException ex)
        {
            p.destroyForcibly();
        }
        catch (final InterruptedException ex)
        {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(final BufferedReader r)
    {
        try
        {
            return r.readLine();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * @return a port free on 127.0.0.1, the address the bench's nodes listen on (every figure's traffic stays on
     *     loopback, and no socket of the bench listens on the machine's other interfaces, even for a moment).
     * @throws IOException if no port can be bound.
     */
    static int freePort() throws IOException
    {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            return s.getLocalPort();
        }
    }
}
