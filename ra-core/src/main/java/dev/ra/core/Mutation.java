package dev.ra.core;

/**
 * Deliberate bugs a test can switch on in one core, to prove that the simulation's invariants and linearizability
 * checker catch them. Never set outside tests; the field that holds it is package-private.
 */
enum Mutation
{
    /** Correct behaviour. */
    NONE,
    /** Commit by counting replicas of entries from earlier terms (the Figure 8 bug, §5.4.2). */
    COMMIT_OLD_TERM_ENTRIES,
    /** Acknowledge and count entries before they are durable (etcd-io/etcd#14370). */
    ACK_BEFORE_DURABLE,
    /** Grant votes without checking that the candidate's log is up to date (§5.4.1). */
    VOTE_WITHOUT_LOG_CHECK,
    /** Serve consistent queries without confirming leadership (the stale read of etcd 2014). */
    READ_WITHOUT_QUORUM,
    /** A candidate counts a vote granted in an earlier term (§5.2: votes are per term). */
    COUNT_VOTE_FROM_OLDER_TERM,
    /** A consistent query joins a heartbeat round sent before it arrived (thesis §6.4: the round must start after). */
    QUERY_JOINS_SENT_ROUND,
    /** Followers adopt a configuration when its entry commits rather than when it is appended (thesis §4.1). */
    CONFIG_ON_COMMIT,
    /** A snapshot records the current configuration instead of the one in force at its index. */
    SNAPSHOT_CURRENT_CONFIG,
    /**
     * A snapshot names no removed server: once its removal is compacted away, a leader restarted from it no longer
     * knows a removed member that comes back for one.
     */
    SNAPSHOT_FORGETS_REMOVED,
    /** A follower installing a snapshot keeps its own configuration instead of the snapshot's members. */
    INSTALLED_SNAPSHOT_MEMBERS_IGNORED,
    /** A vote is granted (the reply sent) before the vote is persisted (thesis §3.8). */
    VOTE_REPLY_BEFORE_PERSIST,
    /** A leader stays leader when a reply carries a higher term (§5.1). */
    LEADER_IGNORES_HIGHER_TERM_REPLY,
    /** The commit quorum counts promotable (non-voting) members' match indexes. */
    COMMIT_COUNTS_PROMOTABLE,
    /** A configuration change is accepted while another is still uncommitted (thesis §4.1: one at a time). */
    TWO_CONFIG_CHANGES_IN_FLIGHT,
    /**
     * A member that lost its term and vote acknowledges entries not known to be committed and query rounds: its
     * acknowledgement can complete a quorum for a leader it had left behind.
     */
    LOST_TERM_ACKS_UNCOMMITTED,
    /**
     * A member added to a running cluster votes for a candidate whose log lacks the entry that added it: a candidate
     * that missed the removal of a former member of the same id counts the new server as the old one.
     */
    JOINED_MEMBER_IGNORES_ITS_JOIN,
    /**
     * A member added to a running cluster campaigns while its log does not hold the entry that added it: it takes the
     * configuration of a log from before, which names a former member of the same id, for its own.
     */
    JOINED_MEMBER_CAMPAIGNS_WITHOUT_ITS_JOIN,
    /** A member campaigns without asking for pre-votes first (thesis §9.6): it disrupts a healthy leader. */
    ELECTION_WITHOUT_PRE_VOTE,
    /** A follower told its leader's node is down campaigns at once instead of pre-voting after a short delay. */
    LEADER_DOWN_STARTS_ELECTION,
    /** A member grants a pre-vote while it still hears its leader (thesis §9.6: it must not). */
    PRE_VOTE_IGNORES_LIVE_LEADER,
    /**
     * A follower told its leader went silent campaigns anywhere up to the maximum election timeout after it last heard
     * it, instead of soon after the minimum: a paused leader's downtime nearly doubles.
     */
    SILENT_LEADER_WAITS_WHOLE_RANGE,
    /**
     * A candidate that knows no one can win its term (a split vote) waits a whole election timeout before it campaigns
     * again, instead of the short campaign jitter: a split after a failover doubles its downtime.
     */
    SPLIT_VOTE_WAITS_FOR_TIMEOUT,
    /** A member grants a pre-vote to a candidate whose machine is older than the version in force (Ra's guard). */
    VOTE_IGNORES_MACHINE_VERSION,
    /** A leader switches the machine version as soon as it supports a newer one, without waiting for every voter. */
    UPGRADE_WITHOUT_ALL_VOTERS,
    /** A leader switches its own machine version when it appends the version's noop instead of when it applies it. */
    VERSION_SWITCH_ON_APPEND,
    /**
     * Between appending a machine-version switch and applying it, a leader checks and encodes a command (the runtime
     * with {@code ServerCore.machineForCommands}, the core as it takes it) with the version in force, though the
     * command sits after the switch and is applied with the version switched to.
     */
    SWITCH_WINDOW_COMMAND_WITH_VERSION_IN_FORCE,
    /**
     * Between appending a machine-version switch and applying it, a leader encodes a machine's {@code Append} effect
     * with the version in force and applies its object, though every member decodes it with the version switched to.
     */
    SWITCH_WINDOW_APPEND_EFFECT_WITH_VERSION_IN_FORCE,
    /**
     * A command kept while the leader handed its leadership over is taken once the hand-over fails, though a switch
     * appended meanwhile puts it after a version other than the one the runtime checked it with.
     */
    PARKED_COMMAND_TAKEN_ACROSS_SWITCH
}
