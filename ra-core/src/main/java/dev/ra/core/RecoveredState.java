package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.SnapshotMeta;

/**
 * What a server finds on disk when it starts, read by the runtime from its meta and snapshot stores.
 *
 * @param currentTerm        last durable term (0 for a new server).
 * @param votedFor           durable vote in that term, or null.
 * @param lastApplied        last durable applied index; entries up to it are replayed without effects.
 * @param snapshot           metadata of the newest valid snapshot, or null.
 * @param snapshotState      decoded machine state of that snapshot, or null.
 * @param acknowledgedIndex  0 when the stored log is whole; otherwise the storage found the log damaged (shorter than
 *                           what this member had made durable, hence may have acknowledged): the highest index it
 *                           had. The member neither votes nor campaigns until its durable log reaches it again.
 * @param termAndVoteLost    whether the storage found term and vote lost: {@code currentTerm} and {@code votedFor}
 *                           are then only a lower bound and nothing. The member neither votes nor campaigns until it
 *                           has followed a leader.
 * @param joinedAt           for a member added to a running cluster, the configuration entry that added it (or any
 *                           later entry its leader committed in the entry's own term); {@link JoinPoint#NONE} for a
 *                           founding member or when unknown.
 */
public record RecoveredState(long currentTerm, ServerId votedFor, long lastApplied, SnapshotMeta snapshot,
    Object snapshotState, long acknowledgedIndex, boolean termAndVoteLost, JoinPoint joinedAt)
{
    /** The state of a server that has never run. */
    public static final RecoveredState NEW = new RecoveredState(0, null, 0, null, null);

    /**
     * The state of a server whose storage is whole.
     *
     * @param currentTerm   last durable term (0 for a new server).
     * @param votedFor      durable vote in that term, or null.
     * @param lastApplied   last durable applied index.
     * @param snapshot      metadata of the newest valid snapshot, or null.
     * @param snapshotState decoded machine state of that snapshot, or null.
     */
    public RecoveredState(final long currentTerm, final ServerId votedFor, final long lastApplied,
        final SnapshotMeta snapshot, final Object snapshotState)
    {
        this(currentTerm, votedFor, lastApplied, snapshot, snapshotState, 0, false, JoinPoint.NONE);
    }

    /**
     * The term the member starts in. Lost term and vote: the last log entry's term is a lower bound (it was durable
     * before that entry came). A member added to a running cluster starts no lower than the term of the entry that
     * added it, so that it refuses leaders from before it was added: they may count it as a former member of the same
     * id (see {@link #joinedAt}).
     *
     * @param lastLogTerm term of the last entry of the recovered log.
     * @return the starting term.
     */
    public long startingTerm(final long lastLogTerm)
    {
        return Math.max(termAndVoteLost ? Math.max(currentTerm, lastLogTerm) : currentTerm, joinedAt.term());
    }

    /**
     * @return whether the storage reported damage that the member must recover from before it votes again.
     */
    public boolean damaged()
    {
        return acknowledgedIndex > 0 || termAndVoteLost;
    }
}
