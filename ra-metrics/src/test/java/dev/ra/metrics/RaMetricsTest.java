package dev.ra.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.StateMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real three-node cluster on the in-JVM network, each node's {@link RaMetrics} bound to its own registry: the
 * meters exist with their tags and follow what the servers do.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaMetricsTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.registerMachine("kv", KvMachine::new));
    private final List<RaMetrics> bound = new ArrayList<>();
    private final List<SimpleMeterRegistry> registries = new ArrayList<>();

    @AfterEach
    void close()
    {
        bound.forEach(RaMetrics::close);
        cluster.close();
    }

    private void bindAll()
    {
        for (final RaSystem system : cluster.systems())
        {
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            final RaMetrics metrics = RaMetrics.builder(system).tag("app", "test").build();
            metrics.bindTo(registry);
            bound.add(metrics);
            registries.add(registry);
        }
    }

    private SimpleMeterRegistry registryOf(final ServerId server)
    {
        return registries.get(Integer.parseInt(server.node().substring(1)) - 1);
    }

    private RaMetrics metricsOf(final ServerId server)
    {
        return bound.get(Integer.parseInt(server.node().substring(1)) - 1);
    }

    private static double gauge(final SimpleMeterRegistry registry, final String name, final ServerId server)
    {
        return registry.get(name).tag("server", server.toString()).gauge().value();
    }

    private static double counter(final SimpleMeterRegistry registry, final String name, final ServerId server)
    {
        return registry.get(name).tag("server", server.toString()).functionCounter().count();
    }

    @Test
    void serverMetersCarryTheirTagsAndFollowTheServer()
    {
        bindAll();
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, WAIT);
        final SimpleMeterRegistry registry = registryOf(leader);
        final RaSystem system = cluster.system(leader);
        for (int i = 0; i < 20; i++)
        {
            system.processCommand(leader, new KvMachine.Put("k" + i, "v" + i));
        }
        metricsOf(leader).refresh();

        final Meter commit = registry.get("ra.server.commit.index").tag("server", leader.toString()).meter();
        assertThat(commit.getId().getTag("cluster")).isEqualTo("kv");
        assertThat(commit.getId().getTag("node")).isEqualTo(leader.node());
        assertThat(commit.getId().getTag("app")).isEqualTo("test");
        assertThat(counter(registry, "ra.server.commands", leader)).isGreaterThanOrEqualTo(20);
        assertThat(registry.get("ra.server.role").tag("server", leader.toString()).tag("role", "leader").gauge()
            .value()).isEqualTo(1.0);
        assertThat(gauge(registry, "ra.server.leader.known", leader)).isEqualTo(1.0);
        assertThat(registry.get("ra.server.apply").tag("server", leader.toString()).functionTimer().count())
            .isPositive();

        // The gauges show the overview of the last refresh: once the server is quiet, what an overview says now.
        InJvmCluster.await(() ->
        {
            metricsOf(leader).refresh();
            final ServerOverview now = system.overview(leader);
            return gauge(registry, "ra.server.commit.index", leader) == now.commitIndex() &&
                gauge(registry, "ra.server.applied.index", leader) == now.lastApplied() &&
                gauge(registry, "ra.server.last.index", leader) == now.lastIndex() &&
                gauge(registry, "ra.server.written.index", leader) == now.lastWrittenIndex() &&
                gauge(registry, "ra.server.term", leader) == now.currentTerm() &&
                now.commitIndex() >= 21;
        }, WAIT, "the commit index gauge to equal the overview");

        // The leader sees each follower; its lag comes down to 0 once they have everything.
        final List<ServerId> followers = new ArrayList<>(members);
        followers.remove(leader);
        for (final ServerId follower : followers)
        {
            InJvmCluster.await(() ->
            {
                metricsOf(leader).refresh();
                return registry.get("ra.server.follower.lag").tag("server", leader.toString())
                    .tag("peer", follower.toString()).gauge().value() == 0.0;
            }, WAIT, "the lag of " + follower + " to be 0");
        }
        assertThat(registry.find("ra.server.follower.lag").gauges()).hasSize(2);
        // Followers have no followers.
        final ServerId follower = followers.get(0);
        metricsOf(follower).refresh();
        assertThat(registryOf(follower).find("ra.server.follower.lag").gauges()).isEmpty();
        assertThat(registryOf(follower).get("ra.server.role").tag("role", "follower").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void electionsAndPreVotesAreCountedAndTheLagMetersFollowTheLeadership()
    {
        bindAll();
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, WAIT);
        final ServerId target = members.get((members.indexOf(leader) + 1) % members.size());
        metricsOf(target).refresh();
        final double elections = counter(registryOf(target), "ra.server.elections", target);
        final double preVotes = counter(registryOf(target), "ra.server.prevotes", target);

        // A triggered election starts with a pre-vote round (which the members hearing from the leader refuse).
        cluster.system(target).triggerElection(target);
        InJvmCluster.await(() ->
        {
            metricsOf(target).refresh();
            return counter(registryOf(target), "ra.server.prevotes", target) > preVotes;
        }, WAIT, "the pre-vote of " + target + " to be counted");

        // A transfer makes the target campaign at once: an election.
        cluster.system(leader).transferLeadership(leader, target);
        InJvmCluster.await(() -> cluster.system(target).overview(target).role() == RaftRole.LEADER, WAIT,
            target + " to lead");
        metricsOf(target).refresh();
        metricsOf(leader).refresh();
        assertThat(counter(registryOf(target), "ra.server.elections", target)).isGreaterThan(elections);
        assertThat(registryOf(target).find("ra.server.follower.lag").gauges()).hasSize(2);
        // The old leader follows now: its followers' meters are gone.
        InJvmCluster.await(() ->
        {
            metricsOf(leader).refresh();
            return registryOf(leader).find("ra.server.follower.lag").gauges().isEmpty();
        }, WAIT, "the old leader's follower meters to go");
    }

    @Test
    void serversStartedAfterBindingGetMetersAndStoppedOnesLoseThem()
    {
        bindAll();
        final SimpleMeterRegistry registry = registries.get(0);
        final RaMetrics metrics = bound.get(0);
        assertThat(registry.find("ra.server.commit.index").gauges()).isEmpty();
        assertThat(registry.get("ra.node.servers").gauge().value()).isZero();

        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        cluster.awaitLeader(members, WAIT);
        final ServerId onFirst = members.get(0);
        metrics.refresh();
        assertThat(registry.get("ra.server.commit.index").tag("server", onFirst.toString()).gauge()).isNotNull();
        assertThat(registry.get("ra.node.servers").gauge().value()).isEqualTo(1.0);

        cluster.system(onFirst).stopServer(onFirst);
        metrics.refresh();
        assertThat(registry.find("ra.server.commit.index").gauges()).isEmpty();
        assertThat(registry.find("ra.server.commands").functionCounters()).isEmpty();
        assertThat(registry.find("ra.server.apply").functionTimers()).isEmpty();
        assertThat(registry.find("ra.server.apply.buckets").functionCounters()).isEmpty();
        assertThat(registry.get("ra.node.servers").gauge().value()).isZero();
    }

    @Test
    void aServerRestartedBetweenTwoRefreshesGetsNewCounterMetersRatherThanCountersThatGoDown()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, WAIT);
        final RaSystem system = cluster.system(leader);
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Refreshed only when asked: the stop and the restart both fall between two refreshes, as between scrapes.
        final RaMetrics metrics = RaMetrics.builder(system).refreshInterval(Duration.ofHours(1)).build();
        bound.add(metrics);
        metrics.bindTo(registry);
        for (int i = 0; i < 5; i++)
        {
            system.processCommand(leader, new KvMachine.Put("k" + i, "v" + i));
        }
        metrics.refresh();
        final FunctionCounter before = registry.get("ra.server.commands").tag("server", leader.toString())
            .functionCounter();
        final double counted = before.count();
        assertThat(counted).isGreaterThanOrEqualTo(5);

        system.stopServer(leader);
        system.restartServer(leader);
        // Its counters began again from 0: the same meter reading less would be a counter going down, which a
        // step registry publishes as a negative increment. (A refresh may find it still recovering: ask again.)
        InJvmCluster.await(() ->
        {
            metrics.refresh();
            final FunctionCounter now = registry.find("ra.server.commands").tag("server", leader.toString())
                .functionCounter();
            return null != now && now != before ? now : null;
        }, WAIT, "a new commands counter for the restarted " + leader + " (it counted " + counted + " before)");
        assertThat(registry.getMeters().stream().noneMatch(meter -> meter == before)).as("the old meter is removed")
            .isTrue();
    }

    @Test
    void aTagKeyTheMetersSetThemselvesIsRefusedRatherThanReplacingTheirOwn()
    {
        // Taken, "node" would replace the node's id on every meter: two nodes in one registry would share series.
        for (final String taken : List.of("node", "cluster", "server", "peer", "kind", "role", "le"))
        {
            assertThatThrownBy(() -> RaMetrics.builder(cluster.first()).tag(taken, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag " + taken);
            assertThatThrownBy(() -> RaMetrics.builder(cluster.first()).tags(Tags.of(taken, "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag " + taken);
        }
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final RaMetrics metrics = RaMetrics.builder(cluster.first()).tags(Tags.of("app", "orders")).build();
        bound.add(metrics);
        metrics.bindTo(registry);
        assertThat(registry.get("ra.node.servers").tag("app", "orders").tag("node", cluster.first().nodeId())
            .gauge()).isNotNull();
    }

    @Test
    void aServerBusyAcrossManyRefreshesIsAskedForOneOverviewNotOnePerRefresh()
    {
        final BlockingOverviewMachine machine = new BlockingOverviewMachine();
        final InJvmCluster single = new InJvmCluster(1);
        try
        {
            final ServerId leader = single.awaitLeader(single.startCluster("busy", machine), WAIT);
            final RaSystem system = single.system(leader);
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            final RaMetrics metrics = RaMetrics.builder(system).refreshInterval(Duration.ofHours(1)).build();
            bound.add(metrics);
            metrics.bindTo(registry);
            final double term = gauge(registry, "ra.server.term", leader);

            machine.block();
            for (int i = 0; i < 4; i++)
            {
                metrics.refresh();
            }
            // A busy server keeps the values it showed.
            assertThat(gauge(registry, "ra.server.term", leader)).isEqualTo(term);
            machine.release();
            // Asked after the refreshes' questions, answered after them: every question is answered by now.
            system.overview(leader);

            assertThat(machine.callsWhileBlocked.get()).as("overviews the busy server had to give once free, " +
                "the one it was giving included").isLessThanOrEqualTo(2);
        }
        finally
        {
            machine.release();
            bound.forEach(RaMetrics::close);
            single.close();
        }
    }

    /**
     * A refresh waits at most 1 s for a busy server. But the snapshot's age was counted from the refresh's start, so
     * the refresh that waited was already stale when it ended, and with a server still busy every meter read next
     * refreshed again and waited again: a scrape of a node's few hundred meters took minutes (Prometheus gives up after
     * 10 s) exactly while a server was busy. A server whose earlier question is still unanswered is not waited for
     * again: a scrape costs at most one wait.
     */
    @Test
    void aScrapeWhileAServerIsBusyWaitsForItOnceNotOncePerMeter() throws Exception
    {
        final BlockingOverviewMachine machine = new BlockingOverviewMachine();
        final InJvmCluster single = new InJvmCluster(1);
        try
        {
            final ServerId leader = single.awaitLeader(single.startCluster("busy", machine), WAIT);
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            final RaMetrics metrics = RaMetrics.builder(single.system(leader)).build();
            bound.add(metrics);
            metrics.bindTo(registry);
            final int meters = registry.getMeters().size();

            machine.block();
            // The refresh that finds the server busy, and waits for it.
            metrics.refresh();
            final CountDownLatch scraped = new CountDownLatch(1);
            final Thread scrape = new Thread(() ->
            {
                // As a registry's scrape does: every value of every meter.
                registry.getMeters().forEach(meter -> meter.measure().forEach(Measurement::getValue));
                scraped.countDown();
            }, "scrape");
            scrape.setDaemon(true);
            scrape.start();

            assertThat(scraped.await(60, TimeUnit.SECONDS)).as("a scrape of %d meters while a server is busy " +
                "finished", meters).isTrue();
        }
        finally
        {
            machine.release();
            bound.forEach(RaMetrics::close);
            single.close();
        }
    }

    /**
     * While its system closes, a server is still listed as running until it has stopped, but asking for its overview
     * throws at once: the exception escaped the refresh, and so every meter's read and the registry's scrape (a 500
     * from the admin endpoint's /metrics) for as long as the servers took to stop. The server now just has no
     * overview, as one that stopped between the listing and the question.
     */
    @Test
    void aRefreshWhileTheSystemClosesDoesNotThrow() throws Exception
    {
        final BlockingOverviewMachine machine = new BlockingOverviewMachine();
        final InJvmCluster single = new InJvmCluster(1);
        Thread closer = null;
        try
        {
            final ServerId leader = single.awaitLeader(single.startCluster("closing", machine), WAIT);
            final RaSystem system = single.system(leader);
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            final RaMetrics metrics = RaMetrics.builder(system).refreshInterval(Duration.ofHours(1)).build();
            bound.add(metrics);
            metrics.bindTo(registry);

            // The server's loop is held in an overview, so that it stops only once released.
            machine.block();
            system.overviewAsync(leader);
            closer = new Thread(system::close, "closer");
            closer.start();
            InJvmCluster.await(() ->
            {
                try
                {
                    system.overviewAsync(leader);
                    return null;
                }
                catch (final IllegalStateException closed)
                {
                    return system.runningServers().contains(leader) ? closed : null;
                }
            }, WAIT, "the system to be closing with the server still listed");

            metrics.refresh();
            assertThat(registry.get("ra.node.servers").gauge().value()).isZero();
        }
        finally
        {
            machine.release();
            if (null != closer)
            {
                closer.join(WAIT.toMillis());
            }
            bound.forEach(RaMetrics::close);
            single.close();
        }
    }

    /** A machine whose overview (asked on the server's loop) blocks while told to, as a long apply would. */
    private static final class BlockingOverviewMachine implements StateMachine<Object, Long>
    {
        private final AtomicInteger callsWhileBlocked = new AtomicInteger();
        private volatile CountDownLatch gate;

        void block()
        {
            gate = new CountDownLatch(1);
        }

        void release()
        {
            final CountDownLatch current = gate;
            if (null != current)
            {
                current.countDown();
            }
        }

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
            final CountDownLatch current = gate;
            if (null != current)
            {
                callsWhileBlocked.incrementAndGet();
                try
                {
                    current.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return Map.of("applied", state);
        }
    }

    @Test
    void callsAreTimedPerKindAndRedirectsCounted()
    {
        bindAll();
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, WAIT);
        final ServerId follower = members.get((members.indexOf(leader) + 1) % members.size());
        final RaSystem caller = cluster.system(follower);
        for (int i = 0; i < 10; i++)
        {
            // Addressed to the follower: redirected to the leader.
            caller.processCommand(follower, new KvMachine.Put("k", "v" + i));
        }
        caller.consistentQuery(follower, s -> s);
        final RaMetrics metrics = metricsOf(follower);
        final SimpleMeterRegistry registry = registryOf(follower);
        // A call's latency is recorded by a completion action of its future, which may run just after the caller has
        // its answer: wait until the last calls are in.
        InJvmCluster.await(() ->
        {
            metrics.refresh();
            return registry.get("ra.calls").tag("kind", "command").functionTimer().count() >= 10 &&
                registry.get("ra.calls").tag("kind", "read_index").functionTimer().count() >= 1;
        }, WAIT, "the calls' latencies");

        final FunctionTimer commands = registry.get("ra.calls").tag("kind", "command").functionTimer();
        assertThat(commands.count()).isGreaterThanOrEqualTo(10);
        assertThat(commands.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.get("ra.calls.redirects").tag("kind", "command").functionCounter().count())
            .isGreaterThanOrEqualTo(1);
        assertThat(registry.get("ra.calls.timeouts").tag("kind", "command").functionCounter().count()).isZero();
        assertThat(registry.get("ra.calls").tag("kind", "read_index").functionTimer().count()).isPositive();
        // Cumulative buckets: +Inf holds every call, and no bucket holds more than a wider one.
        final List<FunctionCounter> buckets = new ArrayList<>(registry.get("ra.calls.buckets").tag("kind", "command")
            .functionCounters());
        final FunctionCounter inf = buckets.stream().filter(c -> "+Inf".equals(c.getId().getTag("le"))).findFirst()
            .orElseThrow();
        assertThat(inf.count()).isEqualTo(commands.count());
        buckets.remove(inf);
        buckets.sort((a, b) -> Double.compare(Double.parseDouble(a.getId().getTag("le")),
            Double.parseDouble(b.getId().getTag("le"))));
        for (int i = 1; i < buckets.size(); i++)
        {
            assertThat(buckets.get(i).count()).isGreaterThanOrEqualTo(buckets.get(i - 1).count());
        }
    }

    @Test
    void theApplyHistogramsBucketsCanBeLeftOut()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        cluster.awaitLeader(members, WAIT);
        cluster.first().processCommand(members.get(0), new KvMachine.Put("a", "b"));
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final RaMetrics metrics = RaMetrics.builder(cluster.first()).serverApplyBuckets(false).build();
        bound.add(metrics);
        metrics.bindTo(registry);
        assertThat(registry.get("ra.server.apply").functionTimer().count()).isPositive();
        assertThat(registry.find("ra.server.apply.buckets").functionCounters()).isEmpty();
        // The calls keep theirs: one histogram per kind, not per server.
        assertThat(registry.find("ra.calls.buckets").functionCounters()).isNotEmpty();
    }

    @Test
    void closingRemovesEveryMeterAndTheRegistryKeepsTheBinderAlive()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        cluster.awaitLeader(members, WAIT);
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Not kept by the test: the registry holds it.
        RaMetrics.builder(cluster.first()).refreshInterval(Duration.ofMillis(10)).build().bindTo(registry);
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        final ServerId server = members.get(0);
        cluster.first().processCommand(server, new KvMachine.Put("a", "b"));
        InJvmCluster.await(() -> registry.get("ra.server.commit.index").tag("server", server.toString()).gauge()
            .value() >= 2, WAIT, "the commit index gauge to read the server after a GC");
        final Gauge servers = registry.get("ra.node.servers").gauge();
        assertThat(servers.value()).isEqualTo(1.0);

        final RaMetrics metrics = RaMetrics.builder(cluster.first()).tag("second", "yes").build();
        metrics.bindTo(registry);
        assertThat(registry.find("ra.server.term").tag("second", "yes").gauges()).hasSize(1);
        metrics.close();
        assertThat(registry.find("ra.server.term").tag("second", "yes").gauges()).isEmpty();
        assertThat(registry.getMeters().stream().filter(m -> "yes".equals(m.getId().getTag("second")))).isEmpty();
    }

    /**
     * A binder replaced by a new one of the same node and tags before it is closed: the registry handed the new one
     * the old one's meters, and closing the old one removed them from under the new one.
     */
    @Test
    void closingTheFirstOfTwoBindersOfOneNodeLeavesTheOtherOnesMetersWorking()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        cluster.awaitLeader(members, WAIT);
        final ServerId server = new ServerId("kv", cluster.first().nodeId());
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final RaMetrics old = RaMetrics.builder(cluster.first()).refreshInterval(Duration.ofMillis(10)).build();
        old.bindTo(registry);
        final RaMetrics replacement = RaMetrics.builder(cluster.first()).refreshInterval(Duration.ofMillis(10))
            .build();
        bound.add(replacement);
        replacement.bindTo(registry);
        final int meters = registry.getMeters().size();

        old.close();

        assertThat(registry.getMeters()).as("every series goes on").hasSize(meters);
        assertThat(registry.find("ra.node.servers").gauges()).hasSize(1);
        assertThat(registry.find("ra.server.term").gauges()).hasSize(1);
        final double commitIndex = gauge(registry, "ra.server.commit.index", server);
        cluster.first().processCommand(members.get(0), new KvMachine.Put("a", "b"));
        InJvmCluster.await(() -> gauge(registry, "ra.server.commit.index", server) > commitIndex, WAIT,
            "the commit index gauge to read the server through the binder still bound");
    }

    @Test
    void closingTheSecondOfTwoBindersOfOneNodeLeavesTheFirstOnesMeters()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        cluster.awaitLeader(members, WAIT);
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final RaMetrics first = new RaMetrics(cluster.first());
        bound.add(first);
        first.bindTo(registry);
        final int meters = registry.getMeters().size();
        final RaMetrics second = new RaMetrics(cluster.first());
        second.bindTo(registry);
        assertThat(registry.getMeters()).as("shared, not doubled").hasSize(meters);

        second.close();

        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(registry.find("ra.server.term").gauges()).hasSize(1);
    }
}
