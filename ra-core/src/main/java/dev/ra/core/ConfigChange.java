package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's membership changes: one server at a time, in force from its own entry on (thesis §4.1), and none until
 * the previous one has committed. Adding, removing, promoting a caught-up non-voter, and stepping down once a
 * configuration without this member commits.
 *
 * <p>Mutable; owned by the {@link LeaderRole}.
 */
final class ConfigChange
{
    private final ServerCore core;
    private final LeaderRole leader;
    /** The index of the configuration appended and not yet committed, or 0. */
    private long pendingIndex;

    ConfigChange(final ServerCore core, final LeaderRole leader)
    {
        this.core = core;
        this.leader = leader;
    }

    /**
     * A new leadership: a configuration appended by an earlier leader but not yet committed blocks further changes
     * until it is.
     */
    void reset()
    {
        pendingIndex = core.configs.currentIndex() > core.commitIndex ? core.configs.currentIndex() : 0;
    }

    private boolean permitted()
    {
        // Not during a leadership transfer: nothing is appended while the target catches up (a change could remove
        // it, and the transfer would wait for its deadline with every command parked); etcd drops every proposal,
        // configuration changes included, while a transfer is under way. The call is retried, and meets the new
        // leader once the transfer is done.
        return core.commitIndex >= leader.noopIndex && !leader.calls.deleting() && !leader.transfer.inProgress() &&
            (pendingIndex == 0 || core.mutation == Mutation.TWO_CONFIG_CHANGES_IN_FLIGHT);
    }

    /**
     * @param callId of a change (or the cluster's deletion) asked for.
     * @return whether it may go ahead now; if not, its call has failed.
     */
    boolean checkAllowed(final long callId)
    {
        if (!permitted())
        {
            core.actions.add(new RaftAction.CallFailed(callId, CallError.CLUSTER_CHANGE_NOT_PERMITTED, core.self));
            return false;
        }
        return true;
    }

