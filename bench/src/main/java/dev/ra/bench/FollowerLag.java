package dev.ra.bench;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How far followers trail their leaders while clusters are under load, sampled from {@link ServerOverview}s on a
 * thread of its own: every round takes the overviews of the followers of each sampled cluster, then its leader's, so
 * that the leader's figures are never older than the followers' (the lag is never understated by the order).
 *
 * <p>Three lags per follower and round: <b>replication</b>, the leader's last index minus the follower's match index
 * (entries the leader has not seen durable there); <b>apply</b>, the leader's commit index minus the follower's applied
 * index (entries); and the apply lag <b>in time</b>: how long ago the leader was first seen to have committed the
 * first entry the follower has not applied, from the leader's commit indexes of earlier rounds. That time is a lower
 * bound, short of the truth by at most one round ({@code round_ms} in the report), since a commit is seen only at the
 * round after it happened; so the report also gives an estimate, the apply lag in entries divided by the cluster's
 * commit rate since the previous round.
 *
 * <p>Overviews run on the servers' event loops, so a few clusters are sampled, spread over the active ones, not all.
 */
final class FollowerLag implements AutoCloseable
{
    /** Rounds are at least this far apart: ten a second keeps the sampling's own cost small. */
    private static final long ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Leader commit indexes older than this are forgotten; a larger lag is reported as at least this. */
    private static final long HISTORY_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long OVERVIEW_TIMEOUT_SECONDS = 10;

    private final Nodes nodes;
    private final List<Sampled> sampled = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private final Samples replicationEntries = new Samples();
    private final Samples applyEntries = new Samples();
    private final Samples applyNanos = new Samples();
    private final Samples applyNanosEstimated = new Samples();
    private final Samples roundNanos = new Samples();
    private long missedOverviews;
    private long leaderChanges;

    /** One sampled cluster: its leader, its followers and the leader's commit index as seen by earlier rounds. */
    private static final class Sampled
    {
        final ServerId leader;
        final List<ServerId> followers = new ArrayList<>();
        /** Pairs of (time seen, commit index), oldest first. */
        final ArrayDeque<long[]> commits = new ArrayDeque<>();

        Sampled(final ServerId leader, final List<ServerId> members)
        {
            this.leader = leader;
            for (final ServerId member : members)
            {
                if (!member.equals(leader))
                {
                    followers.add(member);
                }
            }
        }

        /**
         * @param now    when the leader's commit index was read.
         * @param commit that index.
         * @return the cluster's commit rate since the previous round, 0 if none or nothing committed.
         */
        double commitsPerNano(final long now, final long commit)
        {
            final long[] previous = commits.peekLast();
            return null == previous || now <= previous[0] ? 0 : (double)(commit - previous[1]) / (now - previous[0]);
        }

        /**
         * @param applied a follower's applied index.
         * @return when the leader was first seen with a commit index above it, or -1 if it never was.
         */
        long firstSeenCommitAbove(final long applied)
        {
            for (final long[] seen : commits)
            {
                if (seen[1] > applied)
                {
                    return seen[0];
                }
            }
            return -1;
        }
    }

    /** A growable array of longs, for percentiles at the end. */
    private static final class Samples
    {
        private long[] values = new long[1024];
        private int count;

