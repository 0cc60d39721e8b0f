package dev.ra.metrics;

import dev.ra.OverviewPoller;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.stats.LatencySnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of every server running on the node, tagged {@code cluster} and {@code server}, and of each follower as
 * its leader sees it (tagged {@code peer} too). They read the servers' overviews taken at the last refresh: one
 * overview per server per refresh, whatever the number of meters. A server started after binding gets its meters at
 * the next refresh, a stopped one loses them, and so does a follower when its server stops leading.
 */
final class ServerMeters implements MeterGroup
{
    /**
     * How long a refresh waits for a server's overview; a busy server keeps its previous one meanwhile, and is not
     * waited for again by the next refreshes while that question is unanswered.
     */
    private static final Duration OVERVIEW_WAIT = Duration.ofSeconds(1);

    /** The counters of {@link ServerOverview#counters()} exported, as meter name, counter name, description. */
    private static final String[][] COUNTERS = {
        {"ra.server.commands", "commands", "commands accepted as leader"},
        {"ra.server.commands.rejected", "commands_refused", "commands the leader refused (invalid, too large)"},
        {"ra.server.commands.overloaded", "commands_overloaded",
            "commands the leader refused holding maxUncommittedBytes not yet applied"},
        {"ra.server.commands.failed", "apply_failures", "entries whose apply threw (the command failed)"},
        {"ra.server.entries.applied", "entries_applied", "entries applied to the machine"},
        {"ra.server.elections", "elections", "elections started (candidate rounds)"},
        {"ra.server.prevotes", "pre_votes", "pre-vote rounds started"},
        {"ra.server.snapshots.written", "snapshots_written", "snapshots written locally"},
        {"ra.server.snapshots.installed", "snapshots_installed", "snapshots installed from a leader"},
        {"ra.server.snapshots.sent", "snapshots_sent", "snapshots sent to followers"},
        {"ra.server.machine.callback.failures", "machine_callback_failures",
            "stateEnter or tick calls that threw, Append effects refused"},
        {"ra.server.effect.failures", "effect_failures", "machine effects that failed to run"},
    };

    /** One server's latest overview, read by its meters; and its apply times, read by the apply histogram. */
    static final class ServerState implements Supplier<LatencySnapshot>
    {
        final ServerId id;
        final RaMetrics owner;
        final Tags tags;
        volatile ServerOverview overview;

        ServerState(final ServerId id, final RaMetrics owner, final Tags tags, final ServerOverview overview)
        {
            this.id = id;
            this.owner = owner;
            this.tags = tags;
            this.overview = overview;
        }

        ServerOverview overview()
        {
            owner.ensureFresh();
            return overview;
        }

        @Override
        public LatencySnapshot get()
        {
            final ServerOverview o = overview();
            return null == o ? LatencySnapshot.EMPTY : o.applyTimes();
        }
    }

    /** A follower as its leader sees it. */
    record FollowerKey(ServerId leader, ServerId follower)
    {
    }

    /** What a follower meter reads. */
    private record FollowerState(ServerState leader, ServerId follower)
    {
        double lag()
        {
            final ServerOverview o = leader.overview();
            final Long match = null == o ? null : o.peerMatchIndexes().get(follower);
            return null == match ? Double.NaN : Math.max(0, o.lastIndex() - match);
        }
    }

    private final RaMetrics owner;
    private final Tags nodeTags;
    private final boolean applyBuckets;
    /** Strong references to what the meters read (Micrometer holds them weakly); guarded by the owner. */
    private final Map<ServerId, ServerState> servers = new HashMap<>();
    private final Map<FollowerKey, FollowerState> followers = new HashMap<>();
    /** Asks the servers for their overviews; guarded by the owner. */
    private final OverviewPoller poller;
    private volatile int serverCount;

    ServerMeters(final RaSystem system, final RaMetrics owner, final Tags nodeTags, final boolean applyBuckets)
    {
        this.poller = new OverviewPoller(system, OVERVIEW_WAIT);
        this.owner = owner;
        this.nodeTags = nodeTags;
        this.applyBuckets = applyBuckets;
    }

