package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.log.SyncMethod;
import dev.ra.transport.netty.NettyTransport;
import dev.ra.transport.netty.NettyTransportConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * One node of the failover comparison ({@link FailoverComparison}) in its own JVM: a {@link RaSystem} on the Netty
 * transport with ra-log storage, hosting one member of the cluster {@value #CLUSTER}. Its servers restart from storage
 * when the JVM is started again. Driven over standard input and output with the line protocol the peers' node
 * ({@code dev.ra.bench.peers.FailoverPeerNode}) speaks too:
 *
 * <ul>
 * <li>prints {@code ready} once the system runs;</li>
 * <li>{@code create} → starts the cluster on the three nodes, {@code created <leader node>};</li>
 * <li>{@code role} → {@code role leader|follower <last applied index>};</li>
 * <li>{@code put <seq>} → {@code ok <seq> <leader node>} once a put submitted through this node's member is committed
 *     (a member that is not the leader redirects it), or {@code fail <seq> <reason>} within the attempt timeout;</li>
 * <li>{@code reads <in flight> <seconds>} → {@code reads <ops/s> <p50 ms> <p99 ms> <failed>}: linearizable reads on
 *     this node's member (the leader), issued in this JVM ({@link LeaderReads});</li>
 * <li>{@code elected <epoch µs>} is printed whenever this node's member becomes the leader;</li>
 * <li>{@code stop} → {@link RaSystem#close()} (a leader hands its leadership over first), {@code stopped}, exit; so
 *     does the end of standard input, so a node never outlives the harness.</li>
 * </ul>
 *
 * <p>Arguments: {@code <node> <dataDir> <sync> <electionMinMs> <electionMaxMs> <tickMs> <walMaxBytes> <attemptMs>
 * <node=port>...}, and {@code allow=<node>} for a server-less node that may dial in.
 */
public final class FailoverNode
{
    /** The cluster's name. */
    static final String CLUSTER = "fo";

    private FailoverNode()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure to start.
     */
    public static void main(final String[] args) throws Exception
    {
        final String node = args[0];
        final NettyTransportConfig.Builder transport = NettyTransportConfig.builder().clusterId("ra-bench-failover")
            .ioThreads(1);
        int nodes = 0;
        for (int i = 8; i < args.length; i++)
        {
            final String[] kv = args[i].split("=");
            if ("allow".equals(kv[0]))
            {
                // A server-less client node that dials in (the client failover figure).
                transport.allowNode(kv[1]);
                continue;
            }
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(kv[1]));
            nodes++;
            if (kv[0].equals(node))
            {
                transport.listenAddress(address);
            }
            else
            {
                transport.peer(kv[0], address);
            }
        }
        final RaSystem system = NettyNode.build(node, new NettyTransport(transport.build()), Path.of(args[1]),
            SyncMethod.valueOf(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]), Long.parseLong(args[5]),
            Long.parseLong(args[6]));
        final Duration attempt = Duration.ofMillis(Long.parseLong(args[7]));
        final ServerId self = new ServerId(CLUSTER, node);
        BenchKv.roleWatcher = electionAnnouncer();
        say("ready");
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while (null != (line = in.readLine()) && !"stop".equals(line.trim()))
        {
            if (line.startsWith("put "))
            {
                final String seq = line.substring(4).trim();
                system.<Long>processCommandAsync(self, Driver.command(Long.parseLong(seq)), attempt)
                    .whenComplete((r, e) -> say(null == e ? "ok " + seq + " " + r.leader().node() :
                        "fail " + seq + " " + reason(e)));
            }
            else if (line.startsWith("reads "))
            {
                final String[] words = line.trim().split(" ");
                say(LeaderReads.window(system, self, Integer.parseInt(words[1]), Double.parseDouble(words[2])));
            }
            else if ("role".equals(line.trim()))
            {
                say(role(system, self));
            }
            else if ("create".equals(line.trim()))
            {
                say("created " + system.startCluster(CLUSTER, BenchKv.NAME, Nodes.members(CLUSTER, nodes)).node());
            }
        }
        system.close();
        say("stopped");
        System.exit(0);
    }

    /**
     * What the member's {@code stateEnter} calls: it runs on the new leader's event loop, in the middle of the
     * failover being measured, so it only takes the time and leaves the printing (a string built, a write to a pipe,
     * and the first time a concatenation's and the clock's classes linked) to a thread of its own, warmed here.
     *
     * @return the role watcher.
     */
    private static Consumer<RaftRole> electionAnnouncer()
    {
        final BlockingQueue<Long> elections = new LinkedBlockingQueue<>();
        final Thread announcer = new Thread(() ->
        {
            try
            {
                while (true)
                {
                    say("elected " + elections.take());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "election-announcer");
        announcer.setDaemon(true);
        announcer.start();
        epochMicros();
        return role ->
        {
            if (role == RaftRole.LEADER)
            {
                elections.offer(epochMicros());
            }
        };
    }

    /**
     * @return the wall clock in microseconds since the epoch: the harness compares it with its own, on the same host.
     */
    static long epochMicros()
    {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static String role(final RaSystem system, final ServerId self)
    {
        try
        {
            final ServerOverview overview = system.overview(self);
            return "role " + (overview.role() == RaftRole.LEADER ? "leader" : "follower") + " " +
                overview.lastApplied();
        }
        catch (final RuntimeException ex)
        {
            return "role none -1";
        }
    }

    private static String reason(final Throwable e)
    {
        final Throwable cause = null == e.getCause() ? e : e.getCause();
        return cause.getClass().getSimpleName();
    }

    private static synchronized void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
