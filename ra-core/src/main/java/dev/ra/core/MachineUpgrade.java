package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.Member;
import java.util.Map;

/**
 * The leader's side of machine-version upgrades (Ra's {@code all} strategy, its default since 2.16): the cluster
 * switches to the highest version every voter's build supports (the leader's included), by appending a noop carrying
 * that version; every member switches when it applies that noop. Builds of versions 2, 2 and 1 switch a cluster at
 * version 0 to 1, and to 2 once the last one is upgraded. The voters report
 * their builds' versions in their AppendEntries replies; the check runs again whenever a report changes and when the
 * configuration changes (a member with an older build removed, one with a newer build added).
 *
 * <p>Non-voters do not hold the switch back: one whose build is older stops applying at the noop (with a clear error)
 * and catches up once it is restarted with a newer build.
 *
 * <p>Mutable; owned by the leader.
 */
final class MachineUpgrade
{
    private final ServerCore core;
    private final Map<ServerId, PeerProgress> peers;
    /** The highest version a noop of this leadership carried. */
    private int appended = -1;

    MachineUpgrade(final ServerCore core, final Map<ServerId, PeerProgress> peers)
    {
        this.core = core;
        this.peers = peers;
    }

    /**
     * A new leadership: the version its first noop carries, the version in force, or the highest one every voter
     * supports if that is above it (a single-member cluster upgrades at once; the other voters' builds are known only
     * once they answer, so with other voters this is usually the version in force).
     *
     * @return the version for this term's noop.
     */
    int versionForTermNoop()
    {
        appended = Math.max(core.versions.effective(), everyVoterSupports());
        return appended;
    }

    /**
     * Append the noop that switches the cluster to the highest version every voter supports (this leader's build
     * included: the lowest of their builds' newest versions), if it is above the version in force and above what a
     * noop of this leadership carries already. Called again whenever a voter reports another build or the
     * configuration changes, so the cluster steps up again when the lowest build is upgraded.
     */
    void maybeUpgrade()
    {
        final MachineVersions versions = core.versions;
        final int target = everyVoterSupports();
        if (target <= Math.max(versions.effective(), appended))
        {
            return;
        }
        appended = target;
        final long index = core.appendEntry(new EntryPayload.Noop(target));
        if (core.mutation == Mutation.VERSION_SWITCH_ON_APPEND)
        {
            versions.switchTo(index, target);
        }
    }

    /**
     * @return the highest version every voter of the configuration in force supports, as last reported (-1 if a voter
     *     has not reported yet: the leader does not know what its build applies).
     */
    private int everyVoterSupports()
    {
        final int supported = core.versions.supported();
        if (core.mutation == Mutation.UPGRADE_WITHOUT_ALL_VOTERS)
        {
            return supported;
        }
        int lowest = supported;
        for (final Member member : core.configs.current())
        {
            if (member.isVoter() && !member.id().equals(core.self))
            {
                final PeerProgress peer = peers.get(member.id());
                lowest = Math.min(lowest, null == peer ? -1 : peer.machineVersion);
            }
        }
        return lowest;
    }
}
