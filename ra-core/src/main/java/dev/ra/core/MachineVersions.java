package dev.ra.core;

import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import java.util.ArrayList;
import java.util.List;

/**
 * The member's machine versions (Ra's {@code effective_machine_version} and {@code machine_versions}): the version its
 * build supports, the cluster's EFFECTIVE version as of the last applied entry, the index at which each version
 * became effective (so a snapshot at an older index records the version of that index), and, once the log needs a
 * version this build does not support, why the member stopped applying.
 *
 * <p>The effective version is part of the applied state: it changes only when a noop entry carrying a higher version is
 * applied, so every member switches at the same index, and a replay re-derives it from the snapshot's version and the
 * noops after it.
 *
 * <p>Mutable; owned by the core.
 */
final class MachineVersions
{
    private final StateMachine<Object, Object> latest;
    private final int supported;
    /** The machine of the effective version, through which every callback goes. */
    private StateMachine<Object, Object> effectiveMachine;
    private Codec<Object> commandCodec;
    /** Whether the effective version's machine has a {@code tick} of its own (see {@link #machineTicks}). */
    private boolean machineTicks;
    private int effective;
    /** Ascending: {@code [index, version]} from which each version was effective; the first is the base. */
    private final List<long[]> history = new ArrayList<>();
    /** Why this member stopped applying, or null while it applies. */
    private String unsupported;
    /**
     * Ascending: {@code [index, version]} of the noops in the log, appended or replayed but not applied yet, that
     * switch above the effective version. A noop a new leader's log overwrites goes with it: a member whose log held a
     * switch to a version its build lacks, truncated since, may lead again.
     */
    private final List<long[]> pendingSwitches = new ArrayList<>();
    /** The index of the last switch reported by {@link #unreportedUnsupportedSwitch}, or 0. */
    private long reportedSwitch;

    /**
     * @param machine the machine of this build.
     */
    MachineVersions(final StateMachine<Object, Object> machine)
    {
        this.latest = machine;
        this.supported = Math.max(0, machine.version());
        reset(0, 0);
    }

    /**
     * Start over from a version effective at an index (a brand-new member at 0, a snapshot's version at its index).
     *
     * @param index   from which the version is effective.
     * @param version effective there; if not supported, the member must have stopped applying.
     */
    void reset(final long index, final int version)
    {
        history.clear();
        // The log starts again from the snapshot (or is replayed from it): what it switches to is seen again.
        pendingSwitches.clear();
        history.add(new long[] {index, version});
        use(version);
    }

    /**
     * @param version a machine version.
     * @return whether this build can apply entries at that version.
     */
    boolean supports(final int version)
    {
        return version >= 0 && version <= supported;
    }

    /**
     * @return the highest version this build supports.
     */
    int supported()
    {
        return supported;
    }

    /**
     * @return the effective version as of the last applied entry.
     */
    int effective()
    {
        return effective;
    }

    /**
     * @return the machine of the effective version.
     */
    StateMachine<Object, Object> machine()
    {
        return effectiveMachine;
    }

    /**
     * Whether a leader's tick must reach the machine: only when its class overrides {@link StateMachine#tick}. The
     * default returns no effects whatever the state, so a leader of a machine without a tick of its own needs no tick
     * for it, and an idle cluster of such a machine costs nothing between ticks.
     *
     * @return whether the effective version's machine may return effects on a tick.
     */
    boolean machineTicks()
    {
        return machineTicks;
    }

    /**
     * @return whether the effective version's machine is not this build's newest one ({@link StateMachine#machineFor}
     *     gave another): its command codec may decode the bytes into another object than the one a command holds.
     */
    boolean appliesOlderMachine()
    {
        return effectiveMachine != latest;
    }

    /**
     * @return the machine of the version an entry appended now is applied with: the newest switch in the log not
     *     applied yet (a leader keeps taking commands between appending a switch and applying it), else the effective
     *     version's. A command's bytes must be what that version's codec writes: every member decodes them with it.
     */
    StateMachine<Object, Object> machineForAppend()
    {
        if (pendingSwitches.isEmpty())
        {
            // Every command on a leader asks: nothing to look at most of the time.
            return effectiveMachine;
        }
        final int needed = neededForLog();
        return needed == effective ? effectiveMachine : logicOf(needed);
    }