    /**
     * @return servers with meters (running at the last refresh).
     */
    int count()
    {
        return serverCount;
    }

    /**
     * Take every running server's overview, then remove the meters of servers and followers gone (the owner then
     * registers those of new ones).
     */
    @Override
    public void refresh(final List<MeterRegistry> registries, final RegisteredMeters meters)
    {
        final Map<ServerId, ServerOverview> overviews = takeOverviews();
        for (final ServerId gone : meters.keys(ServerId.class))
        {
            if (!overviews.containsKey(gone))
            {
                meters.remove(gone);
                servers.remove(gone);
            }
        }
        servers.keySet().retainAll(overviews.keySet());
        for (final Map.Entry<ServerId, ServerOverview> e : overviews.entrySet())
        {
            final ServerState state = servers.get(e.getKey());
            if (null != state && countsWentDown(state.overview, e.getValue()))
            {
                // Stopped and started again (or deleted and started anew) since the last refresh: its counters
                // began again from 0. A counter meter must never go down (a step registry would publish a negative
                // increment), so the old meters go and new ones start from the new counts.
                meters.remove(e.getKey());
                servers.remove(e.getKey());
            }
            final ServerState current = servers.get(e.getKey());
            if (null == current)
            {
                final ServerOverview o = e.getValue();
                servers.put(e.getKey(), new ServerState(e.getKey(), owner,
                    nodeTags.and("cluster", o.clusterName(), "server", e.getKey().toString()), o));
            }
            else
            {
                current.overview = e.getValue();
            }
        }
        final Map<FollowerKey, FollowerState> wanted = new HashMap<>();
        for (final ServerState state : servers.values())
        {
            for (final ServerId follower : state.overview.peerMatchIndexes().keySet())
            {
                final FollowerKey key = new FollowerKey(state.id, follower);
                final FollowerState existing = followers.get(key);
                wanted.put(key, null != existing && existing.leader == state ? existing :
                    new FollowerState(state, follower));
            }
        }
        for (final FollowerKey key : meters.keys(FollowerKey.class))
        {
            if (wanted.get(key) != followers.get(key))
            {
                meters.remove(key);
            }
        }
        serverCount = servers.size();
        followers.clear();
        followers.putAll(wanted);
    }

