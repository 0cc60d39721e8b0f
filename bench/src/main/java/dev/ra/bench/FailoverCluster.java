package dev.ra.bench;

import dev.ra.node.NodeJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Three node JVMs of one system (ours, Ratis or SOFAJRaft) on loopback, each member in its own JVM with its own data
 * directory and port, driven over the line protocol of {@link FailoverNode}. The harness writes through them, finds
 * the leader, and stops, kills, pauses, resumes and restarts them. Closing it kills every node JVM (resuming paused
 * ones first) and deletes the data, also when the harness is interrupted.
 */
final class FailoverCluster implements AutoCloseable
{
    /** Node names. */
    static final List<String> NODES = List.of("n1", "n2", "n3");
    /** Heap of every node JVM, the same for all systems. */
    private static final String NODE_HEAP = "-Xmx512m";
    private static final long START_SECONDS = 60;

    private final String system;
    private final Config config;
    private final String classpath;
    private final long attemptMs;
    /** A server-less node the nodes let dial in (ours only), or null. */
    private final String client;
    private final Path root;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private final BlockingQueue<NodeProcess.Line> lines = new LinkedBlockingQueue<>();
    private final Thread cleanup = new Thread(this::closeNodes, "failover-cleanup");
    private long seq;
    private boolean keepData;
    private String lastRoles = "none yet";

    /**
     * Start the three node JVMs (and, for ours, the cluster on them).
     *
     * @param system    "ra", "ratis" or "jraft".
     * @param config    harness settings (election timeout, sync, data directory).
     * @param classpath of the node JVMs: the harness's own for ours, bench-peers' for the peers.
     * @param attemptMs timeout of each write attempt inside a node.
     */
    FailoverCluster(final String system, final Config config, final String classpath, final long attemptMs)
    {
        this(system, config, classpath, attemptMs, null);
    }

