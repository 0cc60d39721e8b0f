package dev.ra.core;

import dev.ra.protocol.RaftRpc.InstallSnapshotReply;
import dev.ra.protocol.SnapshotMeta;

/**
 * What a member's state becomes when a snapshot takes the place of its log's head: one it recovers from, one installed
 * from its leader, one it wrote itself; and the machine version that comes with it, which may be one this build does
 * not support (the member then stops applying).
 */
final class SnapshotAdoption
{
    private final ServerCore core;

    /**
     * @param core the member whose state adopts snapshots.
     */
    SnapshotAdoption(final ServerCore core)
    {
        this.core = core;
    }

    /**
     * The machine version is part of the applied state: a snapshot's is effective at its index. The runtime does not
     * decode a snapshot of a version this build does not support (the state is then null): the member stops applying.
     *
     * @param meta of the snapshot.
     */
    void adoptVersion(final SnapshotMeta meta)
    {
        if (!core.versions.supports(meta.machineVersion()))
        {
            stopApplying(meta.index(), meta.machineVersion(), "snapshot");
        }
        core.versions.reset(meta.index(), meta.machineVersion());
    }

    /**
     * Stop applying: the log or a snapshot needs a machine version this build does not support. The member keeps its
     * log, replicates and votes, but applies nothing more until it is restarted with a build that supports it.
     *
     * @param index   of the entry or snapshot.
     * @param version it needs.
     * @param what    "noop entry" or "snapshot".
     */
    void stopApplying(final long index, final int version, final String what)
    {
        final MachineVersions versions = core.versions;
        if (versions.stopped())
        {
            return;
        }
        final String where = what.startsWith("snapshot") ? "it stops applying" :
            "it stops applying after index " + core.lastApplied + " (version " + versions.effective() + ")";
        final String why = "cluster " + core.config.clusterName() + ", server " + core.self + ": the " + what +
            " at index " + index + " needs machine version " + version + " but this build supports versions 0 to " +
            versions.supported() + "; " + where + " and keeps its log and snapshots: restart it with a build of the " +
            "machine that supports version " + version;
        versions.stop(why);
        core.actions.add(new RaftAction.MachineVersionUnsupported(why));
    }

    /**
     * The runtime installed a snapshot received from the leader.
     *
     * @param meta  of the snapshot.
     * @param state the machine state it holds.
     */
    void installed(final SnapshotMeta meta, final Object state)
    {
        // The runtime has already reset the stored log to the snapshot, so adopt it whatever happened meanwhile.
        core.log.resetTo(meta.index(), meta.term());
        core.configs.reset(meta.index(),
            core.mutation == Mutation.INSTALLED_SNAPSHOT_MEMBERS_IGNORED ? core.configs.current() : meta.members(),
            meta.removed());
        core.machineState = state;
        core.lastApplied = meta.index();
        core.commitIndex = Math.max(core.commitIndex, meta.index());
        adoptVersion(meta);
        core.verifiedUpTo = meta.index();
        core.lastAckSent = meta.index();
        final long size = core.receiver.takeReceivedBytes();
        core.counters.snapshotsInstalled++;
        core.onDurableForRecovery();
        core.current().onSnapshotInstalled();
        if (null != core.leaderId && !core.leaderId.equals(core.self))
        {
            core.send(core.leaderId, new InstallSnapshotReply(core.currentTerm, meta.index(), size, true));
        }
    }

    /**
     * The runtime wrote a snapshot this member took: the log's head up to it may go.
     *
     * @param meta of the snapshot.
     */
    void written(final SnapshotMeta meta)
    {
        core.applier.snapshotFinished();
        if (meta.index() <= core.log.snapshotIndex())
        {
            return;
        }
        core.counters.snapshotsWritten++;
        core.log.snapshotTaken(meta.index(), meta.term());
        core.configs.compactUpTo(meta.index());
        core.versions.compactTo(meta.index());
        core.actions.add(new RaftAction.TruncateLogUpTo(meta.index()));
    }
}
