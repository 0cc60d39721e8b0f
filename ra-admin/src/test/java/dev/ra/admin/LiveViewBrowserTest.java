package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.node.NodeConfig;
import dev.ra.node.NodeJvm;
import dev.ra.spi.Storage;
import dev.ra.testkit.KvMachine;
import dev.ra.testkit.LoopbackPorts;
import dev.ra.testkit.ThreadPerTask;
import dev.ra.transport.netty.NettyTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live view in a real headless Chromium: three nodes in JVMs of their own ({@link LiveViewNode}), each with its
 * admin endpoint (the others as peers); the browser shows the page of one of them. It must show the three members of
 * a cluster with exactly one leader, and, after a {@code kill -9} of the leader's JVM (never the viewed node's), a
 * different leader. What is tested is that the page follows the failover, not how fast: on a slow shared machine the
 * election and the page's polling may take much longer than usual, so the wait is bounded generously and the time the
 * page took is recorded in {@code target/live-view-failover.txt}, not asserted. Screenshots go to
 * {@code target/live-view.png} (before) and {@code target/live-view-failover.png} (after).
 *
 * <p>Needs {@value HeadlessChromium#EXECUTABLE} (Debian's {@code chromium} package; {@code .ci/run} installs it): its
 * absence fails the test, unless {@code -Dra.browser.skip=true} is given for a local run without a browser.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LiveViewBrowserTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final String VIEWED = "n1";
    private static final String CLUSTER = "orders";
    private static final Path TARGET = Path.of("target");

    /** What the page shows of every cluster, as JSON text: leader, term and rows (id, role, commit). */
    private static final String READ_PAGE = """
        JSON.stringify(Object.fromEntries([...document.querySelectorAll('section[data-cluster]')].map(s => [
          s.dataset.cluster,
          { leader: s.dataset.leader, term: s.dataset.term,
            rows: [...s.querySelectorAll('tr[data-member]')].map(r => ({ id: r.dataset.member,
              role: r.dataset.role, source: r.dataset.source, commit: r.children[4].textContent })) }])))
        """;

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Integer> adminPorts = new LinkedHashMap<>();

    @Test
    void theViewShowsTheLeaderAndTheNewLeaderSoonAfterTheOldOnesJvmIsKilled() throws Exception
    {
        if (Boolean.getBoolean("ra.browser.skip"))
        {
            Assumptions.abort("skipped: -Dra.browser.skip=true (the live view's browser test needs " +
                HeadlessChromium.EXECUTABLE + ")");
        }
        if (!HeadlessChromium.installed())
        {
            fail(HeadlessChromium.EXECUTABLE + " is missing: install Debian's chromium package (.ci/run does), or " +
                "run with -Dra.browser.skip=true to skip this test locally");
        }
        for (final String node : List.of("n1", "n2", "n3", "t"))
        {
            ports.put(node, LoopbackPorts.freePort());
            adminPorts.put(node, LoopbackPorts.freePort());
        }
        final Path logs = TARGET.resolve("live-view-logs");
        final Map<String, NodeJvm> jvms = new LinkedHashMap<>();
        final AtomicBoolean writing = new AtomicBoolean(true);
        NettyTransport transport = null;
        Storage storage = null;
        RaSystem driver = null;
        Thread writer = null;
        try
        {
            final List<CompletableFuture<NodeJvm>> starting = new ArrayList<>();
            for (final String node : NODES)
            {
                final NodeJvm jvm = new NodeJvm(node, LiveViewNode.class.getName(),
                    List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), settingsOf(node),
                    logs.resolve(node + ".log"));
                jvms.put(node, jvm);
                starting.add(CompletableFuture.supplyAsync(jvm::start, ThreadPerTask.EXECUTOR));
            }
            // This JVM is a node too, hosting no member: it forms the clusters and writes to them.
            final List<String> driverSettings = new ArrayList<>(settingsOf("t"));
            driverSettings.add("node.id=t");
            final NodeConfig config = NodeConfig.fromArgs(Set.copyOf(AdminServer.Builder.SETTINGS),
                driverSettings.toArray(String[]::new));
            transport = new NettyTransport(config.transportConfig());
            storage = config.openStorage();
            driver = config.applyTo(RaSystem.builder(), transport, storage).registerMachine("kv", KvMachine::new)
                .build();
            for (final CompletableFuture<NodeJvm> start : starting)
            {
                start.get(2, TimeUnit.MINUTES);
            }
            final List<ServerId> orders = members(CLUSTER);
            final ServerId leader = formWithLeaderAwayFromTheViewedNode(driver, orders);
            driver.startCluster("sessions", "kv", members("sessions"));
            writer = startWriting(driver, orders, writing);

            try (HeadlessChromium browser = HeadlessChromium.start(1400, 720, logs.resolve("chromium.log")))
            {
                browser.navigate("http://127.0.0.1:" + adminPorts.get(VIEWED) + "/");
                final Map<String, Object> before = awaitPage(browser, page ->
                {
                    final Map<String, Object> cluster = cluster(page, CLUSTER);
                    return null != cluster && rows(cluster).size() == 3 && leaderRows(cluster).size() == 1 &&
                        rows(cluster).stream().allMatch(r -> !"\u2013".equals(r.get("commit"))) &&
                        null != cluster(page, "sessions");
                }, WAIT, "the page to show " + CLUSTER + "'s three members, their numbers and one leader");
                final Map<String, Object> shown = cluster(before, CLUSTER);
                assertThat(shown.get("leader")).isEqualTo(leader.toString());
                assertThat(leaderRows(shown)).singleElement()
                    .satisfies(row -> assertThat(row.get("id")).isEqualTo(leader.toString()));
                assertThat(rows(shown)).extracting(r -> r.get("id"))
                    .containsExactlyInAnyOrderElementsOf(orders.stream().map(ServerId::toString).toList());
                browser.screenshot(TARGET.resolve("live-view.png"));

                final NodeJvm victim = jvms.get(leader.node());
                victim.kill();
                final long killedAt = System.nanoTime();
                final Map<String, Object> after = awaitPage(browser, page ->
                {
                    final Map<String, Object> cluster = cluster(page, CLUSTER);
                    final String newLeader = null == cluster ? "" : (String)cluster.get("leader");
                    return !newLeader.isEmpty() && !newLeader.equals(leader.toString()) &&
                        leaderRows(cluster).size() == 1 && newLeader.equals(leaderRows(cluster).get(0).get("id"));
                }, WAIT, "the page to show a new leader of " + CLUSTER);
                final long millis = (System.nanoTime() - killedAt) / 1_000_000;
                Files.writeString(TARGET.resolve("live-view-failover.txt"), "new leader " +
                    cluster(after, CLUSTER).get("leader") + " shown " + millis + " ms after the kill -9 of " +
                    leader + "'s JVM\n");

                awaitPage(browser, page -> rows(cluster(page, CLUSTER)).stream()
                    .anyMatch(r -> leader.toString().equals(r.get("id")) && "down".equals(r.get("role"))),
                    WAIT, "the killed member to be shown down");
                awaitUnavailablePeer(browser, leader.node());
                browser.screenshot(TARGET.resolve("live-view-failover.png"));
            }
        }
        finally
        {
            writing.set(false);
            if (null != writer)
            {
                writer.join(10_000);
            }
            jvms.values().forEach(NodeJvm::kill);
            if (null != driver)
            {
                driver.close();
            }
            if (null != storage)
            {
                storage.close();
            }
        }
    }

    /**
     * Form the cluster with its first member on another node than the viewed one, so that the leader (whose JVM is
     * killed) is not the node whose page is shown.
     */
    private static ServerId formWithLeaderAwayFromTheViewedNode(final RaSystem driver, final List<ServerId> members)
    {
        ServerId leader = driver.startCluster(CLUSTER, "kv", List.of(members.get(1), members.get(2), members.get(0)));
        if (VIEWED.equals(leader.node()))
        {
            driver.transferLeadership(leader, members.get(1));
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (VIEWED.equals(leader.node()) && System.nanoTime() < deadline)
            {
                sleep(100);
                try
                {
                    leader = driver.leader(members.get(1));
                }
                catch (final RuntimeException ex)
                {
                    // The hand-over in progress: ask again.
                }
            }
        }
        assertThat(leader.node()).as("the leader's node").isNotEqualTo(VIEWED);
        return leader;
    }

    /**
     * A few writes a second, so that the commit rate chart has something to draw; failures during the failover are
     * expected and ignored.
     */
    private static Thread startWriting(final RaSystem driver, final List<ServerId> members, final AtomicBoolean on)
    {
        final Thread writer = new Thread(() ->
        {
            for (int i = 0; on.get() && i < 100_000; i++)
            {
                try
                {
                    driver.processCommand(members.get(i % members.size()), new KvMachine.Put("k" + i % 50, "v" + i),
                        Duration.ofSeconds(2));
                }
                catch (final RuntimeException ex)
                {
                    // A leader change in progress: the next write goes on.
                }
                sleep(50);
            }
        }, "live-view-writer");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitPage(final HeadlessChromium browser,
        final Predicate<Map<String, Object>> shows, final Duration timeout, final String what)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> page = Map.of();
        while (System.nanoTime() < deadline)
        {
            final Object text = browser.evaluate(READ_PAGE);
            page = text instanceof String json ? (Map<String, Object>)JsonReader.read(json) : Map.of();
            if (shows.test(page))
            {
                return page;
            }
            sleep(100);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what +
            "; the page shows " + page);
    }

    /**
     * The page lists the killed node's admin endpoint among the peers not answering, with the reason.
     */
    private static void awaitUnavailablePeer(final HeadlessChromium browser, final String node)
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        Object shown = null;
        while (System.nanoTime() < deadline)
        {
            shown = browser.evaluate("document.getElementById('unavailable').dataset.peers + '|' + " +
                "document.getElementById('unavailable-peers').hidden + '|' + " +
                "document.getElementById('unavailable').textContent");
            final String[] parts = String.valueOf(shown).split("\\|", 3);
            if (parts.length == 3 && List.of(parts[0].split(",")).contains(node) && "false".equals(parts[1]) &&
                parts[2].contains(node + ": "))
            {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("timed out waiting for the page to list " + node + "'s admin endpoint as not " +
            "answering; it shows " + shown);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cluster(final Map<String, Object> page, final String name)
    {
        return (Map<String, Object>)page.get(name);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(final Map<String, Object> cluster)
    {
        return null == cluster ? List.of() : (List<Map<String, Object>>)cluster.get("rows");
    }

    private static List<Map<String, Object>> leaderRows(final Map<String, Object> cluster)
    {
        return rows(cluster).stream().filter(r -> "leader".equals(r.get("role"))).toList();
    }

    private static List<ServerId> members(final String cluster)
    {
        return NODES.stream().map(node -> new ServerId(cluster, node)).toList();
    }

    private List<String> settingsOf(final String node)
    {
        final List<String> peers = new ArrayList<>();
        final List<String> adminPeers = new ArrayList<>();
        ports.forEach((id, port) ->
        {
            if (!id.equals(node))
            {
                peers.add(id + "=127.0.0.1:" + port);
                if (!"t".equals(id))
                {
                    adminPeers.add(id + "=http://127.0.0.1:" + adminPorts.get(id) + "/");
                }
            }
        });
        return List.of("listen=127.0.0.1:" + ports.get(node), "peers=" + String.join(",", peers),
            "cluster.id=live-view-test", "election.timeout.ms=500-1000", "tick.ms=100", "heartbeat.ms=200",
            "failure.timeout.ms=2000", "admin.port=" + adminPorts.get(node), "admin.peers=" +
            String.join(",", adminPeers));
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
