package dev.ra.core;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.RaftRpc.AppendEntriesRpc;
import dev.ra.protocol.RaftRpc.HeartbeatRpc;
import dev.ra.protocol.RaftRpc.InstallSnapshotReply;
import dev.ra.protocol.RaftRpc.InstallSnapshotRpc;
import dev.ra.protocol.RaftRpc.PreVoteRpc;
import dev.ra.protocol.SnapshotMeta;

/**
 * A follower receiving a snapshot from its leader, chunk by chunk (§7), until the runtime has installed it. Entries
 * would not connect to a log that is being replaced, so it ignores AppendEntries meanwhile (the leader resumes after
 * the install), ignores election timeouts, and drops a partial snapshot whose leader is gone or campaigns.
 */
final class SnapshotReceiverRole extends RoleHandler
{
    /** The snapshot being received, or null. */
    private SnapshotAssembly receiving;

    SnapshotReceiverRole(final ServerCore core)
    {
        super(core, RaftRole.RECEIVE_SNAPSHOT);
    }

    /**
     * Take one chunk of the leader's snapshot; the first one of a snapshot we need makes us a receiver.
     *
     * @param from the leader.
     * @param rpc  the chunk, of the current term.
     */
    void receiveChunk(final ServerId from, final InstallSnapshotRpc rpc)
    {
        final SnapshotMeta meta = rpc.meta();
        final long term = core.currentTerm;
        final boolean holdsLastEntry = meta.index() > core.log.snapshotIndex() &&
            core.log.term(meta.index()) == meta.term();
        if (meta.index() <= core.lastApplied || holdsLastEntry)
        {
            // We already hold this state, or every entry it covers (§7: keep the log that follows): the leader
            // continues with entries after it. Resetting here would throw away entries we acknowledged.
            core.send(from, new InstallSnapshotReply(term, meta.index(), rpc.offset() + rpc.chunk().length(), true));
            return;
        }
        if (core.versions.stopped())
        {
            // It applies nothing more until restarted with another build (an earlier snapshot did not decode, or
            // the log switched to a version it lacks): no snapshot to take, the leader offers it again later.
            return;
        }
        if (!core.versions.supports(meta.machineVersion()))
        {
            // Its state can only be decoded and applied by a newer build: refuse it, clearly, and keep the log. No
            // reply: the leader offers it again at its next tick, and this member takes it once it is upgraded.
            core.snapshotAdoption.stopApplying(meta.index(), meta.machineVersion(), "snapshot from " + from);
            return;
        }
        if (null == receiving || !receiving.meta().equals(meta))
        {
            if (rpc.offset() != 0)
            {
                core.send(from, new InstallSnapshotReply(term, meta.index(), 0, false));
                return;
            }
            receiving = new SnapshotAssembly(meta);
        }
        if (receiving.installing())
        {
            return;
        }
        if (rpc.offset() != receiving.size())
        {
            core.send(from, new InstallSnapshotReply(term, meta.index(), receiving.size(), false));
            return;
        }
        receiving.append(rpc.chunk());
        core.changeRole(this);
        if (rpc.last())
        {
            receiving.markInstalling();
            core.actions.add(new RaftAction.InstallSnapshot(meta, receiving.toBytes()));
        }
        else
        {
            core.send(from, new InstallSnapshotReply(core.currentTerm, meta.index(), receiving.size(), false));
        }
    }

    /**
     * A new term: drop a snapshot only partly received; one already being installed finishes first.
     *
     * @return whether a snapshot is still being installed.
     */
    boolean dropUnlessInstalling()
    {
        if (null != receiving && !receiving.installing())
        {
            receiving = null;
        }
        return null != receiving;
    }

    /**
     * The runtime could not install the snapshot being installed: its state does not decode with this build's codec
     * of its version. The member stops applying, as one whose build lacks the version in force does
     * (docs/UPGRADES.md): it keeps its log (nothing was stored), follows and votes, campaigns no more, takes no
     * snapshot until restarted with another build, and says why in its overview and logs.
     *
     * @param meta  of the snapshot that failed.
     * @param cause why.
     * @return whether it was the snapshot being installed (else a snapshot this member wrote failed).
     */
    boolean installFailed(final SnapshotMeta meta, final String cause)
    {
        if (null == receiving || !receiving.installing() || !receiving.meta().equals(meta))
        {
            return false;
        }
        receiving = null;
        if (!core.versions.stopped())
        {
            final String why = "cluster " + core.config.clusterName() + ", server " + core.self + ": the snapshot at " +
                "index " + meta.index() + " from the leader " + cause + "; it stops applying after index " +
                core.lastApplied + " and keeps its log and snapshots: restart it with a build whose state codec " +
                "reads it";
            core.versions.stop(why);
            core.actions.add(new RaftAction.MachineVersionUnsupported(why));
        }
        onSnapshotInstalled();
        return true;
    }

    /**
     * The snapshot was installed: forget it.
     *
     * @return how many bytes of it were received here (0 if none).
     */
    long takeReceivedBytes()
    {
        final long size = null == receiving ? 0 : receiving.size();
        receiving = null;
        return size;
    }

    @Override
    void onAppendEntries(final ServerId from, final AppendEntriesRpc rpc)
    {
        // Entries would not connect to a log that is being replaced; the leader resumes after the install.
    }

    @Override
    void onHeartbeat(final ServerId from, final HeartbeatRpc rpc)
    {
        core.answerHeartbeat(from, rpc);
    }

    @Override
    void onInstallSnapshot(final ServerId from, final InstallSnapshotRpc rpc)
    {
        receiveChunk(from, rpc);
    }

    @Override
    void forgetLeaderIfCampaigning(final PreVoteRpc rpc)
    {
        core.forgetLeaderWhoCampaigns(rpc);
    }

    /**
     * The leader sending us a snapshot is gone or campaigns: the transfer will not resume, so drop what was received
     * and be a follower again. A snapshot already being installed finishes first (see {@link #onSnapshotInstalled}).
     */
    @Override
    void abandonSnapshotTransfer()
    {
        if (!receiving.installing())
        {
            receiving = null;
            core.changeRole(core.follower);
        }
    }

    @Override
    void onSnapshotInstalled()
    {
        core.changeRole(core.follower);
        if (core.isVoter(core.self) && core.leaderInDoubt())
        {
            // The leader stopped leading or was lost while the snapshot was being installed: nobody else will
            // wake us (a receiving member ignores election timeouts).
            core.setElectionTimer();
        }
    }
}
