package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.core.RaftEvent;
import java.util.SplittableRandom;

/**
 * A fault mode of the {@link Simulation}: the link between a healthy leader and one of its followers flaps rapidly
 * while the rest of the cluster (a quorum with the leader) hears the leader all along. Every 1 to 40 ms the link
 * changes state, and both ends are told what their node's failure detector would report:
 *
 * <ul>
 * <li>up: messages pass; each end hears the other again ({@code PeerReachable});</li>
 * <li>down: messages are lost both ways; each end is told the other's node is down ({@code PeerUnreachable}), which
 *     makes the follower pre-vote after a short delay instead of a whole election timeout;</li>
 * <li>silent: the leader's messages to the follower are lost while the connection stays open; the follower is told
 *     the leader's node went silent ({@code PeerSilent}).</li>
 * </ul>
 *
 * <p>The property (issue 22): with pre-vote, nobody else grants the follower a pre-vote while they hear the leader,
 * so the term never changes and the leader keeps its leadership. {@link #check} fails the run the moment either does.
 */
final class LinkFlapper
{
    /** What the flapper needs from the simulation. */
    interface Cluster
    {
        /** Run {@code action} after {@code delayMs} of virtual time. */
        void schedule(long delayMs, Runnable action);

        /** Lose (or stop losing) the messages from one member to another. */
        void block(int from, int to, boolean blocked);

        /** Deliver a failure detector's report to a member. */
        void report(int observer, RaftEvent event);

        /** @return the index of the current leader, or -1. */
        int leader();

        /** @return whether every member is up, in the given leader's term, and, but the leader, a follower. */
        boolean everyoneFollows(int leader);

        /** @return the member's id. */
        ServerId id(int member);

        /** @return the member's current term, or -1 if it is down. */
        long term(int member);

        /** @return the member's role, or null if it is down. */
        RaftRole role(int member);

        /** @return the virtual time. */
        long now();
    }

    private enum State
    {
        UP, DOWN, SILENT
    }

    private final Cluster cluster;
    private final SplittableRandom random;
    private final int members;
    private final long endMs;
    private int leader = -1;
    private int follower = -1;
    private long term;
    private State state = State.UP;
    private int changes;
    /** Per observer, when its latest report is due: reports reach a member in the order they were made. */
    private final long[] reportDue;

    /**
     * @param cluster  the simulation.
     * @param seed     of the flapper's own random stream.
     * @param members  cluster size.
     * @param endMs    virtual time at which the link comes up for good.
     */
    LinkFlapper(final Cluster cluster, final long seed, final int members, final long endMs)
    {
        this.cluster = cluster;
        this.random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        this.members = members;
        this.endMs = endMs;
        this.reportDue = new long[members];
    }

    /**
     * Start flapping once a leader has been elected and its followers follow it.
     */
    void start()
    {
        final int current = cluster.leader();
        if (current < 0 || !cluster.everyoneFollows(current))
        {
            cluster.schedule(50, this::start);
            return;
        }
        leader = current;
        term = cluster.term(current);
        follower = (current + 1 + random.nextInt(members - 1)) % members;
        change();
    }

    private void change()
    {
        final State next = cluster.now() >= endMs ? State.UP :
            State.values()[(state.ordinal() + 1 + random.nextInt(State.values().length - 1)) % State.values().length];
        state = next;
        changes++;
        cluster.block(leader, follower, next != State.UP);
        cluster.block(follower, leader, next == State.DOWN);
        final ServerId leaderId = cluster.id(leader);
        final ServerId followerId = cluster.id(follower);
        switch (next)
        {
            case UP ->
            {
                reportSoon(follower, new RaftEvent.PeerReachable(leaderId));
                reportSoon(leader, new RaftEvent.PeerReachable(followerId));
            }
            case DOWN ->
            {
                reportSoon(follower, new RaftEvent.PeerUnreachable(leaderId));
                reportSoon(leader, new RaftEvent.PeerUnreachable(followerId));
            }
            default -> reportSoon(follower, new RaftEvent.PeerSilent(leaderId));
        }
        if (next != State.UP || cluster.now() < endMs)
        {
            cluster.schedule(1 + random.nextInt(40), this::change);
        }
    }

    private void reportSoon(final int observer, final RaftEvent event)
    {
        final long due = Math.max(reportDue[observer], cluster.now() + random.nextInt(5));
        reportDue[observer] = due;
        cluster.schedule(due - cluster.now(), () -> cluster.report(observer, event));
    }

    /**
     * @return a description of the violation, or null: once flapping started, no member's term may pass the
     *     leader's term then, and the leader must stay leader.
     */
    String check()
    {
        if (leader < 0)
        {
            return null;
        }
        for (int i = 0; i < members; i++)
        {
            if (cluster.term(i) > term)
            {
                return "flapping link: " + cluster.id(i) + " reached term " + cluster.term(i) + " while the link " +
                    "between leader " + cluster.id(leader) + " (term " + term + ") and " + cluster.id(follower) +
                    " flapped (a quorum heard the leader all along)";
            }
        }
        if (cluster.role(leader) != RaftRole.LEADER)
        {
            return "flapping link: leader " + cluster.id(leader) + " is " + cluster.role(leader) + " while the link " +
                "to " + cluster.id(follower) + " flapped";
        }
        return null;
    }

    /**
     * @return how many times the link changed state.
     */
    int changes()
    {
        return changes;
    }

    /**
     * @return whether flapping started (a leader was elected before the end).
     */
    boolean started()
    {
        return leader >= 0;
    }
}
