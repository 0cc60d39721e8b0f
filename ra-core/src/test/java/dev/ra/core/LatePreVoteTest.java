package dev.ra.core;

import static dev.ra.core.ThreeCores.A;
import static dev.ra.core.ThreeCores.C;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.protocol.RaftRpc;
import dev.ra.sim.SimKv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A follower forgets a leader that asks it for a pre-vote (it restarted, or stepped down, and may never lead again),
 * but not for a pre-vote request the leader sent before it won, delivered late: that one is of an earlier term than
 * the one it leads. Three cores exchange their messages in the test, one at a time; no election timer fires.
 */
class LatePreVoteTest
{
    private final ThreeCores cluster = new ThreeCores();
    private final List<RaftRpc.PreVoteRpc> heldForC = new ArrayList<>();

    @Test
    void aPreVoteRequestTheLeaderSentBeforeItWonLeavesTheFollowerFollowingIt()
    {
        cluster.lose = (to, rpc) ->
        {
            if (to.equals(C) && rpc instanceof RaftRpc.PreVoteRpc preVote)
            {
                heldForC.add(preVote);
                return true;
            }
            return false;
        };
        final ServerCore leader = cluster.start(new SimKv(0));
        final ServerCore follower = cluster.cores.get(C);
        assertThat(follower.leaderId()).as("C follows A").isEqualTo(A);
        assertThat(heldForC).as("A's pre-vote request to C, held back").hasSize(1);
        assertThat(heldForC.get(0).term()).as("sent before A won").isLessThan(leader.currentTerm());

        cluster.run(follower, follower.handle(new RaftEvent.RpcReceived(A, heldForC.get(0)), cluster.now));
        cluster.deliverAll();
        assertThat(follower.leaderId()).as("C still follows A after the late request").isEqualTo(A);
        assertThat(leader.role()).isEqualTo(RaftRole.LEADER);
    }

    @Test
    void aPreVoteRequestOfTheLeadersTermMakesTheFollowerForgetIt()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        final ServerCore follower = cluster.cores.get(C);
        // What A sends once it restarted (a follower of the term it led): it leads nothing any more.
        final RaftRpc.PreVoteRpc afterRestart = new RaftRpc.PreVoteRpc(leader.currentTerm(), 1, A,
            leader.lastIndex(), leader.currentTerm(), 1);
        cluster.run(follower, follower.handle(new RaftEvent.RpcReceived(A, afterRestart), cluster.now));
        assertThat(follower.leaderId()).as("C forgot A").isNull();
    }
}
