package dev.ra.core;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.RaftRpc.AppendEntriesReply;
import dev.ra.protocol.RaftRpc.AppendEntriesRpc;
import dev.ra.protocol.RaftRpc.PreVoteRpc;
import dev.ra.protocol.RaftRpc.TimeoutNowRpc;
import java.util.List;

/**
 * A follower: appends what its leader sends (§5.3), acknowledges it once durable (thesis §3.8), and campaigns when
 * the leader is gone. Like Ra, a follower with a live leader runs no election timer: the failure detector reporting
 * the leader down or silent, or the leader's own campaign, sets it.
 *
 * <p>Any member that is not the leader and not receiving a snapshot becomes a follower on AppendEntries of the current
 * term, then hands them to {@link #acceptEntries}.
 */
final class FollowerRole extends RoleHandler
{
    private static final int MAX_CONFLICT_SCAN = 100_000;

    FollowerRole(final ServerCore core)
    {
        super(core, RaftRole.FOLLOWER);
    }

    /**
     * Append the leader's entries after checking that our log matches at the entry before them (§5.3), and learn its
     * commit index for what is verified.
     *
     * @param from the leader.
     * @param rpc  its AppendEntries, of the current term.
     */
    void acceptEntries(final ServerId from, final AppendEntriesRpc rpc)
    {
        final RaftLog log = core.log;
        final long prev = rpc.prevLogIndex();
        if (!entriesFollow(prev, rpc.entries()))
        {
            // No leader sends these (a broken build: the wire decoder checks shapes, not indexes). Appended, they would
            // stop this member (a gap in its log) or be compared with the wrong entries; ignored, the leader resends.
            return;
        }
        if (prev > log.lastIndex())
        {
            rejectAppend(from, log.lastIndex() + 1);
            return;
        }
        if (prev >= log.snapshotIndex())
        {
            final long localTerm = log.term(prev);
            if (localTerm != rpc.prevLogTerm())
            {
                if (prev <= core.commitIndex)
                {
                    throw new IllegalStateException(core.self + ": committed entry " + prev + " has term " +
                        localTerm + " but leader " + rpc.leaderId() + " says " + rpc.prevLogTerm());
                }
                rejectAppend(from, firstIndexOfTermBefore(prev, localTerm));
                return;
            }
        }
        // Entries at or below our snapshot are committed, hence identical to the leader's: skip them.
        boolean appended = false;
        for (final LogEntry entry : rpc.entries())
        {
            final long index = entry.index();
            if (index <= log.snapshotIndex())
            {
                continue;
            }
            if (index <= log.lastIndex())
            {
                if (log.term(index) == entry.term())
                {
                    continue;
                }
                if (index <= core.commitIndex)
                {
                    throw new IllegalStateException(core.self + ": entry " + index + " conflicts with committed " +
                        "entry [commit=" + core.commitIndex + "]");
                }
                truncateFrom(index);
            }
            appendReceived(entry);
            appended = true;
        }
        final long lastNew = prev + rpc.entries().size();
        core.verifiedUpTo = Math.min(Math.max(core.verifiedUpTo, lastNew), log.lastIndex());
        core.onDurableForRecovery();
        final long newCommit = Math.min(rpc.leaderCommit(), core.verifiedUpTo);
        if (newCommit > core.commitIndex)
        {
            core.commitIndex = newCommit;
            core.applier.applyCommitted();
        }
        if (appended && core.mutation != Mutation.ACK_BEFORE_DURABLE)
        {
            // Acknowledged once durable, from onLogWritten (thesis §3.8).
            core.emitUnflushed();
        }
        else
        {
            acknowledge(from, true);
        }
    }

    /**
     * @return whether the entries are numbered one after another from the index after {@code prev}.
     */
    private static boolean entriesFollow(final long prev, final List<LogEntry> entries)
    {
        for (int i = 0; i < entries.size(); i++)
        {
            if (entries.get(i).index() != prev + 1 + i)
            {
                return false;
            }
        }
        return true;
    }

    private long firstIndexOfTermBefore(final long index, final long term)
    {
        long hint = index;
        final long floor = Math.max(core.commitIndex, core.log.snapshotIndex());
        int scanned = 0;
        while (hint - 1 > floor && core.log.term(hint - 1) == term && scanned++ < MAX_CONFLICT_SCAN)
        {
            hint--;
        }
        return hint;
    }

    private void rejectAppend(final ServerId leader, final long nextIndex)
    {
        core.send(leader, new AppendEntriesReply(core.currentTerm, false, Math.max(1, nextIndex), 0, 0,
            core.commitIndex, core.versions.supported()));
    }

