package dev.ra.metrics;

import dev.ra.RaSystem;
import dev.ra.log.FileStorage;
import dev.ra.transport.netty.NettyTransport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The metrics of one Ra node for Micrometer: bind it to the application's registry
 * ({@code RaMetrics.builder(system).build().bindTo(registry)}, or {@code new RaMetrics(system).bindTo(registry)}).
 *
 * <p>It exports every server running on the node (role, term, indexes, each follower's lag as its leader sees it,
 * commands, elections, snapshots, apply time; tags {@code cluster}, {@code server}), the client calls made on the
 * node (latency per kind, timeouts, redirects), and, when given, the WAL of a {@link FileStorage} and the per-peer
 * traffic of a {@link NettyTransport}. Every meter is tagged {@code node} with the node's id, and with the tags
 * given to the builder. docs/OPERATIONS.md ("Metrics") lists every name with its meaning and unit, and the alerts
 * worth setting.
 *
 * <p>Meters read snapshots taken at most once per refresh interval (250 ms by default), whatever the number of
 * meters: one overview per server per refresh, never one per meter. Servers started after binding get their meters
 * at the next refresh, and stopped servers lose theirs; a scrape triggers the refresh, so nothing runs between scrapes.
 * Latency histograms render in Prometheus as {@code <name>_seconds_count}, {@code <name>_seconds_sum} and cumulative
 * {@code <name>_buckets_total{le="..."}} for {@code histogram_quantile}. The registry keeps this binder alive; close it
 * to remove every meter it registered.
 *
 * <p>Two binders of the same node with the same tags may be bound to one registry at once (a binder replaced by a new
 * one before the old one is closed): as Micrometer does for any meter registered twice, they share the meters, each
 * owned by the binder that registered it first. Closing a binder removes only the meters it owns, and the other
 * binders still bound to that registry register their own in their place before {@code close} returns, so that the
 * series go on.
 */
public final class RaMetrics implements MeterBinder, AutoCloseable
{
    /** How often meters' snapshots are refreshed at most, unless set otherwise. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(250);
    /** The tag keys the meters set themselves, which the builder's tags may not use. */
    static final List<String> RESERVED_TAGS = List.of("node", "cluster", "server", "peer", "kind", "role", "le");

    private final RaSystem system;
    private final Tags nodeTags;
    private final long refreshNanos;
    private final List<MeterGroup> groups = new ArrayList<>();
    private final ServerMeters servers;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    /** Guarded by this. */
    private final RegisteredMeters meters = new RegisteredMeters(this);
    private volatile long refreshedAtNanos;
    private volatile boolean refreshed;
    /** How many stored servers did not restart, as of the last refresh. */
    private volatile int failedRestarts;
    private volatile boolean closed;

    /**
     * The metrics of a node's servers and calls, without WAL or transport meters, refreshed at most every
     * {@link #DEFAULT_REFRESH_INTERVAL}.
     *
     * @param system the node.
     */
    public RaMetrics(final RaSystem system)
    {
        this(builder(system));
    }

    private RaMetrics(final Builder builder)
    {
        this.system = builder.system;
        this.nodeTags = Tags.of("node", system.nodeId()).and(builder.tags);
        this.refreshNanos = builder.refreshInterval.toNanos();
        this.servers = new ServerMeters(system, this, nodeTags, builder.serverApplyBuckets);
        groups.add(servers);
        groups.add(new CallMeters(system.callStatistics(), this, nodeTags));
        if (null != builder.storage)
        {
            groups.add(new WalMeters((FileStorage)builder.storage, this, nodeTags));
        }
        if (null != builder.transport)
        {
            groups.add(new TransportMeters((NettyTransport)builder.transport, this, nodeTags));
        }
    }

    /**
     * @param system the node whose metrics to export.
     * @return a builder.
     */
    public static Builder builder(final RaSystem system)
    {
        return new Builder(system);
    }

