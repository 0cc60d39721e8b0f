package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.SnapshotMeta;
import java.util.ArrayDeque;

/**
 * What a leader knows about one peer's log (Figure 2's nextIndex and matchIndex) and how it is replicating to it.
 * Mutable; owned by the leader's core.
 */
final class PeerProgress
{
    /** How the leader is currently sending to the peer. */
    enum Mode
    {
        /** Sending entries, pipelined. */
        REPLICATE,
        /** Sending a snapshot in chunks; entries wait until it is installed. */
        SNAPSHOT
    }

    final ServerId id;
    long nextIndex;
    long matchIndex;
    /**
     * The index this leader's replication to the peer started after: its log's end when it took the peer on, lowered
     * when the peer rejects or installs a snapshot. Entries up to it were never sent by this leader, so they are not in
     * flight, and a resend starts after it, not after a match index that is still 0 because the peer has not answered
     * yet. Without it a new leader whose log is longer than the pipeline counted the whole log as in flight, sent
     * nothing, and at its first tick sent everything again from index 1, or a snapshot (etcd starts a new leader's
     * peers at its log's end in the same way: progress.go, Next = lastIndex + 1, in probe state).
     */
    private long sentAfter;
    long commitIndexSent;
    /** Since when the peer, with nothing in flight, has known an older commit index than ours; -1 when it does not. */
    long commitLagSinceMs = -1;
    long queryIndex;
    boolean reachable = true;
    /**
     * Since when the peer has been reachable without a break, as far as this leader knows: its leadership's start,
     * or the time the peer came back. Of two equally up-to-date voters, the one reachable longer is the better
     * successor: the other one has just restarted (its JVM still cold) or its link just came back.
     */
    long reachableSinceMs;
    Mode mode = Mode.REPLICATE;
    SnapshotMeta snapshot;
    long snapshotOffset;
    boolean snapshotChunkInFlight;
    /**
     * Whether the peer answered replication (entries or a snapshot chunk) since the last tick, to tell a stalled
     * pipeline from a busy one. Answers to query rounds do not count: they prove the peer alive, not that what was
     * sent to it arrived.
     */
    boolean heardSinceTick;
    /** Whether the peer's log is not yet known to match: then at most one AppendEntries is sent per reply. */
    boolean probing;
    /** Whether the one probing message is still unanswered. */
    boolean probeInFlight;
    /** The commit index the peer reported in its latest AppendEntries reply (the latest: a peer may restart). */
    long commitIndexReported;
    /**
     * What the peer could know of the commit index at the last tick (ours, capped at its match): a tick that finds
     * it still reporting less sends the notice again, as it may have been lost.
     */
    long commitIndexDueAtTick;
    /** The highest machine version the peer's build supports, from its latest AppendEntries reply; -1 until then. */
    int machineVersion = -1;

    /**
     * @param effective the machine version in force.
     * @return whether the peer's build is known to apply that version (any build applies an unversioned machine's):
     *     only then may leadership be handed to it.
     */
    boolean supportsMachineVersion(final int effective)
    {
        return 0 == effective || machineVersion >= effective;
    }

    /** AppendEntries in flight, oldest first: the last index each carried and its command bytes. */
    private final ArrayDeque<long[]> sentMessages = new ArrayDeque<>();
    private long sentBytes;

    PeerProgress(final ServerId id, final long nextIndex)
    {
        this.id = id;
        this.nextIndex = nextIndex;
        this.sentAfter = nextIndex - 1;
    }

    /**
     * An AppendEntries with entries was sent, from {@code nextIndex} on; it also told the peer the commit index.
     *
     * @param count       of its entries.
     * @param bytes       of their commands.
     * @param commitIndex it carried.
     */
    void sentEntries(final int count, final long bytes, final long commitIndex)
    {
        nextIndex += count;
        sent(nextIndex - 1, bytes);
        sentCommitIndex(commitIndex);
    }

    /**
     * An AppendEntries was sent (with or without entries): the peer is told the commit index, and while probing it
     * is the one message in flight.
     *
     * @param commitIndex it carried.
     */
    void sentCommitIndex(final long commitIndex)
    {
        commitIndexSent = commitIndex;
        commitLagSinceMs = -1;
        probeInFlight = probing;
    }

    /**
     * Whether a leader's tick could do anything for this peer (see {@code LeaderRole.onTick}): resend what is
     * outstanding (entries, a snapshot chunk, a probe), or tell it a commit index it has not reported knowing (capped
     * at its match: it cannot apply beyond).
     *
     * @param lastIndex   of the leader's log.
     * @param commitIndex of the leader.
     * @return false if the peer has everything and knows it is committed.
     */
    boolean awaitsTick(final long lastIndex, final long commitIndex)
    {
        return mode == Mode.SNAPSHOT || matchIndex < lastIndex || probeInFlight || commitIndexSent < commitIndex ||
            commitIndexReported < Math.min(commitIndex, matchIndex);
    }