    /**
     * Start the three node JVMs of ours, letting a server-less client node dial in.
     *
     * @param system    "ra", "ratis" or "jraft".
     * @param config    harness settings (election timeout, sync, data directory).
     * @param classpath of the node JVMs: the harness's own for ours, bench-peers' for the peers.
     * @param attemptMs timeout of each write attempt inside a node.
     * @param client    node id of the client node the nodes accept connections from (ours only), or null.
     */
    FailoverCluster(final String system, final Config config, final String classpath, final long attemptMs,
        final String client)
    {
        this.system = system;
        this.client = client;
        this.config = config;
        this.classpath = classpath;
        this.attemptMs = attemptMs;
        try
        {
            root = null == config.dataDir() ? Files.createTempDirectory("ra-bench-failover-" + system) :
                Files.createTempDirectory(Files.createDirectories(config.dataDir()), "ra-bench-failover-" + system);
            for (final String node : NODES)
            {
                ports.put(node, NettyFigures.freePort());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            for (final String node : NODES)
            {
                start(node);
            }
            if ("ra".equals(system))
            {
                final NodeProcess first = nodes.get(NODES.get(0));
                first.send("create");
                first.awaitLine(lines, "created", deadline(START_SECONDS));
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Start (or restart, from its data) one node JVM.
     *
     * @param node name.
     */
    void start(final String node)
    {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), NodeJvm.ENABLE_NATIVE_ACCESS, NODE_HEAP, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        // After the defaults, so that a setting given there (a log level, a heap) overrides them.
        cmd.addAll(NettyFigures.nodeJvmOptions());
        cmd.addAll(List.of("-cp", classpath));
        final String dir = root.resolve(node).toString();
        if ("ra".equals(system))
        {
            cmd.addAll(List.of(FailoverNode.class.getName(), node, dir, config.sync().name(),
                String.valueOf(config.electionMinMs()), String.valueOf(config.electionMaxMs()),
                String.valueOf(config.nodeOptions().tick().toMillis()), String.valueOf(config.walMaxMb() << 20),
                String.valueOf(attemptMs)));
            ports.forEach((name, port) -> cmd.add(name + "=" + port));
            if (null != client)
            {
                cmd.add("allow=" + client);
            }
        }
        else
        {
            final StringBuilder members = new StringBuilder();
            ports.forEach((name, port) -> members.append(members.length() == 0 ? "" : ",").append(name).append('=')
                .append(port));
            cmd.addAll(List.of("dev.ra.bench.peers.FailoverPeerNode", "--peer", system, "--node", node, "--dir", dir,
                "--election-min-ms", String.valueOf(config.electionMinMs()),
                "--election-max-ms", String.valueOf(config.electionMaxMs()), "--members", members.toString(),
                "--attempt-ms", String.valueOf(attemptMs)));
        }
        nodes.put(node, NodeProcess.start(node, cmd, root.resolve(node + ".log"), lines, deadline(START_SECONDS)));
    }

    /**
     * @return each node's loopback port.
     */
    Map<String, Integer> ports()
    {
        return ports;
    }

    NodeProcess node(final String name)
    {
        return nodes.get(name);
    }

    /**
     * Wait until exactly one node leads, a write commits through it, and every node has applied as much as it: the
     * steady state a trial starts from.
     *
     * @param deadline System.nanoTime() to give up at.
     * @return the leader's node.
     */
    NodeProcess awaitSteadyLeader(final long deadline)
    {
        while (System.nanoTime() < deadline)
        {
            final NodeProcess leader = soleLeader(deadline);
            if (null != leader && commits(leader, deadline))
            {
                while (System.nanoTime() < deadline)
                {
                    final Map<NodeProcess, String[]> roles = roles(deadline);
                    if (soleLeader(roles) != leader)
                    {
                        break;
                    }
                    if (roles.values().stream().map(r -> r[2]).distinct().count() == 1)
                    {
                        return leader;
                    }
                    Driver.sleep(0.05);
                }
            }
            Driver.sleep(0.1);
        }
        throw new IllegalStateException(system + ": no steady leader in time; last roles " + lastRoles);
    }

    private NodeProcess soleLeader(final long deadline)
    {
        return soleLeader(roles(deadline));
    }

    private static NodeProcess soleLeader(final Map<NodeProcess, String[]> roles)
    {
        NodeProcess leader = null;
        for (final Map.Entry<NodeProcess, String[]> e : roles.entrySet())
        {
            if ("leader".equals(e.getValue()[1]))
            {
                if (null != leader)
                {
                    return null;
                }
                leader = e.getKey();
            }
        }
        return leader;
    }

    /**
     * @return each node's {@code role} answer, split: {"role", leader|follower|none, last applied}.
     */
    private Map<NodeProcess, String[]> roles(final long deadline)
    {
        final Map<NodeProcess, String[]> roles = new LinkedHashMap<>();
        for (final NodeProcess node : nodes.values())
        {
            node.send("role");
            roles.put(node, node.awaitLine(lines, "role ", Math.min(deadline, deadline(5))).split(" "));
        }
        final StringBuilder seen = new StringBuilder();
        roles.forEach((node, role) -> seen.append(node.name()).append(' ').append(role[1]).append(" applied ")
            .append(role[2]).append("; "));
        lastRoles = seen.toString();
        return roles;
    }

    /**
     * Warm the nodes up: {@code writes} writes through each node, {@code inFlight} at a time, waiting for each one's
     * answer (committed or failed). A JVM just (re)started runs its code interpreted at first; without this, a trial
     * right after a restart would measure the JIT compiler as much as the failover, for every system alike.
     *
     * @param writes   per node.
     * @param inFlight per node at most.
     * @param deadline System.nanoTime() to give up at (the warm-up then just ends).
     */
    void warmUp(final int writes, final int inFlight, final long deadline)
    {
        for (final NodeProcess via : nodes.values())
        {
            int sent = 0;
            int answered = 0;
            while (answered < writes && System.nanoTime() < deadline)
            {
                while (sent < writes && sent - answered < inFlight)
                {
                    via.send("put " + ++seq);
                    sent++;
                }
                final NodeProcess.Line line = poll(deadline);
                if (null != line && line.from() == via &&
                    (line.text().startsWith("ok ") || line.text().startsWith("fail ")))
                {
                    answered++;
                }
            }
        }
    }

    private boolean commits(final NodeProcess via, final long deadline)
    {
        final String id = String.valueOf(++seq);
        via.send("put " + id);
        final long until = Math.min(deadline, deadline(5));
        while (System.nanoTime() < until)
        {
            final NodeProcess.Line line = poll(until);
            final String[] words = null != line && line.from() == via ? line.text().split(" ") : null;
            if (null != words && words.length >= 2 && id.equals(words[1]) &&
                ("ok".equals(words[0]) || "fail".equals(words[0])))
            {
                return "ok".equals(words[0]);
            }
        }
        return false;
    }

    /**
     * Write through the given nodes until one write is committed by a leader other than the old one: every
     * {@code everyMs} each of them is given a new write (so that one stuck on a gone leader does not hold the
     * measurement up). A write the old leader still commits while it stops in order does not count: the figure is the
     * time until a new leader serves.
     *
     * @param via      the surviving nodes.
     * @param old      the node of the leader that was lost.
     * @param t0       System.nanoTime() the clock started at.
     * @param deadline System.nanoTime() to give up at.
     * @param everyMs  interval between rounds of writes.
     * @return milliseconds from t0 to the first commit, or NaN if none by the deadline.
     */
    double firstCommitMs(final List<NodeProcess> via, final String old, final long t0, final long deadline,
        final long everyMs)
    {
        final long first = seq + 1;
        long nextRound = System.nanoTime();
        while (true)
        {
            final long now = System.nanoTime();
            if (now >= deadline)
            {
                return Double.NaN;
            }
            if (now >= nextRound)
            {
                for (final NodeProcess node : via)
                {
                    node.send("put " + ++seq);
                }
                nextRound = now + TimeUnit.MILLISECONDS.toNanos(everyMs);
            }
            final NodeProcess.Line line = poll(Math.min(nextRound, deadline));
            final String[] ok = null != line && via.contains(line.from()) ? line.text().split(" ") : null;
            if (null != ok && ok.length == 3 && "ok".equals(ok[0]) && Long.parseLong(ok[1]) >= first &&
                !old.equals(ok[2]))
            {
                return (System.nanoTime() - t0) / 1e6;
            }
        }
    }

    /**
     * @return the queue every node's output lines go to.
     */
    BlockingQueue<NodeProcess.Line> lines()
    {
        return lines;
    }

    NodeProcess.Line poll(final long until)
    {
        try
        {
            return lines.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static long deadline(final long seconds)
    {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    private void closeNodes()
    {
        for (final NodeProcess node : nodes.values())
        {
            node.close();
        }
    }

    /**
     * Keep the data directory and the nodes' logs when closing (a failed run), and say where they are.
     *
     * @return the directory.
     */
    Path keepData()
    {
        keepData = true;
        return root;
    }

    @Override
    public void close()
    {
        closeNodes();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        catch (final IllegalStateException ex)
        {
            // shutting down already: the hook runs
        }
        if (keepData)
        {
            return;
        }
        DirectoryTrees.deleteQuietly(root);
    }
}
