package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin endpoint over real HTTP on loopback, against nodes of an in-JVM cluster: what each path answers, who may
 * ask, and what bad requests get.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminServerTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private InJvmCluster cluster(final int nodes)
    {
        final InJvmCluster cluster = new InJvmCluster(nodes);
        toClose.add(cluster);
        return cluster;
    }

    private AdminServer started(final AdminServer.Builder builder)
    {
        final AdminServer admin = builder.build();
        toClose.add(admin);
        admin.start();
        return admin;
    }

    private HttpResponse<String> get(final AdminServer admin, final String path, final String... headers)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(admin.url()).resolve(path))
            .timeout(Duration.ofSeconds(10));
        if (headers.length > 0)
        {
            request.headers(headers);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(final HttpResponse<String> response)
    {
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type ->
            assertThat(type).startsWith("application/json"));
        return (Map<String, Object>)JsonReader.read(response.body());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(final Object value)
    {
        return (List<Map<String, Object>>)value;
    }

    @Test
    void statusDescribesEveryLocalServerAndEachMemberOfItsClusters() throws Exception
    {
        final InJvmCluster cluster = cluster(3);
        final List<ServerId> kv = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(kv, WAIT);
        cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v"));
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1"))
            .reachability(cluster::isRunning));

        final HttpResponse<String> response = get(admin, "/status");

        assertThat(response.statusCode()).isEqualTo(200);
        final Map<String, Object> status = json(response);
        assertThat(status).containsEntry("node", "n1").containsKey("timeMillis");
        final List<Map<String, Object>> servers = list(status.get("servers"));
        assertThat(servers).singleElement().satisfies(server ->
        {
            assertThat(server).containsEntry("id", "kv@n1").containsEntry("cluster", "kv")
                .containsEntry("storage", "whole")
                .containsKeys("role", "term", "leader", "commitIndex", "lastApplied", "lastIndex", "members",
                    "counters", "machine");
            assertThat((List<?>)server.get("members")).hasSize(3);
        });
        final Map<String, Object> kvCluster = list(status.get("clusters")).get(0);
        assertThat(kvCluster).containsEntry("name", "kv").containsEntry("leader", leader.toString());
        final List<Map<String, Object>> members = list(kvCluster.get("members"));
        assertThat(members).extracting(m -> m.get("id")).containsExactlyInAnyOrder("kv@n1", "kv@n2", "kv@n3");
        assertThat(members).filteredOn(m -> "leader".equals(m.get("role"))).singleElement()
            .satisfies(m -> assertThat(m).containsEntry("id", leader.toString()));
        assertThat(members).filteredOn(m -> "kv@n1".equals(m.get("id"))).singleElement()
            .satisfies(m -> assertThat(m).containsEntry("source", "local").containsEntry("up", true));
    }

    @Test
    void membersOfAStoppedNodeAreDownAndPeerEndpointsGiveTheOtherMembersNumbers() throws Exception
    {
        final InJvmCluster cluster = cluster(3);
        final List<ServerId> kv = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(kv, WAIT);
        cluster.system(leader).processCommand(leader, new KvMachine.Put("k", "v"));
        final AdminServer n2 = started(AdminServer.builder().system(cluster.system("n2")));
        final AdminServer n3 = started(AdminServer.builder().system(cluster.system("n3")));
        final AdminServer n1 = started(AdminServer.builder().system(cluster.system("n1"))
            .reachability(cluster::isRunning).peer("n2", n2.url()).peer("n3", n3.url()));

        // Peers are asked in the background: their numbers show in a later status.
        final List<Map<String, Object>> viaPeers = InJvmCluster.await(() ->
        {
            final List<Map<String, Object>> members = kvMembers(n1);
            return members.stream().filter(m -> "peer".equals(m.get("source"))).count() == 2 ? members : null;
        }, WAIT, "the peers' members in n1's status");
        assertThat(viaPeers).allSatisfy(m -> assertThat(m.get("commitIndex")).isInstanceOf(Long.class));

        cluster.stopNode("n3");
        final List<Map<String, Object>> afterStop = InJvmCluster.await(() ->
        {
            final List<Map<String, Object>> members = kvMembers(n1);
            return members.stream().anyMatch(m -> "down".equals(m.get("role"))) ? members : null;
        }, WAIT, "n3's member to be down");
        assertThat(afterStop).filteredOn(m -> "down".equals(m.get("role"))).singleElement()
            .satisfies(m -> assertThat(m).containsEntry("id", "kv@n3").containsEntry("up", false));
    }

    private List<Map<String, Object>> kvMembers(final AdminServer admin)
    {
        try
        {
            return list(list(json(get(admin, "/status")).get("clusters")).get(0).get("members"));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void healthIsUnavailableUntilEveryLocalServerKnowsALeader() throws Exception
    {
        final InJvmCluster cluster = cluster(3);
        final List<ServerId> members = cluster.serverIds("kv");
        final RaSystem n1 = cluster.system("n1");
        final AdminServer admin = started(AdminServer.builder().system(n1));
        assertThat(get(admin, "/health").statusCode()).as("no server: nothing to wait for").isEqualTo(200);

        // One member of three cannot be elected on its own.
        n1.startServer("kv", new KvMachine(), members.get(0), members);
        final HttpResponse<String> waiting = InJvmCluster.await(() ->
        {
            final HttpResponse<String> response = send(admin, "/health");
            return response.statusCode() == 503 ? response : null;
        }, WAIT, "health to see the leaderless server");
        assertThat(json(waiting)).containsEntry("ready", false);

        cluster.system("n2").startServer("kv", new KvMachine(), members.get(1), members);
        // New members wait to be told to campaign.
        n1.triggerElection(members.get(0));
        final HttpResponse<String> ready = InJvmCluster.await(() ->
        {
            final HttpResponse<String> response = send(admin, "/health");
            return response.statusCode() == 200 ? response : null;
        }, WAIT, "health to be ready once a leader is elected");
        assertThat(json(ready)).containsEntry("ready", true);
    }

    private HttpResponse<String> send(final AdminServer admin, final String path)
    {
        try
        {
            return get(admin, path);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A server's overview waits on its loop, up to the system's default timeout: the endpoint must not wait with it.
     */
    @Test
    void aStuckServerIsReportedUnavailableWithoutHoldingUpTheEndpoint() throws Exception
    {
        final InJvmCluster cluster = new InJvmCluster(1, builder -> builder.defaultTimeout(Duration.ofSeconds(120)));
        toClose.add(cluster);
        final StuckOverviewMachine machine = new StuckOverviewMachine();
        toClose.add(machine::release);
        cluster.awaitLeader(cluster.startCluster("stuck", machine), WAIT);
        cluster.awaitLeader(cluster.startCluster("kv", new KvMachine()), WAIT);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")));
        assertThat(send(admin, "/health").statusCode()).isEqualTo(200);

        machine.stuck.set(true);

        final HttpResponse<String> health = InJvmCluster.await(() ->
        {
            final HttpResponse<String> response = send(admin, "/health");
            return response.statusCode() == 503 ? response : null;
        }, WAIT, "health to report the stuck server");
        assertThat(json(health)).containsEntry("ready", false);
        final Map<String, Object> status = json(get(admin, "/status"));
        assertThat(status.get("unavailable")).asInstanceOf(InstanceOfAssertFactories.MAP).containsOnlyKeys("stuck@n1");
        assertThat(list(status.get("servers"))).extracting(s -> s.get("id")).containsExactly("kv@n1");
    }

    /**
     * A stuck server's question stays unanswered; every status taken next waited for it again, its 2 s each time, on
     * the endpoint's one status thread: /status, /health and /metrics each took 2 s and more for as long as one server
     * was stuck, and the live view, which gives up on a status after 2 s, showed "no answer from the node" instead of
     * the stuck server under unavailable. It is waited for once; later statuses report it at once.
     */
    @Test
    void aStuckServerIsWaitedForOnceNotByEveryStatus() throws Exception
    {
        final InJvmCluster cluster = new InJvmCluster(1, builder -> builder.defaultTimeout(Duration.ofSeconds(120)));
        toClose.add(cluster);
        final StuckOverviewMachine machine = new StuckOverviewMachine();
        toClose.add(machine::release);
        final ServerId stuck = cluster.awaitLeader(cluster.startCluster("stuck", machine), WAIT);
        cluster.awaitLeader(cluster.startCluster("kv", new KvMachine()), WAIT);
        final LocalOverviews overviews = new LocalOverviews(cluster.system("n1"), Duration.ofSeconds(2));
        machine.stuck.set(true);
        assertThat(overviews.take().failures()).as("the first status after it got stuck").containsOnlyKeys(stuck);

        final int statuses = 30;
        final CountDownLatch taken = new CountDownLatch(statuses);
        final Thread taker = new Thread(() ->
        {
            for (int i = 0; i < statuses && overviews.take().failures().containsKey(stuck); i++)
            {
                taken.countDown();
            }
        }, "statuses");
        taker.setDaemon(true);
        taker.start();

        assertThat(taken.await(30, TimeUnit.SECONDS)).as("%d statuses taken, each reporting the stuck server",
            statuses).isTrue();
    }

    /**
     * Two stuck servers must not take the overviews of the others with them: each is on an event loop of its own, and
     * the others, on other loops, answer.
     */
    @Test
    void twoStuckServersDoNotMakeTheOthersUnavailable() throws Exception
    {
        // Servers go to the event loops in turn: the two stuck ones get a loop each, the kv servers the others.
        final InJvmCluster cluster = new InJvmCluster(1, builder -> builder.defaultTimeout(Duration.ofSeconds(120))
            .eventLoops(5));
        toClose.add(cluster);
        final List<StuckOverviewMachine> machines = List.of(new StuckOverviewMachine(), new StuckOverviewMachine());
        for (int i = 0; i < machines.size(); i++)
        {
            toClose.add(machines.get(i)::release);
            cluster.awaitLeader(cluster.startCluster("stuck" + i, machines.get(i)), WAIT);
        }
        for (int i = 0; i < 3; i++)
        {
            cluster.awaitLeader(cluster.startCluster("kv" + i, new KvMachine()), WAIT);
        }
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")));
        assertThat(send(admin, "/health").statusCode()).isEqualTo(200);

        machines.forEach(machine -> machine.stuck.set(true));

        // Each status is taken anew (they are at least the 2 s wait for the stuck ones apart): none may lose the
        // servers that answer.
        for (int round = 0; round < 3; round++)
        {
            final Map<String, Object> status = json(get(admin, "/status"));
            assertThat(list(status.get("servers"))).as("round %d", round).extracting(s -> s.get("id"))
                .containsExactly("kv0@n1", "kv1@n1", "kv2@n1");
        }
    }

    /**
     * A machine's overview is the machine's own: values that cannot be written as JSON (a list holding itself, a
     * toString that throws) must not take /status and /health down with them. They failed both: a stack overflow or
     * a missing class left the request unanswered, an exception answered 500.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aMachineOverviewThatCannotBeWrittenDoesNotFailStatusOrHealth() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        cluster.awaitLeader(cluster.startCluster("odd", new OddOverviewMachine()), WAIT);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")));

        final HttpResponse<String> health = get(admin, "/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        final HttpResponse<String> status = get(admin, "/status");
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        final Map<String, Object> machine = (Map<String, Object>)list(json(status).get("servers")).get(0)
            .get("machine");
        assertThat(machine).containsOnlyKeys("itself", "throws", "missing");
        assertThat(machine.get("throws")).asString().contains("IllegalStateException");
        assertThat(machine.get("missing")).asString().contains("NoClassDefFoundError");
    }

    /** Its overview holds a list that contains itself, and values whose toString fails. */
    public static final class OddOverviewMachine implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1);
        }

        @Override
        public Map<String, Object> overview(final Long state)
        {
            final List<Object> itself = new ArrayList<>();
            itself.add(itself);
            return Map.of("itself", itself, "throws", new Object()
            {
                @Override
                public String toString()
                {
                    throw new IllegalStateException("not now");
                }
            }, "missing", new Object()
            {
                @Override
                public String toString()
                {
                    throw new NoClassDefFoundError("com/example/Money");
                }
            });
        }
    }

    /** A machine whose overview blocks while told to, as a server whose loop is stuck would. */
    private static final class StuckOverviewMachine implements StateMachine<Object, Long>
    {
        private final AtomicBoolean stuck = new AtomicBoolean();
        private final CountDownLatch released = new CountDownLatch(1);

        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1);
        }

        @Override
        public Map<String, Object> overview(final Long state)
        {
            if (stuck.get())
            {
                try
                {
                    released.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return Map.of("applied", state);
        }

        void release()
        {
            released.countDown();
        }
    }

    @Test
    void metricsServesThePrometheusTextOfTheRegistry() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("ra.test.requests", "kind", "demo").increment(3);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")).meterRegistry(registry));

        final HttpResponse<String> response = get(admin, "/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("# TYPE ra_test_requests_total counter")
            .contains("ra_test_requests_total{kind=\"demo\"} 3.0");
        assertThat(admin.meterRegistry()).isSameAs(registry);
    }

    @Test
    void withATokenDataNeedsTheBearerTokenButThePageDoesNot() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")).token("s3cret-token"));

        for (final String path : List.of("/status", "/health", "/metrics"))
        {
            final HttpResponse<String> none = get(admin, path);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("www-authenticate")).as(path).isPresent();
            assertThat(none.body()).as(path).doesNotContain("Exception").hasSizeLessThan(200);
            assertThat(get(admin, path, "Authorization", "Bearer wrong").statusCode()).as(path).isEqualTo(401);
            assertThat(get(admin, path, "Authorization", "Basic czNjcmV0LXRva2Vu").statusCode()).as(path)
                .isEqualTo(401);
            assertThat(get(admin, path, "Authorization", "Bearer s3cret-token").statusCode()).as(path)
                .isEqualTo(200);
        }
        final HttpResponse<String> page = get(admin, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("live-view.js");
        assertThat(get(admin, "/live-view.js").statusCode()).isEqualTo(200);
        assertThat(get(admin, "/live-view.css").statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsGetShortClientErrorsAndTheEndpointKeepsServing() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")));
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", URI.create(admin.url()).getPort());

        final HttpResponse<String> unknown = get(admin, "/nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("404").doesNotContain("Exception");

        final HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(admin.url() + "status"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");

        assertThat(raw(address, "THIS IS NOT HTTP\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw(address, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            .matches("HTTP/1\\.1 4\\d\\d[\\s\\S]*");
        assertThat(raw(address, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"))
            .matches("HTTP/1\\.1 4\\d\\d[\\s\\S]*");
        assertThat(raw(address, "POST /status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n"))
            .startsWith("HTTP/1.1 413");
        assertThat(raw(address, "GET /%zz%% HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
            .matches("HTTP/1\\.1 4\\d\\d[\\s\\S]*");
        for (final String answer : List.of(unknown.body(), post.body()))
        {
            assertThat(answer).doesNotContain("at dev.").doesNotContain("at io.netty");
        }

        // A client that sends half a request and waits holds only its own connection.
        try (Socket stalled = new Socket())
        {
            stalled.connect(address, 5000);
            stalled.getOutputStream().write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half".getBytes(
                StandardCharsets.ISO_8859_1));
            stalled.getOutputStream().flush();
            assertThat(get(admin, "/status").statusCode()).as("beside a stalled client").isEqualTo(200);
        }
        assertThat(get(admin, "/status").statusCode()).as("after the bad clients").isEqualTo(200);
    }

    /**
     * An Error other than the JVM's own (here a class missing from the class path, met while taking status) left the
     * request unanswered: the client waited for the 60 s idle close. It is answered 500 with a short reason, and the
     * endpoint goes on serving.
     */
    @Test
    void anErrorWhileTakingStatusIsAnsweredAsAnInternalError() throws Exception
    {
        final InJvmCluster cluster = cluster(2);
        cluster.awaitLeader(cluster.startCluster("kv", new KvMachine()), WAIT);
        final AtomicBoolean broken = new AtomicBoolean(true);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")).reachability(node ->
        {
            if (broken.get())
            {
                throw new NoClassDefFoundError("com/example/Missing");
            }
            return true;
        }));

        final HttpResponse<String> failed = get(admin, "/status");

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).contains("NoClassDefFoundError").doesNotContain("\tat ");
        broken.set(false);
        assertThat(get(admin, "/status").statusCode()).as("once mended").isEqualTo(200);
    }

    /**
     * DNS rebinding: a page of another site open in the operator's browser points its own name at 127.0.0.1 and reads
     * the data of an endpoint on the loopback address without a token, as the same origin. Its requests carry that
     * site's name as Host, and were answered; they are refused with 403 now, while the endpoint's own names are
     * answered, and so is a name given with allowedHosts.
     */
    @Test
    void aRequestForAnotherSitesNameIsRefusedOnTheLoopbackAddress() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1"))
            .settings(Map.of("admin.hosts", " ra1.example ,ops.example")));
        final int port = URI.create(admin.url()).getPort();
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);

        for (final String path : List.of("/status", "/"))
        {
            final String refused = raw(address, "GET " + path + " HTTP/1.1\r\nHost: attacker.example:" + port +
                "\r\nConnection: close\r\n\r\n");
            assertThat(refused).as(path).startsWith("HTTP/1.1 403").contains("attacker.example")
                .contains("admin.hosts").doesNotContain("\"servers\"");
        }
        for (final String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port,
            "ra1.example:" + port, "ops.example"))
        {
            assertThat(raw(address, "GET /status HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))
                .as(host).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")));
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", URI.create(admin.url()).getPort());

        final String answers = raw(address, "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" +
            "GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" +
            "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        final int status = answers.indexOf("HTTP/1.1 200");
        final int missing = answers.indexOf("HTTP/1.1 404");
        final int health = answers.indexOf("{\"ready\":");
        assertThat(status).isNotNegative().isLessThan(missing);
        assertThat(missing).isLessThan(health);
    }

    /**
     * A client that sent requests and never read the answers had every answer kept for it in the node's heap, as many
     * as it cared to ask for (the static paths and unknown ones need no token): the node could be run out of memory
     * through its admin endpoint. Once its answers are not being read, the client may send only a few more requests,
     * as while a data request is answered, and is disconnected past them.
     */
    @Test
    void aClientThatNeverReadsItsAnswersIsDisconnectedInsteadOfFillingTheHeap() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")));
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", URI.create(admin.url()).getPort());
        // About 1 KiB each, so that the requests sent cannot all wait in the kernel's buffers.
        final byte[] request = ("GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + "p".repeat(1000) + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
        final int requests = 100_000;
        int sent = 0;
        IOException disconnected = null;
        try (Socket greedy = new Socket())
        {
            greedy.setReceiveBufferSize(4096);
            greedy.connect(address, 5000);
            final OutputStream out = greedy.getOutputStream();
            for (; sent < requests; sent++)
            {
                out.write(request);
            }
            out.flush();
        }
        catch (final IOException ex)
        {
            disconnected = ex;
        }

        assertThat(disconnected).as("the client, after %d requests without reading an answer", sent).isNotNull();
        assertThat(get(admin, "/health").statusCode()).as("after the greedy client").isEqualTo(200);
    }

    /**
     * Every connection holds a file descriptor of the node's process, which its WAL, segments and transport need too,
     * and the endpoint kept every connection a client opened (an idle one for 60 s, one that sends a byte now and then
     * for ever): a client could take the node's descriptors through its admin endpoint. Past a bound, new
     * connections are closed at once, and served again once others closed.
     */
    @Test
    void connectionsPastTheBoundAreClosedAtOnce() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer admin = started(AdminServer.builder().system(cluster.system("n1")));
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", URI.create(admin.url()).getPort());
        final List<Socket> held = new ArrayList<>();
        try
        {
            for (int i = 0; i < AdminServer.MAX_CONNECTIONS; i++)
            {
                final Socket socket = new Socket();
                held.add(socket);
                socket.connect(address, 5000);
            }
            try (Socket extra = new Socket())
            {
                extra.connect(address, 5000);
                extra.setSoTimeout(20_000);
                assertThat(extra.getInputStream().read()).as("the connection past the bound, closed").isEqualTo(-1);
            }
        }
        finally
        {
            for (final Socket socket : held)
            {
                socket.close();
            }
        }
        final Integer served = InJvmCluster.await(() ->
        {
            try
            {
                return get(admin, "/health").statusCode();
            }
            catch (final IOException ex)
            {
                return null;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return null;
            }
        }, WAIT, "a connection to be served once the others closed");
        assertThat(served).isEqualTo(200);
    }

    /**
     * Send bytes as they are and read the answer until the server closes or a short quiet time passes.
     */
    private static String raw(final InetSocketAddress address, final String request) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, 5000);
            socket.setSoTimeout(3000);
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final InputStream in = socket.getInputStream();
            final StringBuilder answer = new StringBuilder();
            final byte[] buffer = new byte[8192];
            try
            {
                int read;
                while ((read = in.read(buffer)) > 0)
                {
                    answer.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                }
            }
            catch (final java.net.SocketTimeoutException | java.net.SocketException ex)
            {
                // Kept alive, or reset after the answer: what arrived is the answer.
            }
            return answer.toString();
        }
    }

    @Test
    void aNonLoopbackAddressIsRefusedWithoutTlsOrAToken()
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer admin = AdminServer.builder().system(cluster.system("n1")).host("0.0.0.0").port(0).build();
        toClose.add(admin);

        assertThatThrownBy(admin::start).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("0.0.0.0").hasMessageContaining("not a loopback address")
            .hasMessageContaining("token");
    }

    @Test
    void aPortInUseIsAClearErrorAndClosingReleasesThePort() throws Exception
    {
        final InJvmCluster cluster = cluster(1);
        final AdminServer first = started(AdminServer.builder().system(cluster.system("n1")));
        final int port = URI.create(first.url()).getPort();
        final AdminServer second = AdminServer.builder().system(cluster.system("n1")).port(port).build();
        toClose.add(second);

        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("in use");

        first.close();
        assertThatThrownBy(first::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        final AdminServer third = started(AdminServer.builder().system(cluster.system("n1")).port(port));
        assertThat(get(third, "/health").statusCode()).isEqualTo(200);
    }
}