    void add(final long callId, final Member member)
    {
        if (!checkAllowed(callId))
        {
            return;
        }
        if (null != core.findMember(member.id()))
        {
            core.actions.add(new RaftAction.CallFailed(callId, CallError.ALREADY_MEMBER, core.self));
            return;
        }
        // A promotable member becomes a voter once it has caught up with the log as it is now. So does a voter while
        // the log needs a machine version above 0 (docs/UPGRADES.md): the leader learns a member's build only from its
        // replies, and the new server is started once the change has committed, so a voter added as asked might run a
        // build that cannot apply the log and still count in quorums. As a promotable member it is promoted once it
        // reports a build that supports the log (Ratis and etcd add a learner first).
        final Member joining = member.membership() == Membership.PROMOTABLE ||
            member.isVoter() && core.versions.neededForLog() > 0 ?
            new Member(member.id(), Membership.PROMOTABLE, core.log.lastIndex()) : member;
        final List<Member> next = new ArrayList<>(core.configs.current());
        next.add(joining);
        if (joining.isVoter() && !reachedMajority(next, joining.id()))
        {
            // The change is in force from its entry on, and the new server is started once the call completes
            // (RaSystem.addMemberAsync): if the voters this leader reaches are no majority of the new configuration
            // without it (a single member growing to two; three, one down, growing to four), the entry could not
            // commit and the leader would step down, leaving no member able to win an election until the new server
            // runs (etcd refuses the same change).
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_PERMITTED, core.self, "adding " +
                member.id() + " as a voter would need its vote to commit the change, and it is started only " +
                "after the change commits: the voters reached are no majority of " + voterIds(next) +
                " without it; add it as PROMOTABLE (a voter once caught up), or once the members are reachable"));
            return;
        }
        append(next, callId);
    }

    /**
     * @param next      a configuration this leader would append.
     * @param newcomer  a voter of it that does not run yet (started only once the change commits), or null.
     * @return whether the voters of {@code next} that this leader reaches (itself if it stays, the newcomer left out)
     *     are a majority of its voters: without them the entry could not commit.
     */
    private boolean reachedMajority(final List<Member> next, final ServerId newcomer)
    {
        int voters = 0;
        int reached = 0;
        for (final Member m : next)
        {
            if (m.isVoter())
            {
                voters++;
                if (!m.id().equals(newcomer) && (m.id().equals(core.self) || !core.unreachable.contains(m.id())))
                {
                    reached++;
                }
            }
        }
        return reached >= Quorum.majority(voters);
    }

    private static List<ServerId> voterIds(final List<Member> members)
    {
        final List<ServerId> ids = new ArrayList<>();
        for (final Member m : members)
        {
            if (m.isVoter())
            {
                ids.add(m.id());
            }
        }
        return ids;
    }

    private List<ServerId> reachedVoterIds(final List<Member> members)
    {
        final List<ServerId> ids = new ArrayList<>();
        for (final ServerId id : voterIds(members))
        {
            if (id.equals(core.self) || !core.unreachable.contains(id))
            {
                ids.add(id);
            }
        }
        return ids;
    }

    private static List<ServerId> memberIds(final List<Member> members)
    {
        final List<ServerId> ids = new ArrayList<>();
        for (final Member m : members)
        {
            ids.add(m.id());
        }
        return ids;
    }

    void remove(final long callId, final ServerId server)
    {
        if (!checkAllowed(callId))
        {
            return;
        }
        final Member leaving = core.findMember(server);
        if (null == leaving)
        {
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_MEMBER, core.self));
            return;
        }
        final List<Member> next = new ArrayList<>(core.configs.current());
        next.remove(leaving);
        if (next.stream().noneMatch(Member::isVoter))
        {
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_PERMITTED, core.self, "removing " +
                server + " would leave no voter in " + memberIds(next) + ": a cluster needs one to elect a leader " +
                "and commit; add or promote another voter first, or delete the cluster"));
            return;
        }
        if (!reachedMajority(next, null))
        {
            // The configuration is in force from its entry on: if the voters this leader reaches are no majority of
            // it, the removal (and everything after it) could not commit until an unreachable voter came back, and
            // this leader, which still reaches a majority of the configuration before, would not step down: every
            // call would hang (etcd's strict reconfiguration check refuses the same).
            core.actions.add(new RaftAction.CallFailed(callId, CallError.NOT_PERMITTED, core.self, "removing " +
                server + " would leave voters " + voterIds(next) + " of which " + core.self + " reaches " +
                reachedVoterIds(next) + ", no majority: the change could not commit until the others are " +
                "reachable; remove an unreachable voter first, or retry once the voters are reachable"));
            return;
        }
        append(next, callId);
    }

    /**
     * A server that is no member campaigned (asked for a pre-vote or a vote): if a committed configuration named it
     * (one compacted away too: snapshots name the servers removed before them, SnapshotMeta.removed), it was removed
     * while it could not be told (its node down or cut off) and, back, it would campaign for ever,
     * since no leader sends it anything: ask for its retirement again. Not for a server being added (the pending
     * configuration names it), nor one whose removal is not committed yet, nor one no committed configuration named
     * (started by mistake, or its addition appended by a leader that lost its leadership and then truncated): those
     * are no removed members, and retiring one deletes its data. A server added back under the same id is in the
     * configuration in force from the moment its addition is appended, so it is never taken for a removed one.
     *
     * @param from the campaigning server.
     */
    void heardFromNonMember(final ServerId from)
    {
        if (null == core.findMember(from) && !isIn(core.configs.at(core.commitIndex), from) &&
            core.configs.namedByCommitted(from, core.commitIndex))
        {
            core.actions.add(new RaftAction.RetireMember(from, core.configs.indexAt(core.commitIndex)));
        }
    }

    private static boolean isIn(final List<Member> members, final ServerId id)
    {
        for (final Member m : members)
        {
            if (m.id().equals(id))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Make a promotable peer a voter once it has caught up to its promotion target.
     *
     * @param peer whose match index just advanced.
     */
    void maybePromote(final PeerProgress peer)
    {
        final Member member = core.findMember(peer.id);
        // Not while its build cannot apply the log (docs/UPGRADES.md): a non-voter with an older build stops applying
        // at a switch to a newer version and does not hold it back, but as a voter it would count in quorums for a
        // log it cannot apply (simulation seed 303201 of MachineVersionSimulationTest: promoted right after the
        // switch). It is promoted once it reports a build that supports the newest version in the log.
        if (null != member && member.membership() == Membership.PROMOTABLE &&
            peer.matchIndex >= member.promotionTarget() &&
            peer.supportsMachineVersion(core.versions.neededForLog()) && permitted())
        {
            final List<Member> next = new ArrayList<>();
            for (final Member m : core.configs.current())
            {
                next.add(m.id().equals(peer.id) ? Member.voter(m.id()) : m);
            }
            append(next, -1);
        }
    }

    private void append(final List<Member> members, final long callId)
    {
        // The configuration is in force from its own entry on, so a joining peer is sent that entry too.
        final long index = core.log.lastIndex() + 1;
        core.configs.add(index, members);
        leader.refreshPeers();
        core.appendEntry(new EntryPayload.ClusterChange(members));
        pendingIndex = index;
        leader.calls.awaitConfig(callId);
        // Every voter may now support a newer machine version (one with an older build left).
        leader.upgrade.maybeUpgrade();
    }

    /**
     * A configuration entry was applied: if it is the pending one, complete its call, retire the member it removed,
     * and step down if that is this member (§6: the leader hands over once the configuration without it is
     * committed; it does once the entries committed with it are applied). The pending one may have been appended by an
     * earlier leader ({@link #reset}), whose call failed when it lost its leadership: the removed member is retired all
     * the same (a retried call finds it no member).
     *
     * @param index of the entry.
     * @param term  of the entry.
     */
    void committed(final long index, final long term)
    {
        if (index != pendingIndex)
        {
            return;
        }
        pendingIndex = 0;
        leader.calls.configCommitted(index, term);
        final List<Member> now = core.configs.at(index);
        for (final Member before : core.configs.at(index - 1))
        {
            if (now.stream().noneMatch(m -> m.id().equals(before.id())))
            {
                core.actions.add(new RaftAction.RetireMember(before.id(), index));
            }
        }
        if (null == core.findMember(core.self))
        {
            // Once the entries committed with it are applied: their callers get their replies, where leaving now would
            // tell them the outcome is unknown (LEADERSHIP_LOST) for commands applied a moment later.
            leader.stepDownAfterApply();
        }
    }
}
