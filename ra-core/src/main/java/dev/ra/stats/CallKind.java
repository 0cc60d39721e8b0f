package dev.ra.stats;

import java.util.Locale;

/**
 * What a client call asks, as its statistics are kept: each kind has its own latency histogram and counters in
 * {@link CallStatistics}.
 */
public enum CallKind
{
    /** {@code processCommand}: a command for the machine. */
    COMMAND,
    /** {@code consistentQuery}, {@code leaderQuery}: the leader's read index. */
    READ_INDEX,
    /** {@code localQuery}: run on a member of this node once it has applied far enough. */
    LOCAL_QUERY,
    /** {@code namedQuery}: a query the machine declares, run where the member is. */
    NAMED_QUERY,
    /** {@code addMember}, {@code removeMember}, {@code transferLeadership}, {@code triggerElection}. */
    MEMBERSHIP,
    /** {@code members}, {@code deleteCluster} and the stops and deletions of servers on other nodes. */
    ADMIN;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /**
     * @return the kind's name for a metric tag: lower case, e.g. {@code read_index}.
     */
    public String tag()
    {
        return tag;
    }
}
