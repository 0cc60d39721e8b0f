package dev.ra.protocol;

/**
 * Where a server added to a running cluster joins: a log entry (index and term) past every entry that counts a former
 * member of the same id, which its leader committed in the entry's own term (as the leader that appends a membership
 * change does before the call completes), so that every leader of that term or a later one holds it. Normally the
 * configuration entry that added the server. The server starts in that entry's
 * term and votes only for candidates whose log holds the entry, so a member that missed the removal of the former
 * member cannot count the new server as the old one (configurations name members by id only).
 *
 * @param index of the entry; 0 for {@link #NONE}.
 * @param term  of the entry; 0 for {@link #NONE}.
 */
public record JoinPoint(long index, long term)
{
    /** A founding member's, or one whose id was never used before in the cluster. */
    public static final JoinPoint NONE = new JoinPoint(0, 0);

    /**
     * Requires an index and a term that are both 0 or both positive.
     */
    public JoinPoint
    {
        if (index < 0 || term < 0 || (index == 0) != (term == 0))
        {
            throw new IllegalArgumentException("join point needs a positive index and term, or neither, got index " +
                index + " term " + term);
        }
    }

    /**
     * Does a log ending at (lastLogIndex, lastLogTerm) hold this entry? It does if its last entry has a later term, or
     * the same term and an index at least this one (log matching: the entry's leader wrote both). Every log holds
     * {@link #NONE}.
     *
     * @param lastLogIndex index of the log's last entry.
     * @param lastLogTerm  term of the log's last entry.
     * @return whether the log holds this entry.
     */
    public boolean isHeldBy(final long lastLogIndex, final long lastLogTerm)
    {
        return lastLogTerm > term || (lastLogTerm == term && lastLogIndex >= index);
    }
}
