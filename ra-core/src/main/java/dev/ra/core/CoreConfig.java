package dev.ra.core;

import dev.ra.ApplyFailureMode;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.Member;
import dev.ra.protocol.UserCommand;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one server's core. Times are in milliseconds of the clock the runtime feeds in.
 *
 * @param id                      of the server.
 * @param clusterName             friendly name of its cluster.
 * @param initialMembers          configuration used until the log or a snapshot holds one.
 * @param electionTimeoutMinMs    lower bound of the randomized election timeout.
 * @param electionTimeoutMaxMs    upper bound (exclusive) of the randomized election timeout.
 * @param maxAppendEntries        most entries in one AppendEntries message.
 * @param maxPipelineCount        most entries in flight (sent, not acknowledged) per peer.
 * @param minSnapshotInterval     a release cursor is taken only this many entries above the last snapshot.
 * @param snapshotChunkBytes      size of the chunks a snapshot is sent in.
 * @param awaitConditionTimeoutMs longest wait of a leadership transfer before the leader resumes; the wait is the
 *                                shorter of this and the election timeout's upper bound.
 * @param commitNoticeDelayMs     how long a leader lets a follower's known commit index lag when it has no entries to
 *                                send it; 0 sends an empty AppendEntries at once. The next entries carry the commit
 *                                index anyway, so under steady load no notice is needed, and each one avoided saves
 *                                a message and its reply on every follower.
 * @param applyFailure            what the member does when a machine callback throws.
 * @param maxCommandBytes         largest encoded command the leader appends (a client command or an
 *                                {@link dev.ra.Effect.Append}); larger ones are refused, so no entry in the log is
 *                                too large to replicate.
 * @param maxAppendBytes          most command bytes in one AppendEntries message (and read from the log at a time);
 *                                one entry is always sent, so a message holds at most
 *                                {@code max(maxAppendBytes, maxCommandBytes)} of commands.
 * @param maxUncommittedBytes     most a leader holds of the commands it appended and has not applied (not committed,
 *                                or committed in this very round): each counts its encoded bytes plus 64 for its
 *                                entry and caller, so that many small commands are bounded too. A command
 *                                beyond it is refused with {@link CallError#OVERLOADED} (one command is always taken
 *                                when none is held), so that clients faster than the cluster commits (followers slow
 *                                or down) cannot make the leader hold an unbounded tail until the JVM runs out of
 *                                heap. The leader's own entries (noop, configuration changes, machine version
 *                                switches, deletion, the machine's appends) are never refused.
 */