    /**
     * @param version a machine version (one this build does not support, or below 0, gets the build's machine: it only
     *                comes with a stop, after which nothing more is applied).
     * @return the machine that runs it, whose codecs write what the builds of that version read.
     * @throws IllegalStateException if {@link StateMachine#machineFor} gives none: taking the newest logic instead
     *                               would apply other logic than the builds of that version do.
     */
    private StateMachine<Object, Object> logicOf(final int version)
    {
        final StateMachine<Object, Object> machine = version >= supported || version < 0 ? latest :
            latest.machineFor(version);
        if (null == machine)
        {
            throw new IllegalStateException(missingLogic(latest, version));
        }
        return machine;
    }

    /**
     * @return the command codec of the effective version's machine.
     */
    Codec<Object> commandCodec()
    {
        return commandCodec;
    }

    /**
     * Switch to a higher supported version at an applied noop.
     *
     * @param index   of the noop.
     * @param version carried by the noop, supported and above the effective one.
     */
    void switchTo(final long index, final int version)
    {
        history.add(new long[] {index, version});
        use(version);
    }

    /**
     * @param index at most the last applied index, at least the base of the history.
     * @return the version effective at that index.
     */
    int at(final long index)
    {
        int version = (int)history.get(0)[1];
        for (final long[] change : history)
        {
            if (change[0] <= index)
            {
                version = (int)change[1];
            }
        }
        return version;
    }

    /**
     * Forget the switches a snapshot at {@code index} made unreachable (a replay starts there).
     *
     * @param index of the latest snapshot.
     */
    void compactTo(final long index)
    {
        final int base = at(index);
        history.removeIf(change -> change[0] <= index);
        history.add(0, new long[] {index, base});
    }

    /**
     * A noop carrying a version was appended to (or found in) the log, and is not applied yet.
     *
     * @param index   of the noop.
     * @param version it carries.
     */
    void seenInLog(final long index, final int version)
    {
        if (version > effective)
        {
            pendingSwitches.add(new long[] {index, version});
        }
    }

    /**
     * The log was truncated: the entries from {@code index} on are gone, and the switches they held.
     *
     * @param index of the first entry removed.
     */
    void truncatedFrom(final long index)
    {
        pendingSwitches.removeIf(pending -> pending[0] >= index);
    }

    /**
     * @return the version a build must support to apply this log to its end: the one in force, or a newer one a noop
     *     not yet applied switches to.
     */
    int neededForLog()
    {
        int needed = effective;
        for (final long[] pending : pendingSwitches)
        {
            needed = Math.max(needed, (int)pending[1]);
        }
        return needed;
    }

    /**
     * @return whether this member may campaign: it applies, and its log holds no switch to a version its build does
     *     not support (as leader it could not apply what it commits).
     */
    boolean mayLead()
    {
        return null == unsupported && neededForLog() <= supported;
    }

    /**
     * The first switch in the log to a version this build does not support, not applied yet, if it was not reported
     * before (by this incarnation): a member that holds it does not campaign, and one that has not applied up to it
     * (its commit index is lost with a restart) gives no other sign until a leader brings it there.
     *
     * @return {@code [index, version]} of that switch, now counted as reported, or null.
     */
    long[] unreportedUnsupportedSwitch()
    {
        for (final long[] pending : pendingSwitches)
        {
            if (pending[1] > supported)
            {
                if (pending[0] == reportedSwitch)
                {
                    return null;
                }
                reportedSwitch = pending[0];
                return pending;
            }
        }
        return null;
    }

    /**
     * Stop applying: the log needs a version this build does not support.
     *
     * @param why the error, naming cluster, server, index and versions.
     */
    void stop(final String why)
    {
        unsupported = why;
    }

    /**
     * @return why this member stopped applying, or null while it applies.
     */
    String stoppedBecause()
    {
        return unsupported;
    }

    /**
     * @return whether this member stopped applying for an unsupported version.
     */
    boolean stopped()
    {
        return null != unsupported;
    }

    /**
     * @param machine of a build.
     * @param version from 0 to its version, for which its {@link StateMachine#machineFor} returned null.
     * @return the error, naming the machine and the version.
     */
    static String missingLogic(final StateMachine<?, ?> machine, final int version)
    {
        return machine.getClass().getName() + ".machineFor(" + version + ") returned null: a build must give the " +
            "logic of every version from 0 to its version() (" + machine.version() + ")";
    }

    private void use(final int version)
    {
        effective = version;
        pendingSwitches.removeIf(pending -> pending[1] <= version);
        effectiveMachine = logicOf(version);
        commandCodec = effectiveMachine.commandCodec();
        machineTicks = MachineTicks.hasOwnTick(effectiveMachine.getClass());
    }
}