    /**
     * @return whether a counter the meters publish (or an apply-time count or total) is lower now than before: the
     *         server started again since.
     */
    private static boolean countsWentDown(final ServerOverview before, final ServerOverview now)
    {
        final LatencySnapshot applyNow = now.applyTimes();
        final LatencySnapshot applyBefore = before.applyTimes();
        if (applyNow.count() < applyBefore.count() || applyNow.totalNanos() < applyBefore.totalNanos())
        {
            return true;
        }
        final long[] bucketsNow = applyNow.counts();
        final long[] bucketsBefore = applyBefore.counts();
        long atMostNow = 0;
        long atMostBefore = 0;
        for (int bucket = 0; bucket < Math.min(bucketsNow.length, bucketsBefore.length); bucket++)
        {
            atMostNow += bucketsNow[bucket];
            atMostBefore += bucketsBefore[bucket];
            if (atMostNow < atMostBefore)
            {
                return true;
            }
        }
        for (final String[] counter : COUNTERS)
        {
            if (now.counters().getOrDefault(counter[1], 0L) < before.counters().getOrDefault(counter[1], 0L))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void register(final MeterRegistry registry, final RegisteredMeters meters)
    {
        for (final ServerState state : servers.values())
        {
            if (!meters.has(state.id, registry))
            {
                meters.add(state.id, registry, serverMeters(registry, state));
            }
        }
        for (final Map.Entry<FollowerKey, FollowerState> e : followers.entrySet())
        {
            if (!meters.has(e.getKey(), registry))
            {
                final FollowerState f = e.getValue();
                meters.add(e.getKey(), registry, List.of(Gauge.builder("ra.server.follower.lag", f,
                    FollowerState::lag).description("entries the follower lacks, as its leader sees it (leader's " +
                    "last index minus the follower's match index)").baseUnit("entries")
                    .tags(f.leader.tags).tag("peer", f.follower.toString()).register(registry)));
            }
        }
    }

    private Map<ServerId, ServerOverview> takeOverviews()
    {
        final OverviewPoller.Poll poll = poller.poll();
        final Map<ServerId, ServerOverview> overviews = new LinkedHashMap<>();
        for (final ServerId id : poll.servers())
        {
            final ServerOverview answer = poll.answered().get(id);
            final ServerState previous = servers.get(id);
            if (null != answer)
            {
                overviews.put(id, answer);
            }
            else if (poll.unanswered(id) && null != previous)
            {
                // Busy (a long apply): keep what its meters showed, rather than dropping them for one scrape. One
                // that failed (stopped since it was listed, the system closing) loses its meters.
                overviews.put(id, previous.overview);
            }
        }
        return overviews;
    }

    private List<Meter> serverMeters(final MeterRegistry registry, final ServerState state)
    {
        final List<Meter> meters = new ArrayList<>();
        final Tags tags = state.tags;
        for (final RaftRole role : RaftRole.values())
        {
            meters.add(Gauge.builder("ra.server.role", state, s -> roleIs(s, role))
                .description("1 while the server is in this role, else 0")
                .tags(tags).tag("role", role.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        meters.add(gauge(registry, "ra.server.leader.known", state, o -> null == o.leader() ? 0 : 1,
            "1 while the server knows a leader of its cluster (itself included), else 0", null));
        meters.add(gauge(registry, "ra.server.term", state, ServerOverview::currentTerm, "current term", null));
        meters.add(gauge(registry, "ra.server.commit.index", state, ServerOverview::commitIndex,
            "highest index known committed", null));
        meters.add(gauge(registry, "ra.server.applied.index", state, ServerOverview::lastApplied,
            "highest index applied to the machine", null));
        meters.add(gauge(registry, "ra.server.last.index", state, ServerOverview::lastIndex,
            "highest index in the log", null));
        meters.add(gauge(registry, "ra.server.written.index", state, ServerOverview::lastWrittenIndex,
            "highest index durable in the log", null));
        meters.add(gauge(registry, "ra.server.snapshot.index", state, ServerOverview::snapshotIndex,
            "index of the latest snapshot, 0 if none", null));
        meters.add(gauge(registry, "ra.server.members", state, o -> o.members().size(),
            "members of the cluster as the server sees them", null));
        for (final String[] counter : COUNTERS)
        {
            final String key = counter[1];
            meters.add(FunctionCounter.builder(counter[0], state, s -> counterValue(s, key))
                .description(counter[2]).tags(tags).register(registry));
        }
        final String apply = "core steps that applied entries (the machine's apply and the core's bookkeeping)";
        if (applyBuckets)
        {
            meters.addAll(LatencyMeters.register(registry, "ra.server.apply", apply, tags, state));
        }
        else
        {
            meters.add(LatencyMeters.timer(registry, "ra.server.apply", apply, tags, state));
        }
        return meters;
    }

    private static Gauge gauge(final MeterRegistry registry, final String name, final ServerState state,
        final ToDoubleFunction<ServerOverview> value, final String description, final String unit)
    {
        return Gauge.builder(name, state, s ->
        {
            final ServerOverview o = s.overview();
            return null == o ? Double.NaN : value.applyAsDouble(o);
        }).description(description).baseUnit(unit).tags(state.tags).register(registry);
    }

    private static double roleIs(final ServerState state, final RaftRole role)
    {
        final ServerOverview o = state.overview();
        return null == o ? Double.NaN : o.role() == role ? 1 : 0;
    }

    private static double counterValue(final ServerState state, final String key)
    {
        final ServerOverview o = state.overview();
        final Long value = null == o ? null : o.counters().get(key);
        return null == value ? 0 : value;
    }
}
