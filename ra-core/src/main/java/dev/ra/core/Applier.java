package dev.ra.core;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.protocol.UserCommand;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies committed entries to the machine, in log order, through the {@link MachineGuard}: replayed on recovery with
 * effects discarded, then as the commit index advances. What an applied entry means beyond the machine (a reply to
 * the command's caller, a configuration change's completion) is up to the current role's handler. The machine's
 * effects run or are dropped according to the role, and a release cursor it returns may start a snapshot.
 *
 * <p>Mutable; owned by the core.
 */
final class Applier
{
    /** Committed entries read from the log at a time to be applied. */
    private static final int APPLY_BATCH = 256;

    private final ServerCore core;
    /** Reused by {@link #applyCommitted} and {@link #replay}; empty between calls. */
    private final List<LogEntry> applyBatch = new ArrayList<>(APPLY_BATCH);
    private boolean snapshotPending;

    Applier(final ServerCore core)
    {
        this.core = core;
    }

    /**
     * Recovery: read the whole log, adopting its configurations, and apply it up to {@code replayTo} with effects
     * discarded (they ran before the restart).
     *
     * @param replayTo the durable last-applied index, at most the last index.
     */
    void replay(final long replayTo)
    {
        final RaftLog log = core.log;
        long index = core.lastApplied + 1;
        while (index <= log.lastIndex())
        {
            applyBatch.clear();
            log.collect(index, log.lastIndex(), APPLY_BATCH, core.config.maxAppendBytes(), applyBatch);
            if (applyBatch.isEmpty() || applyBatch.get(0).index() != index)
            {
                throw new IllegalStateException(core.self + ": log entry " + index + " missing during recovery " +
                    "(last " + log.lastIndex() + ")");
            }
            for (int i = 0; i < applyBatch.size(); i++, index++)
            {
                final LogEntry entry = applyBatch.get(i);
                if (entry.index() != index)
                {
                    throw new IllegalStateException(core.self + ": log entry " + index + " missing during recovery " +
                        "(read " + entry.index() + ")");
                }
                if (entry.payload() instanceof EntryPayload.ClusterChange change)
                {
                    core.configs.add(index, change.members());
                }
                if (entry.payload() instanceof EntryPayload.Noop noop)
                {
                    core.versions.seenInLog(index, noop.machineVersion());
                }
                if (index <= replayTo && !core.versions.stopped())
                {
                    core.commitIndex = index;
                    applyEntry(entry, true);
                }
            }
        }
        applyBatch.clear();
    }

    /**
     * Apply every entry up to the commit index (stopping if one ends the member).
     */
    void applyCommitted()
    {
        while (core.lastApplied < core.commitIndex && !core.current().ended() && !core.versions.stopped())
        {
            // In batches: a store reads a run of entries with one read where it reads one entry with one (a restart
            // without a snapshot applies the whole log from segments).
            applyBatch.clear();
            core.log.collect(core.lastApplied + 1, core.commitIndex, APPLY_BATCH, core.config.maxAppendBytes(),
                applyBatch);
            if (applyBatch.isEmpty())
            {
                throw new IllegalStateException(core.self + ": committed entry " + (core.lastApplied + 1) +
                    " is not held");
            }
            for (int i = 0; i < applyBatch.size() && !core.current().ended() && !core.versions.stopped(); i++)
            {
                final LogEntry entry = applyBatch.get(i);
                if (entry.index() != core.lastApplied + 1)
                {
                    throw new IllegalStateException(core.self + ": read entry " + entry.index() + " where " +
                        (core.lastApplied + 1) + " was expected");
                }
                applyEntry(entry, false);
            }
        }
        applyBatch.clear();
        core.current().afterApply();
    }

