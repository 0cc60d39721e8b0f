package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
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
 * @param awaitConditionTimeoutMs how long a leader waits for a leadership transfer before resuming.
 * @param commitNoticeDelayMs     how long a leader lets a follower's known commit index lag when it has no entries to
 *                                send it; 0 sends an empty AppendEntries at once. The next entries carry the commit
 *                                index anyway, so under steady load no notice is needed, and each one avoided saves
 *                                a message and its reply on every follower.
 */
public record CoreConfig(ServerId id, String clusterName, List<Member> initialMembers, long electionTimeoutMinMs,
    long electionTimeoutMaxMs, int maxAppendEntries, int maxPipelineCount, long minSnapshotInterval,
    int snapshotChunkBytes, long awaitConditionTimeoutMs, long commitNoticeDelayMs)
{
    /**
     * Validates the components.
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
            minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs, commitNoticeDelayMs);
    }

    /**
     * @param interval entries between snapshots at least.
     * @return a copy with another minimum snapshot interval.
     */
    public CoreConfig withMinSnapshotInterval(final long interval)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, interval, snapshotChunkBytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs);
    }

    /**
     * @param bytes per snapshot chunk.
     * @return a copy with another snapshot chunk size.
     */
    public CoreConfig withSnapshotChunkBytes(final int bytes)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, minSnapshotInterval, bytes, awaitConditionTimeoutMs,
            commitNoticeDelayMs);
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
            commitNoticeDelayMs);
    }

    /**
     * @param delayMs how long a follower's known commit index may lag when there is nothing else to send it.
     * @return a copy with another commit notice delay.
     */
    public CoreConfig withCommitNoticeDelay(final long delayMs)
    {
        return new CoreConfig(id, clusterName, initialMembers, electionTimeoutMinMs, electionTimeoutMaxMs,
            maxAppendEntries, maxPipelineCount, minSnapshotInterval, snapshotChunkBytes, awaitConditionTimeoutMs,
            delayMs);
    }
}