    /**
     * The peer answered an AppendEntries.
     *
     * @param peerCommitIndex the commit index it reports.
     */
    void replied(final long peerCommitIndex)
    {
        heardSinceTick = true;
        probeInFlight = false;
        commitIndexReported = peerCommitIndex;
    }

    /**
     * The peer accepted entries: its log matches ours up to {@code match} if it holds our entry there. Replication
     * continues pipelined.
     *
     * @param match     the last index it reports, at most our last index.
     * @param sameEntry whether that entry is ours (same term, or compacted here).
     */
    void accepted(final long match, final boolean sameEntry)
    {
        if (match > matchIndex && sameEntry)
        {
            matchIndex = match;
        }
        if (nextIndex <= matchIndex)
        {
            nextIndex = matchIndex + 1;
        }
        probing = false;
    }

    /**
     * The peer's log did not match at the entry before those sent. Until it is found to match, one message at a time:
     * a pipeline of rejections would only multiply (etcd's probe state).
     *
     * @param peerNextIndex where the peer suggests to continue.
     * @param lastIndex     our last index.
     */
    void rejected(final long peerNextIndex, final long lastIndex)
    {
        probing = true;
        // A follower never suggests less than 1; a reply that does (a broken build: the wire decoder checks shapes, not
        // Raft's ranges) would have the leader read before its log's start and stop, as if it had lost its snapshot.
        final long suggested = Math.max(1, peerNextIndex);
        if (suggested <= matchIndex)
        {
            // The peer lost entries it had acknowledged (a disk that lied, or was replaced): Raft cannot make that
            // safe, but replication can at least resume from what it still has.
            matchIndex = suggested - 1;
        }
        nextIndex = Math.max(matchIndex + 1, Math.min(suggested, lastIndex + 1));
        sentAfter = Math.min(sentAfter, nextIndex - 1);
    }

    /**
     * What was sent beyond the match index (or, before the peer acknowledged anything, beyond where this leader
     * started) is taken for lost: send it again.
     */
    void resendFromMatch()
    {
        nextIndex = acknowledgedOrUnsent() + 1;
    }

    /**
     * @return the index up to which nothing is owed to the peer in flight: what it acknowledged, or what this leader
     *     never sent it.
     */
    long acknowledgedOrUnsent()
    {
        return Math.max(matchIndex, sentAfter);
    }

    long inFlight()
    {
        return nextIndex - 1 - acknowledgedOrUnsent();
    }

    /**
     * Record an AppendEntries sent, for {@link #bytesInFlight()}.
     *
     * @param lastIndex of its last entry.
     * @param bytes     of its commands.
     */
    void sent(final long lastIndex, final long bytes)
    {
        sentMessages.addLast(new long[] {lastIndex, bytes});
        sentBytes += bytes;
    }

    /**
     * Command bytes sent and neither acknowledged ({@code matchIndex}) nor given up on ({@code nextIndex} moved back
     * below them: a rejection or a resend from the match index). Bounding it keeps a leader from reading and sending
     * gigabytes to a peer that does not answer when entries are large (the pipeline is counted in entries).
     *
     * @return the bytes in flight.
     */
    long bytesInFlight()
    {
        while (!sentMessages.isEmpty() && sentMessages.peekFirst()[0] <= matchIndex)
        {
            sentBytes -= sentMessages.pollFirst()[1];
        }
        while (!sentMessages.isEmpty() && sentMessages.peekLast()[0] >= nextIndex)
        {
            sentBytes -= sentMessages.pollLast()[1];
        }
        return sentBytes;
    }

    void startSnapshot(final SnapshotMeta meta)
    {
        mode = Mode.SNAPSHOT;
        snapshot = meta;
        snapshotOffset = 0;
        snapshotChunkInFlight = false;
    }

    void snapshotDone(final long index)
    {
        mode = Mode.REPLICATE;
        snapshot = null;
        snapshotOffset = 0;
        snapshotChunkInFlight = false;
        matchIndex = Math.max(matchIndex, index);
        nextIndex = matchIndex + 1;
        sentAfter = Math.min(sentAfter, matchIndex);
    }

    @Override
    public String toString()
    {
        return id + "{next=" + nextIndex + ", match=" + matchIndex + ", mode=" + mode + "}";
    }
}
