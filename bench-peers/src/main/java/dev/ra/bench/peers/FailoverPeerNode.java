package dev.ra.bench.peers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM entry point of the failover comparison: one Ratis or SOFAJRaft member in this JVM, driven by the harness
 * over standard input and output with the same line protocol as the harness's own node ({@code dev.ra.bench
 * .FailoverNode}):
 *
 * <ul>
 * <li>prints {@code ready} once the member runs;</li>
 * <li>{@code role} → {@code role leader|follower <last applied index>};</li>
 * <li>{@code put <seq>} → {@code ok <seq> <this node>} once a put submitted on this member is committed (it
 *     leads), or {@code fail <seq> <reason>} (not the leader, or no commit within {@code --attempt-ms});</li>
 * <li>{@code reads <in flight> <seconds>} → {@code reads <ops/s> <p50 ms> <p99 ms>}: linearizable reads on this
 *     member (the leader), that many in flight, for that long (SOFAJRaft's {@code readIndex});</li>
 * <li>{@code stop} → the library's orderly shutdown, then {@code stopped} and exit; so does the end of standard
 *     input, so a member never outlives the harness.</li>
 * </ul>
 *
 * <p>Arguments: {@code --peer ratis|jraft --node NAME --dir DIR --election-min-ms N --election-max-ms N
 * --members n1=port,n2=port,n3=port [--attempt-ms 250]}.
 */
public final class FailoverPeerNode
{
    private FailoverPeerNode()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure to start.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            m.put(args[i].substring(2), args[i + 1]);
        }
        final Map<String, Integer> ports = new LinkedHashMap<>();
        for (final String kv : m.get("members").split(","))
        {
            ports.put(kv.substring(0, kv.indexOf('=')), Integer.parseInt(kv.substring(kv.indexOf('=') + 1)));
        }
        final String node = m.get("node");
        final Path dir = Path.of(m.get("dir"));
        final long min = Long.parseLong(m.get("election-min-ms"));
        final long max = Long.parseLong(m.get("election-max-ms"));
        final long attemptMs = Long.parseLong(m.getOrDefault("attempt-ms", "250"));
        final FailoverMember member = "jraft".equals(m.get("peer")) ? new JraftMember(node, ports, dir, min, max) :
            new RatisMember(node, ports, dir, min, max);
        say("ready");
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while (null != (line = in.readLine()) && !"stop".equals(line.trim()))
        {
            if (line.startsWith("put "))
            {
                final String seq = line.substring(4).trim();
                member.put(PeerBench.put(Long.parseLong(seq))).orTimeout(attemptMs, TimeUnit.MILLISECONDS)
                    .whenComplete((r, e) -> say(null == e ? "ok " + seq + " " + node :
                        "fail " + seq + " " + reason(e)));
            }
            else if (line.startsWith("reads "))
            {
                final String[] words = line.trim().split(" ");
                say(reads(member, Integer.parseInt(words[1]), Double.parseDouble(words[2])));
            }
            else if ("role".equals(line.trim()))
            {
                say("role " + (member.isLeader() ? "leader" : "follower") + " " + member.lastApplied());
            }
        }
        member.close();
        say("stopped");
        System.exit(0);
    }

    /**
     * Linearizable reads on this member, {@code inFlight} at a time, for {@code seconds}, with the comparison's
     * closed-loop driver.
     *
     * @return {@code reads <ops/s> <p50 ms> <p99 ms>}.
     */
    private static String reads(final FailoverMember member, final int inFlight, final double seconds)
        throws InterruptedException
    {
        final byte[][] nothing = new byte[4096][];
        java.util.Arrays.fill(nothing, new byte[0]);
        final double[] w = PeerBench.window(new Peer()
        {
            @Override
            public CompletableFuture<?> submit(final byte[] command)
            {
                return member.read();
            }

            @Override
            public String durability()
            {
                return "";
            }

            @Override
            public void close()
            {
            }
        }, nothing, inFlight, seconds);
        return "reads " + w[0] + " " + w[1] + " " + w[2];
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
