package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.sim.SimKv;
import org.junit.jupiter.api.Test;

/**
 * A voter added while the log needs a machine version above 0 joins as promotable (docs/UPGRADES.md): the leader does
 * not know its build before it answers, and a voter whose build cannot apply the log would count in quorums. Three
 * cores exchange their messages; the new member does not run (what is sent to it is lost).
 */
class VoterJoinsAsPromotableTest
{
    private static final ServerId D = new ServerId("t", "n4");
    private final ThreeCores cluster = new ThreeCores();

    VoterJoinsAsPromotableTest()
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
