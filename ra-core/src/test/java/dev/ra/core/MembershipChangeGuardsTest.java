package dev.ra.core;

import static dev.ra.core.ThreeCores.A;
import static dev.ra.core.ThreeCores.B;
import static dev.ra.core.ThreeCores.C;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.Membership;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.sim.SimKv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a leader refuses to change in its configuration, and says why: a removal its reachable voters could not commit,
 * the removal of the last voter, any change during a leadership transfer; and a removed member that campaigns, back
 * after it could not be told of its removal, is retired. Three cores exchange their messages in the test; no election
 * timer fires.
 */
class MembershipChangeGuardsTest
{
    private final ThreeCores cluster = new ThreeCores();
    private final List<RaftAction> byA = new ArrayList<>();

    MembershipChangeGuardsTest()
    {
        cluster.watch = (core, action) ->
        {
            if (core.id().equals(A))
            {
                byA.add(action);
            }
        };
    }

    /**
     * With C unreachable, removing B leaves {A, C}, which A alone cannot commit: appended, it hung every later call
     * until C came back, and A, which still reaches a majority of {A, B, C} as far as it is told, led on.
     */
    @Test
    void aRemovalTheReachableVotersCouldNotCommitIsRefusedNamingTheVoters()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        cluster.run(leader, leader.handle(new RaftEvent.PeerUnreachable(C), cluster.now));
        final long lastIndex = leader.lastIndex();

        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(1, B), cluster.now));

        assertThat(leader.lastIndex()).as("nothing appended").isEqualTo(lastIndex);
        assertThat(failed(1).error()).isEqualTo(CallError.NOT_PERMITTED);
        assertThat(failed(1).detail()).contains(A.toString(), C.toString()).contains("no majority");

        // Removing the unreachable voter itself leaves {A, B}, which A and B commit.
        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(2, C), cluster.now));
        cluster.deliverAll();
        assertThat(retired()).contains(C);
        assertThat(leader.members()).extracting(Member::id).containsExactly(A, B);
    }

    @Test
    void removingTheLastVoterIsRefusedSayingWhy()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(1, C), cluster.now));
        cluster.deliverAll();
        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(2, B), cluster.now));
        cluster.deliverAll();
        assertThat(leader.members()).extracting(Member::id).containsExactly(A);

        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(3, A), cluster.now));

        assertThat(failed(3).error()).isEqualTo(CallError.NOT_PERMITTED);
        assertThat(failed(3).detail()).as("the detail").isNotNull().contains("no voter");
    }

    /**
     * etcd drops every proposal, configuration changes included, while a leadership transfer is under way: a change
     * removing the target stalled the transfer until its deadline, with every new command parked meanwhile.
     */
    @Test
    void aChangeDuringALeadershipTransferIsRefusedForNow()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        // C misses an entry, so the transfer to it waits for it to catch up.
        cluster.lose = (to, rpc) -> to.equals(C);
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(new SimKv.Put("k", "v")),
            ReplyMode.NO_REPLY), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();
        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(1, C), cluster.now));
        assertThat(leader.leader.transferring()).isTrue();
        final long lastIndex = leader.lastIndex();

        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(2, C), cluster.now));
        cluster.run(leader, leader.handle(new RaftEvent.AddMember(3, promotable(new ServerId("t", "n4"))),
            cluster.now));

        assertThat(leader.lastIndex()).as("nothing appended").isEqualTo(lastIndex);
        assertThat(failed(2).error()).isEqualTo(CallError.CLUSTER_CHANGE_NOT_PERMITTED);
        assertThat(failed(3).error()).isEqualTo(CallError.CLUSTER_CHANGE_NOT_PERMITTED);
    }

    /**
     * C is removed while it hears nothing (its node down): the retirement asked for when the removal commits does not
     * reach it. Back, it campaigns for ever, each pre-vote refused: the leader asks for its retirement again.
     */
    @Test
    void aRemovedMemberThatCampaignsIsRetired()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        cluster.lose = (to, rpc) -> to.equals(C);
        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(1, C), cluster.now));
        cluster.deliverAll();
        assertThat(leader.members()).extracting(Member::id).containsExactly(A, B);
        byA.clear();

        preVote(leader, C);

        assertThat(retired()).as("the leader's actions").contains(C);
    }

    /**
     * Only a server a committed configuration named is retired: not one never a member (started by mistake: retiring
     * deletes its data), nor one being added, nor one added back under the same id.
     */
    @Test
    void aServerBeingAddedOrAddedBackOrNeverAMemberIsNotRetired()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        final ServerId stranger = new ServerId("t", "n9");
        cluster.lose = (to, rpc) -> !cluster.cores.containsKey(to);
        preVote(leader, stranger);
        assertThat(byA).doesNotHaveAnyElementsOfTypes(RaftAction.RetireMember.class);

        // n4 is being added: its addition is appended, not committed (nothing reaches B or C).
        final ServerId joining = new ServerId("t", "n4");
        cluster.lose = (to, rpc) -> true;
        cluster.run(leader, leader.handle(new RaftEvent.AddMember(1, promotable(joining)), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        preVote(leader, joining);
        assertThat(byA).doesNotHaveAnyElementsOfTypes(RaftAction.RetireMember.class);
        cluster.lose = (to, rpc) -> !cluster.cores.containsKey(to) || to.equals(C);
        cluster.run(leader, leader.handle(new RaftEvent.Tick(), cluster.now));
        cluster.deliverAll();
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());

        // C is removed, then added back under the same id: neither while the addition is pending nor once committed.
        cluster.run(leader, leader.handle(new RaftEvent.RemoveMember(2, C), cluster.now));
        cluster.deliverAll();
        assertThat(retired()).contains(C);
        byA.clear();
        cluster.lose = (to, rpc) -> !to.equals(A);
        cluster.run(leader, leader.handle(new RaftEvent.AddMember(3, promotable(C)), cluster.now));
        preVote(leader, C);
        requestVote(leader, C);
        cluster.lose = (to, rpc) -> !cluster.cores.containsKey(to) || to.equals(C);
        cluster.run(leader, leader.handle(new RaftEvent.Tick(), cluster.now));
        cluster.deliverAll();
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
        preVote(leader, C);
        requestVote(leader, C);
        assertThat(byA).doesNotHaveAnyElementsOfTypes(RaftAction.RetireMember.class);
    }

    private static Member promotable(final ServerId id)
    {
        return new Member(id, Membership.PROMOTABLE, 0);
    }

    private void preVote(final ServerCore leader, final ServerId from)
    {
        cluster.run(leader, leader.handle(new RaftEvent.RpcReceived(from, new RaftRpc.PreVoteRpc(leader.currentTerm(),
            1, from, 0, 0, 0)), cluster.now));
    }

    private void requestVote(final ServerCore leader, final ServerId from)
    {
        cluster.run(leader, leader.handle(new RaftEvent.RpcReceived(from, new RaftRpc.RequestVoteRpc(
            leader.currentTerm(), from, 0, 0)), cluster.now));
    }

    private RaftAction.CallFailed failed(final long callId)
    {
        return byA.stream().filter(a -> a instanceof RaftAction.CallFailed f && f.callId() == callId)
            .map(RaftAction.CallFailed.class::cast).findFirst()
            .orElseThrow(() -> new AssertionError("call " + callId + " did not fail: " + byA));
    }

    /** Members whose retirement the leader asked for. */
    private List<ServerId> retired()
    {
        return byA.stream().filter(RaftAction.RetireMember.class::isInstance)
            .map(a -> ((RaftAction.RetireMember)a).member()).toList();
    }
}