        void add(final long value)
        {
            if (count == values.length)
            {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = value;
        }

        Json summary(final double scale)
        {
            final long[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            final Json j = new Json().put("samples", count);
            if (count > 0)
            {
                j.put("p50", sorted[(int)Math.min(count - 1, Math.ceil(0.50 * count) - 1)] / scale)
                    .put("p99", sorted[(int)Math.min(count - 1, Math.ceil(0.99 * count) - 1)] / scale)
                    .put("max", sorted[count - 1] / scale);
            }
            return j;
        }
    }

    /**
     * @param nodes      the nodes hosting the clusters.
     * @param leaders    the leaders of the active clusters (each cluster's members are {@code name@n1..n3}).
     * @param maxSampled most clusters sampled, spread evenly over {@code leaders}.
     */
    FollowerLag(final Nodes nodes, final List<ServerId> leaders, final int maxSampled)
    {
        this.nodes = nodes;
        final int count = Math.min(maxSampled, leaders.size());
        for (int i = 0; i < count; i++)
        {
            final ServerId leader = leaders.get((int)((long)i * leaders.size() / count));
            sampled.add(new Sampled(leader, Nodes.members(leader.name(), 3)));
        }
        thread = new Thread(this::sample, "follower-lag");
        thread.setDaemon(true);
    }

    /**
     * Start sampling.
     *
     * @return this.
     */
    FollowerLag start()
    {
        thread.start();
        return this;
    }

    private void sample()
    {
        while (running)
        {
            final long roundStart = System.nanoTime();
            round();
            final long took = System.nanoTime() - roundStart;
            roundNanos.add(Math.max(took, ROUND_NANOS));
            if (took < ROUND_NANOS)
            {
                Driver.sleep((ROUND_NANOS - took) / 1e9);
            }
        }
    }

    private void round()
    {
        final List<List<CompletableFuture<ServerOverview>>> followerViews = new ArrayList<>();
        final long followersSeen = System.nanoTime();
        for (final Sampled cluster : sampled)
        {
            final List<CompletableFuture<ServerOverview>> views = new ArrayList<>();
            for (final ServerId follower : cluster.followers)
            {
                views.add(nodes.system(follower.node()).overviewAsync(follower));
            }
            followerViews.add(views);
        }
        final List<CompletableFuture<ServerOverview>> leaderViews = new ArrayList<>();
        for (final List<CompletableFuture<ServerOverview>> views : followerViews)
        {
            views.forEach(FollowerLag::await);
        }
        final long leadersSeen = System.nanoTime();
        for (final Sampled cluster : sampled)
        {
            leaderViews.add(nodes.system(cluster.leader.node()).overviewAsync(cluster.leader));
        }
        for (int c = 0; c < sampled.size(); c++)
        {
            final Sampled cluster = sampled.get(c);
            final ServerOverview leader = await(leaderViews.get(c));
            if (null == leader || leader.role() != RaftRole.LEADER)
            {
                leaderChanges += null == leader ? 0 : 1;
                missedOverviews += null == leader ? 1 : 0;
                continue;
            }
            for (final CompletableFuture<ServerOverview> view : followerViews.get(c))
            {
                final ServerOverview follower = await(view);
                if (null == follower)
                {
                    missedOverviews++;
                    continue;
                }
                final Long match = leader.peerMatchIndexes().get(follower.id());
                if (null != match)
                {
                    replicationEntries.add(Math.max(0, leader.lastIndex() - match));
                }
                final long behind = Math.max(0, leader.commitIndex() - follower.lastApplied());
                applyEntries.add(behind);
                final long firstSeen = cluster.firstSeenCommitAbove(follower.lastApplied());
                applyNanos.add(firstSeen < 0 ? 0 : Math.max(0, followersSeen - firstSeen));
                final double perNano = cluster.commitsPerNano(leadersSeen, leader.commitIndex());
                if (perNano > 0)
                {
                    applyNanosEstimated.add((long)(behind / perNano));
                }
            }
            cluster.commits.addLast(new long[] {leadersSeen, leader.commitIndex()});
            while (leadersSeen - cluster.commits.peekFirst()[0] > HISTORY_NANOS)
            {
                cluster.commits.removeFirst();
            }
        }
    }

    private static ServerOverview await(final CompletableFuture<ServerOverview> view)
    {
        try
        {
            return view.get(OVERVIEW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(OVERVIEW_TIMEOUT_SECONDS * 4));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return the lags: entries (replication and apply) and milliseconds (apply), p50, p99 and max over every
     *     follower and round; the sampled clusters, the rounds' length, overviews missed and leaders that changed.
     */
    Json report()
    {
        return new Json().put("sampled_clusters", sampled.size())
            .put("round_ms", roundNanos.summary(1e6))
            .put("replication_lag_entries", replicationEntries.summary(1))
            .put("apply_lag_entries", applyEntries.summary(1))
            .put("apply_lag_ms_at_least", applyNanos.summary(1e6))
            .put("apply_lag_ms_estimated", applyNanosEstimated.summary(1e6))
            .put("missed_overviews", missedOverviews).put("leader_changes", leaderChanges);
    }
}