    private void appendReceived(final LogEntry entry)
    {
        core.log.appendNew(entry);
        if (entry.payload() instanceof EntryPayload.Noop noop)
        {
            core.versions.seenInLog(entry.index(), noop.machineVersion());
        }
        if (entry.payload() instanceof EntryPayload.ClusterChange change &&
            core.mutation != Mutation.CONFIG_ON_COMMIT)
        {
            core.configs.add(entry.index(), change.members());
        }
    }

    private void truncateFrom(final long index)
    {
        core.log.truncateFrom(index);
        core.configs.truncateFrom(index);
        core.versions.truncatedFrom(index);
        core.verifiedUpTo = Math.min(core.verifiedUpTo, index - 1);
        core.lastAckSent = Math.min(core.lastAckSent, index - 1);
    }

    private void acknowledge(final ServerId leader, final boolean always)
    {
        final RaftLog log = core.log;
        final long written = core.mutation == Mutation.ACK_BEFORE_DURABLE ? log.lastIndex() : log.lastWritten();
        final long verified = Math.min(written, core.verifiedUpTo);
        // A member whose term and vote were lost may have been in a later term than this leader's, and have promised
        // that term's quorum entries it has lost: it acknowledges only what it knows to be committed, so that its
        // acknowledgements never complete a quorum (StorageRecovery).
        final long ack = core.acknowledgesOnlyCommitted() ? Math.min(verified, core.commitIndex) : verified;
        if (always || ack > core.lastAckSent)
        {
            core.lastAckSent = Math.max(core.lastAckSent, ack);
            core.send(leader, new AppendEntriesReply(core.currentTerm, true, log.lastIndex() + 1, ack, log.term(ack),
                core.commitIndex, core.versions.supported()));
        }
    }

    @Override
    void onLogWritten()
    {
        final ServerId leader = core.leaderId;
        if (null != leader && !leader.equals(core.self))
        {
            acknowledge(leader, false);
        }
    }

    @Override
    void onTimeoutNow(final TimeoutNowRpc rpc)
    {
        // Leadership transfer (thesis §3.10): campaign at once, skipping pre-vote.
        if (rpc.term() == core.currentTerm && core.isVoter(core.self) && !core.storageRecovery.recovering() &&
            core.versions.mayLead() && core.election.holdsOwnJoinPoint())
        {
            core.candidate.campaign();
        }
    }

    @Override
    void onTriggerElection()
    {
        // The caller is told why not, if not (ServerCore.electionRefusal), and may ask another member.
        if (null == core.electionRefusal())
        {
            core.preCandidate.campaign();
        }
    }

    @Override
    void onElectionTimeout()
    {
        // A member recovering from damaged storage asks for a leader even if its log says it is no voter: the entries
        // it lost may have made it one, and peers may take it for their leader (simulation seed 5041497).
        if (!core.isVoter(core.self) && !core.storageRecovery.recovering())
        {
            return;
        }
        if (!core.leaderInDoubt())
        {
            // A stale timer: the leader was heard from since it was set.
            return;
        }
        if (null != core.leaderId && !core.unreachable.contains(core.leaderId))
        {
            // A whole election timeout without a message from a leader the failure detector had reported gone, and
            // has not reported back: what came from it had been under way since before it went.
            core.markUnreachable(core.leaderId);
        }
        core.election.onTimeout();
    }

    @Override
    void forgetLeaderIfCampaigning(final PreVoteRpc rpc)
    {
        core.forgetLeaderWhoCampaigns(rpc);
    }

    @Override
    void onVoteGranted()
    {
        core.setElectionTimer();
    }

    @Override
    void onPeerUnreachable(final ServerId peer)
    {
        if (peer.equals(core.leaderId) && core.isVoter(core.self))
        {
            // The leader is gone for sure: pre-vote after a short jitter, not a whole election timeout.
            core.setElectionTimer(SilentLeader.afterLeaderDownMs(core.config, core.random));
            if (core.mutation == Mutation.LEADER_DOWN_STARTS_ELECTION)
            {
                core.candidate.campaign();
            }
        }
    }

    @Override
    void onLeaderSilent()
    {
        if (core.isVoter(core.self))
        {
            core.setElectionTimer(core.mutation == Mutation.SILENT_LEADER_WAITS_WHOLE_RANGE ?
                SilentLeader.remainingOfWholeRangeMs(core.config, core.random) :
                SilentLeader.remainingTimeoutMs(core.config, core.random));
        }
    }
}