    /**
     * Register the node's meters in a registry (several registries may be bound), after a refresh.
     *
     * @param registry the application's.
     */
    @Override
    public void bindTo(final MeterRegistry registry)
    {
        Objects.requireNonNull(registry, "registry");
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("RaMetrics of node " + system.nodeId() + " is closed");
            }
            if (registries.contains(registry))
            {
                return;
            }
            registries.add(registry);
            meters.bind(registry);
            refresh();
        }
    }

    private void registerNodeMeter(final MeterRegistry registry)
    {
        if (!meters.has("node", registry))
        {
            // Strongly held by the registry: the other meters hold what they read weakly, through this binder.
            meters.add("node", registry, List.of(Gauge.builder("ra.node.servers", this, RaMetrics::serverCount)
                .description("servers running on the node").tags(nodeTags).strongReference(true)
                .register(registry),
                Gauge.builder("ra.node.servers.restart.failed", this, RaMetrics::failedRestartCount)
                .description("servers stored on the node that do not run because their restart failed (machine " +
                    "not registered, storage damaged): members missing from their clusters").tags(nodeTags)
                .strongReference(true).register(registry)));
        }
    }

    /**
     * Take new snapshots now, and add or remove meters for servers and peers that appeared or went away. Scrapes do
     * this by themselves at most once per refresh interval; call it to see a change at once (in tests, say).
     */
    public void refresh()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            refreshedAtNanos = System.nanoTime();
            refreshed = true;
            failedRestarts = system.failedRestarts().size();
            for (final MeterGroup group : groups)
            {
                group.refresh(registries, meters);
            }
            synchronized (RegisteredMeters.LOCK)
            {
                for (final MeterRegistry registry : registries)
                {
                    meters.sweep(registry);
                    registerNodeMeter(registry);
                    for (final MeterGroup group : groups)
                    {
                        group.register(registry, meters);
                    }
                }
            }
        }
    }

    /**
     * Remove the meters this binder owns from every registry it was bound to. Another binder of the same node with
     * the same tags, bound to the same registry, keeps its meters: those this one owned are registered again, as its
     * own, before this returns.
     */
    @Override
    public void close()
    {
        final List<RaMetrics> others;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            others = meters.close(registries);
            registries.clear();
        }
        // Outside this binder's lock: each takes its own.
        others.forEach(RaMetrics::refresh);
    }

    /**
     * Refresh if the snapshots are older than the refresh interval; called by every meter before it reads.
     */
    void ensureFresh()
    {
        if (refreshed && System.nanoTime() - refreshedAtNanos < refreshNanos)
        {
            return;
        }
        synchronized (this)
        {
            if (!refreshed || System.nanoTime() - refreshedAtNanos >= refreshNanos)
            {
                refresh();
            }
        }
    }

    private double serverCount()
    {
        ensureFresh();
        return servers.count();
    }

    private double failedRestartCount()
    {
        ensureFresh();
        return failedRestarts;
    }

    /**
     * How to build a {@link RaMetrics}.
     */
    public static final class Builder
    {
        private final RaSystem system;
        private final List<Tag> tags = new ArrayList<>();
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private boolean serverApplyBuckets = true;
        /** A FileStorage, kept as Object so that ra-log is loaded only when one is given. */
        private Object storage;
        /** A NettyTransport, kept as Object so that ra-transport-netty is loaded only when one is given. */
        private Object transport;

        private Builder(final RaSystem system)
        {
            this.system = Objects.requireNonNull(system, "system");
        }

        /**
         * Export the WAL of the node's storage too ({@code ra.wal.*}).
         *
         * @param fileStorage the storage the system was built with.
         * @return this builder.
         */
        public Builder storage(final FileStorage fileStorage)
        {
            this.storage = Objects.requireNonNull(fileStorage, "fileStorage");
            return this;
        }

        /**
         * Export the traffic of the node's transport too ({@code ra.transport.*}).
         *
         * @param nettyTransport the transport the system was built with.
         * @return this builder.
         */
        public Builder transport(final NettyTransport nettyTransport)
        {
            this.transport = Objects.requireNonNull(nettyTransport, "nettyTransport");
            return this;
        }

        /**
         * Tag every meter with this too.
         *
         * @param key   of the tag; {@code node}, {@code cluster}, {@code server}, {@code peer}, {@code kind},
         *              {@code role} and {@code le} are taken.
         * @param value of the tag.
         * @return this builder.
         * @throws IllegalArgumentException for a key that is taken.
         */
        public Builder tag(final String key, final String value)
        {
            if (RESERVED_TAGS.contains(key))
            {
                // Micrometer would let the later of two tags of one key win: the node's id, or a meter's own
                // cluster, server, peer, kind, role or bucket, would be replaced or shadowed without a word.
                throw new IllegalArgumentException("tag " + key + " is RaMetrics' own; the taken keys are " +
                    String.join(", ", RESERVED_TAGS));
            }
            tags.add(Tag.of(key, value));
            return this;
        }

        /**
         * Tag every meter with these too.
         *
         * @param extraTags such as the application's or the deployment's name.
         * @return this builder.
         * @throws IllegalArgumentException for a key that is taken (see {@link #tag}).
         */
        public Builder tags(final Iterable<Tag> extraTags)
        {
            extraTags.forEach(tag -> tag(tag.getKey(), tag.getValue()));
            return this;
        }

        /**
         * Whether each server's apply-time histogram has its buckets ({@code ra.server.apply.buckets}, 20 series per
         * server; on by default), or only its count and total. A node hosting thousands of servers may turn them off
         * to keep the number of series down (about 50 per server with buckets, 30 without).
         *
         * @param buckets true to export them.
         * @return this builder.
         */
        public Builder serverApplyBuckets(final boolean buckets)
        {
            this.serverApplyBuckets = buckets;
            return this;
        }

        /**
         * @param interval how old a snapshot may be when a meter is read; at least 10 ms.
         * @return this builder.
         */
        public Builder refreshInterval(final Duration interval)
        {
            if (interval.toMillis() < 10)
            {
                throw new IllegalArgumentException("refresh interval " + interval + " is below 10 ms");
            }
            this.refreshInterval = interval;
            return this;
        }

        /**
         * @return the binder, not bound yet.
         */
        public RaMetrics build()
        {
            return new RaMetrics(this);
        }
    }
}
