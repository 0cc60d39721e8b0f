package dev.ra.core;

/**
 * Test-only access to the core's deliberate bugs, so that tests outside this package can prove their checks catch
 * them.
 */
public final class CoreTestAccess
{
    /** The deliberate bugs tests can switch on; mirrors the package-private {@link Mutation}. */
    public enum Bug
    {
        /** Commit entries of earlier terms by counting replicas. */
        COMMIT_OLD_TERM_ENTRIES,
        /** Acknowledge entries before they are durable. */
        ACK_BEFORE_DURABLE,
        /** Vote without the up-to-date log check. */
        VOTE_WITHOUT_LOG_CHECK,
        /** Serve consistent queries without a quorum round. */
        READ_WITHOUT_QUORUM,
        /** A candidate counts a vote granted in an earlier term. */
        COUNT_VOTE_FROM_OLDER_TERM,
        /** A consistent query joins a heartbeat round sent before it arrived. */
        QUERY_JOINS_SENT_ROUND,
        /** Followers adopt a configuration on commit instead of on append. */
        CONFIG_ON_COMMIT,
        /** A snapshot records the current configuration instead of the one at its index. */
        SNAPSHOT_CURRENT_CONFIG,
        /** A snapshot names no removed server. */
        SNAPSHOT_FORGETS_REMOVED,
        /** An installed snapshot's members are ignored. */
        INSTALLED_SNAPSHOT_MEMBERS_IGNORED,
        /** A vote reply is sent before the vote is persisted. */
        VOTE_REPLY_BEFORE_PERSIST,
        /** A leader does not step down on a reply with a higher term. */
        LEADER_IGNORES_HIGHER_TERM_REPLY,
        /** The commit quorum counts promotable members. */
        COMMIT_COUNTS_PROMOTABLE,
        /** Two configuration changes in flight at once. */
        TWO_CONFIG_CHANGES_IN_FLIGHT,
        /** A member that lost its term and vote acknowledges entries not known to be committed and query rounds. */
        LOST_TERM_ACKS_UNCOMMITTED,
        /** A member added to a running cluster votes for a candidate whose log lacks the entry that added it. */
        JOINED_MEMBER_IGNORES_ITS_JOIN,
        /** A member added to a running cluster campaigns while its log does not hold the entry that added it. */
        JOINED_MEMBER_CAMPAIGNS_WITHOUT_ITS_JOIN
    }

    /**
     * Deliberate bugs that break no safety property but let a member disrupt a healthy leader (a needless election);
     * mirrors the package-private {@link Mutation}. Kept apart from {@link Bug}, whose every entry a safety property
     * catches.
     */
    public enum DisruptionBug
    {
        /** A member campaigns without asking for pre-votes first. */
        ELECTION_WITHOUT_PRE_VOTE,
        /** A follower told its leader's node is down campaigns at once instead of pre-voting. */
        LEADER_DOWN_STARTS_ELECTION,
        /** A member grants a pre-vote while it still hears its leader. */
        PRE_VOTE_IGNORES_LIVE_LEADER,
        /** A follower told its leader went silent campaigns anywhere up to the maximum election timeout. */
        SILENT_LEADER_WAITS_WHOLE_RANGE,
        /** A candidate that knows its term's vote is split waits a whole election timeout to campaign again. */
        SPLIT_VOTE_WAITS_FOR_TIMEOUT
    }

    /**
     * Deliberate bugs of machine-version upgrades; mirrors the package-private {@link Mutation}.
     */
    public enum VersionBug
    {
        /** A member grants a pre-vote to a candidate older than the machine version in force. */
        VOTE_IGNORES_MACHINE_VERSION,
        /** A leader switches the machine version without waiting for every voter to support it. */
        UPGRADE_WITHOUT_ALL_VOTERS,
        /** A leader switches its machine version when it appends the noop instead of when it applies it. */
        VERSION_SWITCH_ON_APPEND,
        /** Between a switch appended and applied, a leader checks and encodes commands with the version in force. */
        SWITCH_WINDOW_COMMAND_WITH_VERSION_IN_FORCE,
        /** Between a switch appended and applied, a leader encodes a machine's Append with the version in force. */
        SWITCH_WINDOW_APPEND_EFFECT_WITH_VERSION_IN_FORCE,
        /** A command kept during a failed hand-over is taken after a switch appended meanwhile. */
        PARKED_COMMAND_TAKEN_ACROSS_SWITCH
    }

    private CoreTestAccess()
    {
    }

    /**
     * @param core to break.
     * @param bug  to switch on, or null for none.
     */
    public static void inject(final ServerCore core, final VersionBug bug)
    {
        core.mutation = null == bug ? Mutation.NONE : Mutation.valueOf(bug.name());
    }

    /**
     * @param core to break.
     * @param bug  to switch on, or null for none.
     */
    public static void inject(final ServerCore core, final Bug bug)
    {
        core.mutation = null == bug ? Mutation.NONE : Mutation.valueOf(bug.name());
    }

    /**
     * @param core to break.
     * @param bug  to switch on, or null for none.
     */
    public static void inject(final ServerCore core, final DisruptionBug bug)
    {
        core.mutation = null == bug ? Mutation.NONE : Mutation.valueOf(bug.name());
    }
}
