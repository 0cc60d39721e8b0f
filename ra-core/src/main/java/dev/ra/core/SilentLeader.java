package dev.ra.core;

import java.util.random.RandomGenerator;

/**
 * When a follower gives up on a leader it no longer hears from, without idle heartbeats per cluster: soon after the
 * leader is reported down, and soon after a minimum election timeout since it last heard from it when it went silent.
 *
 * <p>Followers of a live leader run no election timer (idle clusters exchange nothing), so a leader that is paused or
 * cut off silently must be noticed some other way: by the node-level failure detector. Every pair of nodes exchanges
 * transport heartbeats however many clusters they share; a node from which no frame at all has arrived for
 * {@link #suspectAfterMs} is reported silent ({@link RaftEvent.PeerSilent}), and followers whose leader lives there
 * set their election timer for what remains of the minimum election timeout, plus the same short jitter as when the
 * leader is reported down. Counting from the last frame heard, a pre-vote therefore starts once the minimum election
 * timeout has passed, so a leader that stalls for less (a collection pause) is never deposed, and soon after: not
 * anywhere up to the maximum, as with a timer reset by heartbeats. The range of the election timeout spreads
 * followers that know nothing; these know the leader went quiet, and waiting out the range would only add downtime
 * (up to twice the minimum, before the election itself). Pre-vote keeps a follower that alone lost touch (a flapping
 * connection) from deposing a leader the others hear.
 */
public final class SilentLeader
{
    private SilentLeader()
    {
    }

    /**
     * @param electionTimeoutMinMs lower bound of the election timeout.
     * @return how long a node may send nothing at all before it is reported silent: half the lower bound, so that a
     *         transport heartbeating a few times in that span tells a paused node from a quiet one.
     */
    public static long suspectAfterMs(final long electionTimeoutMinMs)
    {
        return Math.max(1, electionTimeoutMinMs / 2);
    }

    /**
     * @param config of the follower.
     * @param random for the jitter that keeps followers from campaigning together.
     * @return the election timer to set when the leader is reported down (its connection closed or reset, or the
     *         transport's failure timeout passed; its server stopped): 1 to 100 ms as in Ra, at most half the minimum
     *         election timeout. The report is definite, so waiting an election timeout would only add downtime; the
     *         jitter is there so that the followers do not all campaign at once: a spread of tens of milliseconds is
     *         many times a pre-vote and vote round trip (under a millisecond on loopback, a few on a LAN), so the
     *         first candidate usually wins before the next one starts, and a split vote costs only a normal election
     *         timeout more. Pre-vote still protects a leader that only this follower lost.
     */
    static long afterLeaderDownMs(final CoreConfig config, final RandomGenerator random)
    {
        return campaignJitterMs(config, random);
    }

    /**
     * @param config of the follower.
     * @param random for the jitter that keeps followers from campaigning together.
     * @return the election timer to set when the leader is reported silent: what remains of the minimum election
     *         timeout after the silence already waited, plus the jitter of {@link #afterLeaderDownMs}.
     */
    static long remainingTimeoutMs(final CoreConfig config, final RandomGenerator random)
    {
        final long waited = suspectAfterMs(config.electionTimeoutMinMs());
        return Math.max(0, config.electionTimeoutMinMs() - waited) + campaignJitterMs(config, random);
    }

    /**
     * @param config of the follower.
     * @param random for the jitter.
     * @return the timer of the deliberate bug {@link Mutation#SILENT_LEADER_WAITS_WHOLE_RANGE}: anywhere in the
     *         election timeout's range, counting from the last frame heard.
     */
    static long remainingOfWholeRangeMs(final CoreConfig config, final RandomGenerator random)
    {
        final long waited = suspectAfterMs(config.electionTimeoutMinMs());
        return random.nextLong(config.electionTimeoutMinMs() - waited, config.electionTimeoutMaxMs() - waited);
    }

    /**
     * @param config of the member.
     * @param random for the jitter.
     * @return the short delay before a campaign whose need is certain (the leader reported down, or a split vote that
     *         no one can win): 1 to 100 ms, at most half the minimum election timeout.
     */
    static long campaignJitterMs(final CoreConfig config, final RandomGenerator random)
    {
        return random.nextLong(1, campaignJitterMaxMs(config.electionTimeoutMinMs()) + 1);
    }

    /**
     * @param electionTimeoutMinMs lower bound of the election timeout.
     * @return the longest {@link #campaignJitterMs}: 100 ms, at most half the lower bound (and at least 2 ms).
     */
    public static long campaignJitterMaxMs(final long electionTimeoutMinMs)
    {
        return Math.max(2, Math.min(100, electionTimeoutMinMs / 2));
    }
}
