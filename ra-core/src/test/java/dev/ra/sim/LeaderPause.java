package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.core.SilentLeader;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A fault mode of the {@link Simulation}: once every member follows the first leader, the leader is paused (as by
 * SIGSTOP) for several election timeouts, and each other member's silence detector reports it silent after the
 * suspicion delay and up to 40 ms more, as {@link SimNemesis} does. Meant for {@link Simulation.Options#quiet} runs:
 * nothing else changes the leadership there.
 *
 * <p>The property: a follower told that its leader went silent gives up on it (pre-votes, campaigns, or follows a
 * newer term) once what remains of the minimum election timeout has passed, plus at most the jitter that keeps
 * followers from campaigning together (100 ms, at most half the minimum): not anywhere up to the maximum, which would
 * double a paused leader's downtime. A vote that splits (no candidate of the term can win it) is campaigned again
 * within {@link #SPLIT_RETRY_WITHIN_MS}, not after a whole election timeout. And, liveness, a new leader is elected
 * within {@link #LIVENESS_BOUND_MS} of the pause, split votes included. {@link #check} fails the run the moment any of
 * these is broken.
 */
final class LeaderPause
{
    /**
     * Within this of the pause a new leader must be elected: the first campaign, then up to three more elections
     * after split votes (in the simulation a message takes up to 10 ms, a fifteenth of the minimum election timeout,
     * so two followers campaigning within a few milliseconds of each other split the vote far more often than on a
     * real network).
     */
    static final long LIVENESS_BOUND_MS = 4 * Simulation.ELECTION_TIMEOUT_MAX_MS;
    /** The longest campaign jitter: 100 ms, at most half the minimum election timeout. */
    private static final long CAMPAIGN_JITTER_MAX_MS =
        SilentLeader.campaignJitterMaxMs(Simulation.ELECTION_TIMEOUT_MIN_MS);
    /**
     * Within this of being told, a follower must give up on the paused leader: what remains of the minimum election
     * timeout after the suspicion delay, and the campaign jitter (100 ms, at most half the minimum).
     */
    private static final long GIVE_UP_WITHIN_MS = Simulation.ELECTION_TIMEOUT_MIN_MS -
        SilentLeader.suspectAfterMs(Simulation.ELECTION_TIMEOUT_MIN_MS) + CAMPAIGN_JITTER_MAX_MS;
    /**
     * Within this of a split vote (every member that can vote has voted in the same term, for a candidate of that term
     * that cannot reach a majority, and nobody campaigns again yet) someone must campaign again: the rivals' vote
     * requests and refusals arrive (two messages, {@link SimNemesis#USUAL_MAX_DELAY_MS} each at most), then the
     * campaign jitter (75 ms, half the minimum election timeout), and a message's time to spare. Not a whole election
     * timeout (150 to 300 ms), which doubled the downtime of a failover whose first campaign split the vote.
     */
    private static final long SPLIT_RETRY_WITHIN_MS = 3 * SimNemesis.USUAL_MAX_DELAY_MS + CAMPAIGN_JITTER_MAX_MS;
    private final Simulation sim;
    private final SimNemesis nemesis;
    private final SplittableRandom random;
    private Simulation.Node paused;
    private long pausedAt;
    private long term;
    /** Per member: when it was told the leader went silent, or -1. */
    private final long[] toldAt;
    /** Per member: whether it gave up on the paused leader since. */
    private final boolean[] gaveUp;
    private long electedAfterMs = -1;
    /** The term of the split vote under way, and since when, or -1. */
    private long splitTerm = -1;
    private long splitSince = -1;

    /**
     * @param sim     the simulation.
     * @param nemesis whose silence reports and resumption of a paused member this uses.
     * @param seed    of the pause's own random stream.
     */
    LeaderPause(final Simulation sim, final SimNemesis nemesis, final long seed)
    {
        this.sim = sim;
        this.nemesis = nemesis;
        this.random = new SplittableRandom(seed ^ 0x632BE59BD9B4E019L);
        this.toldAt = new long[sim.nodes.length];
        this.gaveUp = new boolean[sim.nodes.length];
        Arrays.fill(toldAt, -1);
    }

    /**
     * Pause the leader once it leads and everyone follows it.
     */
    void start()
    {
        final Simulation.Node leader = sim.leader();
        if (null == leader || !sim.everyoneFollows(leader))
        {
            sim.schedule(50, this::start);
            return;
        }
        paused = leader;
        pausedAt = sim.now();
        term = leader.core.currentTerm();
        sim.traceEvent(leader, "PAUSE (leader pause mode)");
        leader.pause.pause();
        nemesis.reportSilentSoon(leader, random, observer -> toldAt[observer.index] = sim.now());
        sim.schedule(LIVENESS_BOUND_MS + Simulation.ELECTION_TIMEOUT_MAX_MS, () -> nemesis.resume(leader));
    }

    /**
     * @return a description of the violation, or null.
     */
    String check()
    {
        if (null == paused || !paused.pause.paused())
        {
            return null;
        }
        final long now = sim.now();
        for (final Simulation.Node node : sim.nodes)
        {
            if (node == paused)
            {
                continue;
            }
            if (node.core.role() == RaftRole.LEADER && node.core.currentTerm() > term && electedAfterMs < 0)
            {
                electedAfterMs = now - pausedAt;
            }
            if (toldAt[node.index] < 0)
            {
                continue;
            }
            gaveUp[node.index] |= node.core.role() != RaftRole.FOLLOWER || node.core.currentTerm() > term;
            if (!gaveUp[node.index] && now > toldAt[node.index] + GIVE_UP_WITHIN_MS)
            {
                return "paused leader: " + node.id + ", told at " + toldAt[node.index] + " ms that leader " +
                    paused.id + " (term " + term + ") went silent, still follows it at " + now + " ms, more than " +
                    GIVE_UP_WITHIN_MS + " ms later";
            }
        }
        final String split = checkSplitVote(now);
        if (null != split)
        {
            return split;
        }
        if (electedAfterMs < 0 && now - pausedAt > LIVENESS_BOUND_MS)
        {
            return "paused leader: no new leader " + (now - pausedAt) + " ms after " + paused.id + " (term " + term +
                ") was paused";
        }
        return null;
    }

    /**
     * While no new leader is elected: is the vote of the newest term split (the members that can vote have all voted,
     * durably, in one term after the paused leader's, and no candidate holds a majority of the members' votes), with
     * none of them asking for pre-votes, for longer than {@link #SPLIT_RETRY_WITHIN_MS}?
     */
    private String checkSplitVote(final long now)
    {
        if (electedAfterMs >= 0)
        {
            return null;
        }
        long votingTerm = -1;
        final Map<ServerId, Integer> tally = new HashMap<>();
        int members = 0;
        for (final Simulation.Node node : sim.nodes)
        {
            if (!node.member)
            {
                continue;
            }
            members++;
            if (node == paused)
            {
                continue;
            }
            if (!node.alive || node.core.role() == RaftRole.PRE_VOTE || node.core.role() == RaftRole.LEADER ||
                null == node.votedFor || node.term <= term || node.core.currentTerm() != node.term ||
                (votingTerm >= 0 && node.term != votingTerm))
            {
                splitSince = -1;
                return null;
            }
            votingTerm = node.term;
            tally.merge(node.votedFor, 1, Integer::sum);
        }
        for (final int votes : tally.values())
        {
            if (votes > members / 2)
            {
                splitSince = -1;
                return null;
            }
        }
        if (splitSince < 0 || splitTerm != votingTerm)
        {
            splitTerm = votingTerm;
            splitSince = now;
            return null;
        }
        if (now - splitSince > SPLIT_RETRY_WITHIN_MS)
        {
            return "paused leader: the vote of term " + votingTerm + " is split (" + tally + ") since " + splitSince +
                " ms and nobody campaigns again at " + now + " ms, more than " + SPLIT_RETRY_WITHIN_MS + " ms later";
        }
        return null;
    }

    /**
     * @return how long after the pause a new leader was elected, or -1 (not paused, or not yet).
     */
    long electedAfterMs()
    {
        return electedAfterMs;
    }
}
