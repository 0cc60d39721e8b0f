package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.Member;
import java.util.Map;

/**
 * The leader's side of machine-version upgrades (Ra's {@code all} strategy, its default since 2.16): the cluster
 * switches to the newest version the leader's build supports only once every voter reports a build that supports it
 * too, by appending a noop carrying that version; every member switches when it applies that noop. The voters report
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
     * A new leadership: the version its first noop carries, the version in force, or the newest one if no other
     * voter has to support it (a single-member cluster upgrades at once).
     *
     * @return the version for this term's noop.
     */
    int versionForTermNoop()
    {
        final int supported = core.versions.supported();
        appended = everyVoterSupports(supported) ? supported : core.versions.effective();
        return appended;
    }

    /**
     * Append the noop that switches the cluster to the newest version this leader supports, if every voter now
     * supports it and no noop of this leadership carries it yet.
     */
    void maybeUpgrade()
    {
        final MachineVersions versions = core.versions;
        final int target = versions.supported();
        if (target <= Math.max(versions.effective(), appended) || !everyVoterSupports(target))
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

    private boolean everyVoterSupports(final int version)
    {
        if (core.mutation == Mutation.UPGRADE_WITHOUT_ALL_VOTERS)
        {
            return true;
        }
        for (final Member member : core.configs.current())
        {
            if (member.isVoter() && !member.id().equals(core.self))
            {
                final PeerProgress peer = peers.get(member.id());
                if (null == peer || peer.machineVersion < version)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