    private void applyEntry(final LogEntry entry, final boolean replaying)
    {
        final long index = entry.index();
        final MachineGuard guard = core.guard;
        final MachineVersions versions = core.versions;
        final EntryPayload payload = entry.payload();
        if (payload instanceof EntryPayload.Noop noop && noop.machineVersion() > versions.effective() &&
            !versions.supports(noop.machineVersion()))
        {
            // Applying it with the logic of another version would diverge from the members that support it.
            core.snapshotAdoption.stopApplying(index, noop.machineVersion(), "noop entry");
            return;
        }
        core.lastApplied = index;
        core.counters.entriesApplied++;
        final CommandMeta meta = new CommandMeta(index, entry.term(), entry.systemTimeMs(), versions.effective());
        if (payload instanceof UserCommand command)
        {
            final ApplyResult<Object> result = guard.apply(meta, command, versions.commandCodec(), core.machineState,
                !replaying);
            if (!replaying)
            {
                core.current().onCommandApplied(index, RaftLog.commandBytes(entry),
                    null == result ? guard.lastFailure() : result.reply());
            }
            if (null != result)
            {
                core.machineState = result.state();
                runEffects(result.effects(), replaying);
            }
        }
        else if (payload instanceof EntryPayload.Builtin builtin)
        {
            final ApplyResult<Object> result = guard.applyBuiltin(meta, builtin.command(), core.machineState,
                !replaying);
            if (null != result)
            {
                core.machineState = result.state();
                runEffects(result.effects(), replaying);
            }
        }
        else if (payload instanceof EntryPayload.Noop noop)
        {
            if (noop.machineVersion() > versions.effective())
            {
                switchVersion(entry, noop.machineVersion(), replaying);
            }
            if (!replaying)
            {
                core.current().onNoopApplied(index);
            }
        }
        else if (payload instanceof EntryPayload.ClusterChange change)
        {
            if (core.mutation == Mutation.CONFIG_ON_COMMIT && index > core.configs.currentIndex())
            {
                core.configs.add(index, change.members());
            }
            if (!replaying)
            {
                core.current().onConfigurationApplied(index, entry.term());
            }
        }
        else if (payload instanceof EntryPayload.DeleteCluster)
        {
            if (!replaying)
            {
                core.onDeleteCommitted(index, entry.term());
            }
        }
        else
        {
            throw new IllegalStateException("unhandled payload " + payload);
        }
    }

    /**
     * The noop of a leader whose cluster supports a higher version is applied: from here on the new version's machine
     * applies, and it sees the change first, at this index on every member.
     */
    private void switchVersion(final LogEntry entry, final int version, final boolean replaying)
    {
        final MachineVersions versions = core.versions;
        final int from = versions.effective();
        versions.switchTo(entry.index(), version);
        final CommandMeta meta = new CommandMeta(entry.index(), entry.term(), entry.systemTimeMs(), version);
        final ApplyResult<Object> result = core.guard.applyBuiltin(meta,
            new BuiltinCommand.MachineVersionChanged(from, version), core.machineState, !replaying);
        if (null != result)
        {
            core.machineState = result.state();
            runEffects(result.effects(), replaying);
        }
    }

    /**
     * Hand the machine's effects to the runtime, those the current role runs; a release cursor may start a snapshot.
     *
     * @param effects   returned by the machine.
     * @param replaying whether the entry is replayed on recovery (then none runs).
     */
    void runEffects(final List<Effect> effects, final boolean replaying)
    {
        if (effects.isEmpty())
        {
            return;
        }
        List<Effect> toRun = null;
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.ReleaseCursor cursor)
            {
                if (!replaying)
                {
                    maybeSnapshot(cursor);
                }
                continue;
            }
            if (replaying || !core.current().runsEffect(effect))
            {
                continue;
            }
            if (null == toRun)
            {
                toRun = new ArrayList<>(effects.size());
            }
            toRun.add(effect);
        }
        if (null != toRun)
        {
            core.actions.add(new RaftAction.MachineEffects(toRun, core.versions.effective()));
        }
    }

    private void maybeSnapshot(final Effect.ReleaseCursor cursor)
    {
        final RaftLog log = core.log;
        final long index = cursor.index();
        if (snapshotPending || index > core.lastApplied ||
            index <= log.snapshotIndex() + core.config.minSnapshotInterval())
        {
            return;
        }
        final long term = log.term(index);
        if (term <= 0)
        {
            return;
        }
        snapshotPending = true;
        final List<Member> members =
            core.mutation == Mutation.SNAPSHOT_CURRENT_CONFIG ? core.configs.current() : core.configs.at(index);
        // The servers removed so far go with it: once their removals are compacted away, a leader still knows a removed
        // member that comes back (its node was down) for one, also after a restart (ConfigChange.heardFromNonMember).
        core.actions.add(new RaftAction.WriteSnapshot(new SnapshotMeta(index, term, members,
            core.versions.at(index),
            core.mutation == Mutation.SNAPSHOT_FORGETS_REMOVED ? List.of() : core.configs.removedAsOf(index)),
            cursor.state()));
    }

    /**
     * The snapshot asked for was written, or failed: another may be asked for.
     */
    void snapshotFinished()
    {
        snapshotPending = false;
    }
}
