package dev.ra.protocol;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * The messages Raft members exchange. Every message carries the sender's current term (§5.1); the sender and
 * receiver ids travel in the envelope.
 */
public sealed interface RaftRpc
{
    /**
     * @return the sender's current term.
     */
    long term();

    /**
     * Replicates entries, or with none, asserts leadership (§5.3).
     *
     * @param term         leader's term.
     * @param leaderId     so followers can redirect clients.
     * @param prevLogIndex index of the entry immediately preceding the new ones.
     * @param prevLogTerm  term of that entry.
     * @param leaderCommit leader's commit index.
     * @param entries      to append, possibly empty.
     */
    record AppendEntriesRpc(long term, ServerId leaderId, long prevLogIndex, long prevLogTerm, long leaderCommit,
        List<LogEntry> entries) implements RaftRpc
    {
        /**
         * Checks that {@code leaderId} is not null and takes an unmodifiable copy of {@code entries}, whose elements
         * must not be null.
         */
        public AppendEntriesRpc
        {
            Objects.requireNonNull(leaderId, "leaderId");
            entries = List.copyOf(entries);
        }
    }

    /**
     * Answers {@link AppendEntriesRpc}. A follower acknowledges only entries that are durable on its disk.
     *
     * @param term      follower's current term.
     * @param success   whether the entries matched at prevLogIndex.
     * @param nextIndex where the leader should resume sending (a hint on failure).
     * @param lastIndex last entry known durable on the follower that matches the leader's log.
     * @param lastTerm  term of that entry.
     * @param commitIndex the follower's commit index once it handled the message: the leader resends a commit
     *                  notice until a reply shows it arrived, since a reply to an earlier message cannot tell.
     * @param machineVersion the highest machine version the follower's build supports: the leader switches the
     *                  cluster to a newer version only once every voter supports it (0 from a release that did not
     *                  report it).
     */
    record AppendEntriesReply(long term, boolean success, long nextIndex, long lastIndex, long lastTerm,
        long commitIndex, int machineVersion) implements RaftRpc
    {
        /**
         * A reply from a follower whose machine is unversioned (version 0).
         *
         * @param term        follower's current term.
         * @param success     whether the entries matched at prevLogIndex.
         * @param nextIndex   where the leader should resume sending.
         * @param lastIndex   last durable matching entry.
         * @param lastTerm    term of that entry.
         * @param commitIndex the follower's commit index.
         */
        public AppendEntriesReply(final long term, final boolean success, final long nextIndex, final long lastIndex,
            final long lastTerm, final long commitIndex)
        {
            this(term, success, nextIndex, lastIndex, lastTerm, commitIndex, 0);
        }

        /**
         * A reply that reports no commit index (0): the leader will send its commit index again.
         *
         * @param term      follower's current term.
         * @param success   whether the entries matched at prevLogIndex.
         * @param nextIndex where the leader should resume sending.
         * @param lastIndex last durable matching entry.
         * @param lastTerm  term of that entry.
         */
        public AppendEntriesReply(final long term, final boolean success, final long nextIndex, final long lastIndex,
            final long lastTerm)
        {
            this(term, success, nextIndex, lastIndex, lastTerm, 0, 0);
        }
    }

    /**
     * Asks whether the sender could win an election, without anyone changing term or vote (thesis §9.6).
     *
     * @param term           the candidate's current term (not incremented).
     * @param token          identifying this pre-vote round.
     * @param candidateId    who asks.
     * @param lastLogIndex   of the candidate's log.
     * @param lastLogTerm    of the candidate's log.
     * @param machineVersion the highest machine version the candidate's build supports.
     */
    record PreVoteRpc(long term, long token, ServerId candidateId, long lastLogIndex, long lastLogTerm,
        int machineVersion) implements RaftRpc
    {
        /** Checks that {@code candidateId} is not null. */
        public PreVoteRpc
        {
            Objects.requireNonNull(candidateId, "candidateId");
        }
    }

    /**
     * Answers {@link PreVoteRpc}.
     *
     * @param term    voter's current term.
     * @param token   of the round answered.
     * @param granted whether the voter would vote for the candidate.
     */
    record PreVoteReply(long term, long token, boolean granted) implements RaftRpc
    {
    }

    /**
     * Asks for a vote (§5.2).
     *
     * @param term         candidate's term.
     * @param candidateId  who asks.
     * @param lastLogIndex of the candidate's log.
     * @param lastLogTerm  of the candidate's log.
     */
    record RequestVoteRpc(long term, ServerId candidateId, long lastLogIndex, long lastLogTerm) implements RaftRpc
    {
        /** Checks that {@code candidateId} is not null. */
        public RequestVoteRpc
        {
            Objects.requireNonNull(candidateId, "candidateId");
        }
    }

    /**
     * Answers {@link RequestVoteRpc}; sent only once the vote is durable.
     *
     * @param term    voter's current term.
     * @param granted whether the vote was granted.
     */
    record RequestVoteReply(long term, boolean granted) implements RaftRpc
    {
    }

    /**
     * Confirms leadership for linearizable reads (ReadIndex, thesis §6.4).
     *
     * @param term       leader's term.
     * @param leaderId   of the sender.
     * @param queryIndex a counter that grows with each confirmation round.
     */
    record HeartbeatRpc(long term, ServerId leaderId, long queryIndex) implements RaftRpc
    {
        /** Checks that {@code leaderId} is not null. */
        public HeartbeatRpc
        {
            Objects.requireNonNull(leaderId, "leaderId");
        }
    }

    /**
     * Answers {@link HeartbeatRpc}.
     *
     * @param term       follower's term.
     * @param queryIndex echoed from the request.
     */
    record HeartbeatReply(long term, long queryIndex) implements RaftRpc
    {
    }

    /**
     * Sends one chunk of a snapshot to a follower that is too far behind (§7).
     *
     * @param term     leader's term.
     * @param leaderId of the sender.
     * @param meta     of the snapshot.
     * @param offset   of this chunk in the snapshot's encoded state.
     * @param chunk    the bytes.
     * @param last     whether this is the final chunk.
     */
    record InstallSnapshotRpc(long term, ServerId leaderId, SnapshotMeta meta, long offset, Bytes chunk,
        boolean last) implements RaftRpc
    {
        /**
         * Checks that {@code leaderId}, {@code meta} and {@code chunk} are not null and that {@code offset} is not
         * negative.
         */
        public InstallSnapshotRpc
        {
            Objects.requireNonNull(leaderId, "leaderId");
            Objects.requireNonNull(meta, "meta");
            Objects.requireNonNull(chunk, "chunk");
            if (offset < 0)
            {
                throw new IllegalArgumentException("negative snapshot offset " + offset);
            }
        }
    }

    /**
     * Answers {@link InstallSnapshotRpc}.
     *
     * @param term          follower's term.
     * @param snapshotIndex index of the snapshot being installed.
     * @param nextOffset    offset of the next chunk wanted; the snapshot length once complete.
     * @param done          whether the snapshot is now installed and durable.
     */
    record InstallSnapshotReply(long term, long snapshotIndex, long nextOffset, boolean done) implements RaftRpc
    {
    }

    /**
     * Tells an up-to-date follower to start an election at once (leadership transfer, thesis §3.10).
     *
     * @param term     leader's term.
     * @param leaderId of the sender.
     */
    record TimeoutNowRpc(long term, ServerId leaderId) implements RaftRpc
    {
        /** Checks that {@code leaderId} is not null. */
        public TimeoutNowRpc
        {
            Objects.requireNonNull(leaderId, "leaderId");
        }
    }
}
