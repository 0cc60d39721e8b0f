package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.RaftRpc;
import dev.ra.sim.SimKv;
import org.junit.jupiter.api.Test;

/**
 * Membership changes against machine versions (docs/UPGRADES.md): a member becomes a voter only on a build known to
 * apply the log, since a voter that cannot would count in quorums. A voter added while the log needs a version above 0
 * joins as promotable (the leader does not know its build before it answers), and a promotable member is promoted
 * only once its build supports the newest version in the log. Three cores exchange their messages; the new member D
 * does not run (what is sent to it is lost; the test answers for it).
 */
class MachineVersionMembershipTest
{
    private static final ServerId D = new ServerId("t", "n4");
    private final ThreeCores cluster = new ThreeCores();

    MachineVersionMembershipTest()
    {
        cluster.lose = (to, rpc) -> to.equals(D);
    }

    @Test
    void aVoterAddedToAClusterAtAMachineVersionJoinsAsPromotable()
    {
        final ServerCore leader = cluster.start(new SimKv(0).withVersion(1));
        assertThat(leader.effectiveMachineVersion()).as("switched once every voter reported").isEqualTo(1);

        cluster.run(leader, leader.handle(new RaftEvent.AddMember(1, Member.voter(D)), cluster.now));
        cluster.deliverAll();

        assertThat(membershipOf(leader, D)).isEqualTo(Membership.PROMOTABLE);
        assertThat(cluster.cores.get(ThreeCores.B).members()).as("as every member has it")
            .contains(memberOf(leader, D));
    }

    /**
     * The cluster is at version 0, but the switch to 1 is appended: D's build may not apply it.
     */
    @Test
    void aVoterAddedRightAfterASwitchIsAppendedJoinsAsPromotable()
    {
        final ServerCore leader = cluster.start(id -> id.equals(ThreeCores.A) ? new SimKv(0).withVersion(1) :
            new SimKv(0));
        reply(leader, ThreeCores.B, 1);
        reply(leader, ThreeCores.C, 1);
        assertThat(leader.effectiveMachineVersion()).as("the switch to 1 not applied yet").isZero();

        cluster.run(leader, leader.handle(new RaftEvent.AddMember(1, Member.voter(D)), cluster.now));

        assertThat(membershipOf(leader, D)).isEqualTo(Membership.PROMOTABLE);
    }

    /**
     * A non-voter does not hold a switch back, so the leader may have appended one, not yet applied, when a promotable
     * member of an older build catches up: compared with the version in force (which its build supports), it was
     * promoted, a voter that stops applying at the switch. B and C report the newer build (as if restarted with it)
     * and A appends the switch to 2; D, of build 1, then reports that it has caught up, and stays promotable.
     */
    @Test
    void aPromotableMemberIsNotPromotedAcrossASwitchItsBuildCannotApply()
    {
        final ServerCore leader = cluster.start(id -> new SimKv(0).withVersion(id.equals(ThreeCores.A) ? 2 : 1));
        assertThat(leader.effectiveMachineVersion()).as("the version every voter supports").isEqualTo(1);
        cluster.run(leader, leader.handle(new RaftEvent.AddMember(1, new Member(D, Membership.PROMOTABLE, 0)),
            cluster.now));
        cluster.deliverAll();
        assertThat(membershipOf(leader, D)).isEqualTo(Membership.PROMOTABLE);

        final long beforeSwitch = leader.lastIndex();
        reply(leader, ThreeCores.B, 2);
        reply(leader, ThreeCores.C, 2);
        assertThat(leader.lastIndex()).as("the switch appended").isGreaterThan(beforeSwitch);
        assertThat(leader.effectiveMachineVersion()).as("not applied yet").isEqualTo(1);

        reply(leader, D, 1);

        assertThat(membershipOf(leader, D)).isEqualTo(Membership.PROMOTABLE);
    }

    /**
     * @param leader  to hear the reply.
     * @param from    the member that answers that it holds the leader's whole log.
     * @param version its build supports.
     */
    private void reply(final ServerCore leader, final ServerId from, final int version)
    {
        final long last = leader.lastIndex();
        cluster.run(leader, leader.handle(new RaftEvent.RpcReceived(from, new RaftRpc.AppendEntriesReply(
            leader.currentTerm(), true, last + 1, last, leader.currentTerm(), leader.commitIndex(), version)),
            cluster.now));
    }

    @Test
    void aVoterAddedToAnUnversionedClusterJoinsAsAVoter()
    {
        final ServerCore leader = cluster.start(new SimKv(0));

        cluster.run(leader, leader.handle(new RaftEvent.AddMember(1, Member.voter(D)), cluster.now));
        cluster.deliverAll();

        assertThat(membershipOf(leader, D)).isEqualTo(Membership.VOTER);
    }

    private static Membership membershipOf(final ServerCore core, final ServerId id)
    {
        return memberOf(core, id).membership();
    }

    private static Member memberOf(final ServerCore core, final ServerId id)
    {
        return core.members().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }
}