public record CoreConfig(ServerId id, String clusterName, List<Member> initialMembers, long electionTimeoutMinMs,
    long electionTimeoutMaxMs, int maxAppendEntries, int maxPipelineCount, long minSnapshotInterval,
    int snapshotChunkBytes, long awaitConditionTimeoutMs, long commitNoticeDelayMs, ApplyFailureMode applyFailure,
    int maxCommandBytes, long maxAppendBytes, long maxUncommittedBytes)
{
    /** Default largest command: well under a transport frame (16 MiB by default) with its envelope. */
    public static final int DEFAULT_MAX_COMMAND_BYTES = 8 * 1024 * 1024;
    /** Default most command bytes per AppendEntries message. */
    public static final long DEFAULT_MAX_APPEND_BYTES = 8L * 1024 * 1024;
    /** Default most bytes of commands a leader holds not yet applied (etcd's MaxUncommittedEntriesSize). */
    public static final long DEFAULT_MAX_UNCOMMITTED_BYTES = 64L * 1024 * 1024;

    /**
     * Checks that {@code id}, {@code clusterName} and {@code applyFailure} are not null, that
     * {@code electionTimeoutMinMs} is positive and below {@code electionTimeoutMaxMs}, that {@code maxAppendEntries} is
     * positive and at most {@code maxPipelineCount}, that {@code minSnapshotInterval} is not negative, that
     * {@code snapshotChunkBytes}, {@code awaitConditionTimeoutMs}, {@code maxCommandBytes} and {@code maxAppendBytes}
     * are positive, that {@code maxUncommittedBytes} is positive and that {@code commitNoticeDelayMs} is not negative
     * and below {@code electionTimeoutMinMs}; takes
     * an unmodifiable copy of {@code initialMembers}, whose elements must not be null.
     */
    public CoreConfig
    {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(clusterName, "clusterName");
        initialMembers = List.copyOf(initialMembers);
        if (electionTimeoutMinMs <= 0 || electionTimeoutMaxMs <= electionTimeoutMinMs)
        {
            throw new IllegalArgumentException("election timeout range must satisfy 0 < min < max, got [" +
                electionTimeoutMinMs + ", " + electionTimeoutMaxMs + ")");
        }
        if (maxAppendEntries <= 0 || maxPipelineCount < maxAppendEntries)
        {
            throw new IllegalArgumentException("need 0 < maxAppendEntries <= maxPipelineCount, got " +
                maxAppendEntries + " and " + maxPipelineCount);
        }
        if (minSnapshotInterval < 0 || snapshotChunkBytes <= 0 || awaitConditionTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("invalid snapshot or await settings");
        }
        if (commitNoticeDelayMs < 0 || commitNoticeDelayMs >= electionTimeoutMinMs)
        {
            throw new IllegalArgumentException("commit notice delay must be in [0, election timeout min), got " +
                commitNoticeDelayMs);
        }
        Objects.requireNonNull(applyFailure, "applyFailure");
        if (maxCommandBytes <= 0 || maxAppendBytes <= 0)
        {
            throw new IllegalArgumentException("command and append size limits must be positive, got " +
                maxCommandBytes + " and " + maxAppendBytes);
        }
        if (maxUncommittedBytes <= 0)
        {
            throw new IllegalArgumentException("maxUncommittedBytes must be positive, got " + maxUncommittedBytes);
        }
    }

    /**
     * The settings without the failure mode and size limits, which take their defaults.
     *
     * @param id                      of the server.
     * @param clusterName             of its cluster.
     * @param initialMembers          of the cluster.
     * @param electionTimeoutMinMs    lower bound of the election timeout.
     * @param electionTimeoutMaxMs    upper bound (exclusive) of the election timeout.
     * @param maxAppendEntries        most entries per AppendEntries message.
     * @param maxPipelineCount        most entries in flight per peer.
     * @param minSnapshotInterval     entries between snapshots at least.
     * @param snapshotChunkBytes      size of snapshot chunks.
     * @param awaitConditionTimeoutMs longest leadership transfer wait (the election timeout's upper bound if shorter).
     * @param commitNoticeDelayMs     commit notice delay.
     */
    public CoreConfig(final ServerId id, final String clusterName, final List<Member> initialMembers,
        final long electionTimeoutMinMs, final long electionTimeoutMaxMs, final int maxAppendEntries,
        final int maxPipelineCount, final long minSnapshotInterval, final int snapshotChunkBytes,
        final long awaitConditionTimeoutMs, final long commitNoticeDelayMs)
    {
        this(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs, maxAppendEntries,
            maxPipelineCount, minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs, commitNoticeDelayMs,
            ApplyFailureMode.FAIL_COMMAND, DEFAULT_MAX_COMMAND_BYTES, DEFAULT_MAX_APPEND_BYTES,
            DEFAULT_MAX_UNCOMMITTED_BYTES);
    }

    /**
     * Defaults in the spirit of Ra: election timeout 1–2 s, batches of 128, 4096 in flight per peer, snapshots every
     * 4096 entries at most, 1 MB chunks, 30 s leadership transfer wait, commit notices delayed by at most 2 ms.
     *
     * @param id             of the server.
     * @param clusterName    of its cluster.
     * @param initialMembers of the cluster.
     * @return the config.
     */
    public static CoreConfig defaults(final ServerId id, final String clusterName, final List<Member> initialMembers)
    {
        return new CoreConfig(id, clusterName, initialMembers, 1000, 2000, 128, 4096, 4096, 1_000_000, 30_000, 2);
    }

    /**
     * @param minMs lower bound.
     * @param maxMs upper bound (exclusive).
     * @return a copy with another election timeout range.
     */
    public CoreConfig withElectionTimeout(final long minMs, final long maxMs)
    {
        return new CoreConfig(id, clusterName, initialMembers, minMs, maxMs, maxAppendEntries, maxPipelineCount,
            minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs, commitNoticeDelayMs,
            applyFailure, maxCommandBytes, maxAppendBytes, maxUncommittedBytes);
    }

    /**
     * @param interval entries between snapshots at least.
     * @return a copy with another minimum snapshot interval.
     */
    public CoreConfig withMinSnapshotInterval(final long interval)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, interval, snapshotChunkBytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs,
            applyFailure, maxCommandBytes, maxAppendBytes, maxUncommittedBytes);
    }

    /**
     * @param bytes per snapshot chunk.
     * @return a copy with another snapshot chunk size.
     */
    public CoreConfig withSnapshotChunkBytes(final int bytes)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, minSnapshotInterval, bytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs,
            applyFailure, maxCommandBytes, maxAppendBytes, maxUncommittedBytes);
    }

    /**
     * @param maxEntries per AppendEntries message.
     * @param pipeline   entries in flight per peer.
     * @return a copy with other replication limits.
     */
    public CoreConfig withReplication(final int maxEntries, final int pipeline)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxEntries, pipeline, minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs,
            applyFailure, maxCommandBytes, maxAppendBytes, maxUncommittedBytes);
    }

    /**
     * @param delayMs how long a follower's known commit index may lag when there is nothing else to send it.
     * @return a copy with another commit notice delay.
     */
    public CoreConfig withCommitNoticeDelay(final long delayMs)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs,
            delayMs,
            applyFailure, maxCommandBytes, maxAppendBytes, maxUncommittedBytes);
    }

    /**
     * @param mode what the member does when a machine callback throws.
     * @return a copy with another failure mode.
     */
    public CoreConfig withApplyFailure(final ApplyFailureMode mode)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs, mode, maxCommandBytes, maxAppendBytes, maxUncommittedBytes);
    }

    /**
     * @param commandBytes largest encoded command appended.
     * @param appendBytes  most command bytes per AppendEntries message.
     * @return a copy with other size limits.
     */
    public CoreConfig withSizeLimits(final int commandBytes, final long appendBytes)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs, applyFailure, commandBytes, appendBytes, maxUncommittedBytes);
    }

    /**
     * How a command counts against {@link #maxUncommittedBytes}, wherever it is held (appended and not applied, kept
     * during a hand-over, queued in a server's mailbox): its encoded bytes plus what is held for its entry and its
     * caller whatever its size, so that a flood of tiny commands is bounded too.
     *
     * @param command a command; one not encoded yet counts as the overhead alone.
     * @return the bytes it counts for.
     */
    public static long uncommittedBytesOf(final UserCommand command)
    {
        final Bytes data = command.dataIfEncoded();
        return (null == data ? 0 : data.length()) + UncommittedTail.ENTRY_OVERHEAD_BYTES;
    }

    /**
     * @param bytes most bytes of commands a leader holds appended and not applied.
     * @return a copy with another limit.
     */
    public CoreConfig withUncommittedLimit(final long bytes)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs, applyFailure, maxCommandBytes, maxAppendBytes, bytes);
    }
}
