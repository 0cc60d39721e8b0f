package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.sun.net.httpserver.HttpServer;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What this node believes of another node's members, as that node's admin endpoint reported them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerStatusesTest
{
    /**
     * A node killed with {@code kill -9} leaves its last report behind: the live view showed that report (an old term
     * and leader) as current for seconds after the kill. A failed request now drops what the peer said.
     */
    @Test
    void aPeerThatStopsAnsweringIsForgottenAtOnce() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(2))
        {
            final List<ServerId> kv = cluster.startCluster("kv", new KvMachine());
            cluster.awaitLeader(kv, Duration.ofSeconds(20));
            final ServerId onN2 = new ServerId("kv", "n2");
            final AdminServer n2 = AdminServer.builder().system(cluster.system("n2")).build();
            n2.start();
            try (PeerStatuses peers = new PeerStatuses(Map.of("n2", URI.create(n2.url()).resolve(
                "/status?scope=local")), null, Duration.ofSeconds(1)))
            {
                // A request may time out on a busy machine: ask again until n2's answer arrives.
                final Map<String, Object> heard = InJvmCluster.await(() ->
                {
                    peers.refresh().handle((ignored, failure) -> null).join();
                    return peers.reported(onN2);
                }, Duration.ofSeconds(20), "n2's report");
                assertThat(heard).as("while n2 answers").containsKeys("role", "term", "leader", "commitIndex",
                    "lastApplied", "lastIndex").containsEntry("storage", "whole");

                n2.close();
                // Refused at once, or (a pooled connection the server closed) timed out: either way a failure.
                peers.refresh().handle((ignored, failure) -> null).get(10, TimeUnit.SECONDS);

                assertThat(peers.reported(onN2)).as("once n2 failed to answer").isNull();
                assertThat(peers.unavailable()).as("unavailable peers").containsOnlyKeys("n2");
            }
        }
    }

    /**
     * What a peer said of a member is dropped once the peer answers without it (stopped, or its cluster deleted):
     * kept, it was shown as current until it aged, and every member a peer ever had stayed in memory.
     */
    @Test
    void aMemberThePeerNoLongerReportsIsForgottenAtItsNextAnswer() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(2))
        {
            final List<ServerId> kv = cluster.startCluster("kv", new KvMachine());
            cluster.awaitLeader(kv, Duration.ofSeconds(20));
            final List<ServerId> other = cluster.startCluster("other", new KvMachine());
            cluster.awaitLeader(other, Duration.ofSeconds(20));
            final ServerId kvOnN2 = new ServerId("kv", "n2");
            final ServerId otherOnN2 = new ServerId("other", "n2");
            final AdminServer n2 = AdminServer.builder().system(cluster.system("n2")).build();
            n2.start();
            try (n2; PeerStatuses peers = new PeerStatuses(Map.of("n2", URI.create(n2.url()).resolve(
                "/status?scope=local")), null, Duration.ofSeconds(5)))
            {
                InJvmCluster.await(() ->
                {
                    peers.refresh().handle((ignored, failure) -> null).join();
                    return null != peers.reported(kvOnN2) && null != peers.reported(otherOnN2) ? kvOnN2 : null;
                }, Duration.ofSeconds(20), "n2's report of both members");

                cluster.system("n2").stopServer(kvOnN2);
                // n2's status is taken at most every 200 ms: ask until kv@n2 is no longer reported while other@n2
                // still is (a failed request would forget both).
                InJvmCluster.await(() ->
                {
                    peers.refresh().handle((ignored, failure) -> null).join();
                    return null == peers.reported(kvOnN2) && null != peers.reported(otherOnN2) ? kvOnN2 : null;
                }, Duration.ofSeconds(20), "kv@n2 to be no longer reported");

                assertThat(peers.remembered()).as("members of n2 remembered").isEqualTo(1);
            }
        }
    }

    /**
     * A peer's answer was read whole, whatever its size: a peer (or what answers at its address) sending gigabytes
     * took the node's heap. An answer over the bound is cut off, nothing of it is believed, and the peer is reported
     * unavailable, saying why.
     */
    @Test
    void anAnswerOverTheBoundIsCutOffAndThePeerReportedUnavailable() throws Exception
    {
        final String status = "{\"servers\":[{\"id\":\"kv@n2\",\"role\":\"leader\",\"term\":1}]";
        final HttpServer huge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        huge.createContext("/", exchange ->
        {
            try (exchange; OutputStream out = exchange.getResponseBody())
            {
                exchange.sendResponseHeaders(200, 0);
                out.write(status.getBytes(StandardCharsets.UTF_8));
                final byte[] blanks = " ".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < (PeerStatuses.MAX_ANSWER_BYTES / blanks.length) * 2; i++)
                {
                    out.write(blanks);
                }
                out.write('}');
            }
            catch (final IOException ex)
            {
                // The client stopped reading: what it should do.
            }
        });
        huge.start();
        try (PeerStatuses peers = new PeerStatuses(Map.of("n2", URI.create("http://127.0.0.1:" +
            huge.getAddress().getPort() + "/status?scope=local")), null, Duration.ofSeconds(20)))
        {
            peers.refresh().handle((ignored, failure) -> null).get(60, TimeUnit.SECONDS);

            assertThat(peers.reported(new ServerId("kv", "n2"))).isNull();
            assertThat(peers.unavailable()).hasEntrySatisfying("n2", why ->
                assertThat(why).contains("over " + PeerStatuses.MAX_ANSWER_BYTES + " bytes"));
        }
        finally
        {
            huge.stop(0);
        }
    }

    /**
     * The client reports some failures without words: the live view showed an unavailable peer's reason as a bare
     * class name ({@code ClosedChannelException} for a peer whose port nobody listens on). It is now a sentence naming
     * the peer's address, with the class names in parentheses.
     */
    @Test
    void aFailureReportedWithoutWordsIsShownAsASentence() throws Exception
    {
        final URI uri = URI.create("http://127.0.0.1:1/status?scope=local");
        assertThat(PeerStatuses.why(new CompletionException(new java.nio.channels.ClosedChannelException()), uri))
            .isEqualTo("the connection to " + uri + " closed before the whole answer arrived (ClosedChannelException)");
        assertThat(PeerStatuses.why(new java.io.IOException("HTTP/1.1 header parser received no bytes"), uri))
            .as("a failure with words of its own").isEqualTo("HTTP/1.1 header parser received no bytes");

        final int closedPort;
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            closedPort = reserved.getLocalPort();
        }
        final URI nobody = URI.create("http://127.0.0.1:" + closedPort + "/status?scope=local");
        try (PeerStatuses peers = new PeerStatuses(Map.of("n2", nobody), null, Duration.ofSeconds(5)))
        {
            peers.refresh().handle((ignored, failure) -> null).get(30, TimeUnit.SECONDS);
            assertThat(peers.unavailable().get("n2")).as("a peer nobody answers for")
                .startsWith("could not connect to " + nobody + ": refused, nothing listening there, or unreachable");
        }
    }

    /**
     * A peer that sent its answer's headers and then stalled (its JVM paused, or the network cut mid-answer) held the
     * request for ever: the client's timeout stops at the headers, so the peer was never reported unavailable and,
     * its request still in flight, never asked again, even once it answered again. The whole answer is now bounded
     * by the timeout.
     */
    @Test
    void aPeerThatStallsInTheMiddleOfItsAnswerIsReportedUnavailableAndAskedAgain() throws Exception
    {
        final AtomicInteger requests = new AtomicInteger();
        try (ServerSocket stalling = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            final List<Socket> held = new CopyOnWriteArrayList<>();
            final Thread server = new Thread(() ->
            {
                try
                {
                    for (int accepted = 0; accepted < 100; accepted++)
                    {
                        final Socket socket = stalling.accept();
                        held.add(socket);
                        requests.incrementAndGet();
                        socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
                            "Content-Length: 1000\r\n\r\n{\"servers\":[").getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                    }
                }
                catch (final IOException ex)
                {
                    // Closed at the end of the test.
                }
            }, "stalling-peer");
            server.setDaemon(true);
            server.start();
            try (PeerStatuses peers = new PeerStatuses(Map.of("n2", URI.create("http://127.0.0.1:" +
                stalling.getLocalPort() + "/status?scope=local")), null, Duration.ofMillis(300)))
            {
                peers.refresh();
                assertThat(InJvmCluster.await(() -> peers.unavailable().get("n2"), Duration.ofSeconds(30),
                    "the stalled peer to be reported unavailable")).contains("no whole answer within 300 ms");
                // The stalled answer's connection is given up, not left open: the peer reads the end of it.
                held.get(0).setSoTimeout(30_000);
                held.get(0).getInputStream().readAllBytes();

                InJvmCluster.await(() ->
                {
                    peers.refresh();
                    return requests.get() >= 2 ? requests.get() : null;
                }, Duration.ofSeconds(30), "the stalled peer to be asked again");
            }
            finally
            {
                for (final Socket socket : held)
                {
                    socket.close();
                }
            }
        }
    }

    /**
     * A node may host 10,000 servers (docs/benchmarks.md, "Many clusters"). Peers asked for its local status, every
     * server's counters and machine overview included, which came to about 870 bytes a server: over the bound on an
     * answer, so every peer of such a node was reported unavailable and none of its members shown. A peer now asks
     * only for what it reads of each server, which fits.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theAnswerToAPeerForTenThousandServersIsWithinTheBound()
    {
        final ServerOverview real;
        try (InJvmCluster cluster = new InJvmCluster(1))
        {
            final ServerId leader = cluster.awaitLeader(cluster.startCluster("kv", new KvMachine()),
                Duration.ofSeconds(20));
            cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v"));
            real = cluster.system(leader).overview(leader);
        }
        // A server that has run a while: counters of seven digits, indexes of eight; the facts of the toolbox's
        // leased key-value machine (LeasedKvMachine.overview).
        final Map<String, Long> counters = new TreeMap<>();
        real.counters().keySet().forEach(name -> counters.put(name, 1_234_567L));
        final Map<String, Object> machine = Map.of("keys", 1234, "sessions", 12, "watches", 34, "expiredWatches", 0,
            "revision", 12_345_678L, "lessorEpoch", 3L);
        final List<ServerOverview> servers = new ArrayList<>();
        for (int i = 0; i < 10_000; i++)
        {
            final String name = String.format("cluster-%05d", i);
            final ServerId id = new ServerId(name, "n2");
            final List<ServerId> members = List.of(new ServerId(name, "n1"), id, new ServerId(name, "n3"));
            servers.add(new ServerOverview(id, name, real.role(), 12, members.get(0), 12_345_678, 12_345_678,
                12_345_678, 12_345_678, 12_000_000, members, counters, machine, Map.of(), real.applyTimes(),
                real.machineVersion(), real.storage()));
        }
        final NodeStatus status = NodeStatus.of("n2", new LocalOverviews.Taken(servers, Map.of()), node -> true,
            member -> null);

        final String answer = JsonWriter.write(status.toPeerJson(System.currentTimeMillis()));

        assertThat(answer.getBytes(StandardCharsets.UTF_8).length).as("bytes of the answer to a peer")
            .isLessThanOrEqualTo(PeerStatuses.MAX_ANSWER_BYTES);
        final Map<String, Object> first = ((List<Map<String, Object>>)((Map<String, Object>)JsonReader.read(answer))
            .get("servers")).get(0);
        assertThat(first).containsEntry("id", "cluster-00000@n2").containsKeys("role", "term", "leader",
            "commitIndex", "lastApplied", "lastIndex", "storage");
    }

    @Test
    void anAnswerThatIsNotAStatusIsIgnored() throws Exception
    {
        try (InJvmCluster cluster = new InJvmCluster(1))
        {
            final AdminServer n1 = AdminServer.builder().system(cluster.system("n1")).build();
            n1.start();
            // The page is HTML, not the JSON of a status.
            try (n1; PeerStatuses peers = new PeerStatuses(Map.of("n1", URI.create(n1.url())), null,
                Duration.ofSeconds(5)))
            {
                peers.refresh().get(10, TimeUnit.SECONDS);
                assertThat(peers.reported(new ServerId("kv", "n1"))).isNull();
            }
        }
    }

    /**
     * A request that cannot even be made (a URL without a host) once threw out of the refresh, failing the status
     * with a 500, and left the peer marked as asked, so that it was never asked again.
     */
    @Test
    void aPeerWhoseRequestCannotBeMadeNeverFailsTheRefresh()
    {
        try (PeerStatuses peers = new PeerStatuses(Map.of("n2", URI.create("http:/127.0.0.1:9091/status")), "t",
            Duration.ofSeconds(1)))
        {
            for (int round = 0; round < 2; round++)
            {
                assertThatCode(() -> peers.refresh().join()).as("refresh %d", round).doesNotThrowAnyException();
            }
            assertThat(peers.reported(new ServerId("kv", "n2"))).isNull();
        }
    }
}
