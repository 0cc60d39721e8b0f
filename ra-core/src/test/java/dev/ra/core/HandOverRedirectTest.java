package dev.ra.core;

import static dev.ra.core.ThreeCores.B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.sim.SimKv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stopping leader hands its leadership over; a command that reaches it after it stepped down, before it has heard
 * from its successor, waits for the successor's id and is then refused with it as the hint, whether or not commands
 * were kept during the hand-over; so does a consistent query, whether it was waiting for a heartbeat round when the
 * leader stepped down or arrived afterwards. Three cores exchange their messages in the test, one at a time; no
 * election timer fires.
 */
class HandOverRedirectTest
{
    private final ThreeCores cluster = new ThreeCores();
    private final List<RaftAction.CommandNotTaken> refusedByA = new ArrayList<>();
    private final List<RaftAction.CallFailed> failedByA = new ArrayList<>();

    HandOverRedirectTest()
    {
        cluster.watch = (core, action) ->
        {
            if (action instanceof RaftAction.CommandNotTaken refused && core.id().equals(ThreeCores.A))
            {
                refusedByA.add(refused);
            }
            if (action instanceof RaftAction.CallFailed failed && core.id().equals(ThreeCores.A))
            {
                failedByA.add(failed);
            }
        };
    }

    @Test
    void aCommandArrivingAfterTheStepDownWithNothingKeptIsRedirectedToTheSuccessor()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        cluster.run(leader, leader.stopping());
        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(1, B), cluster.now));
        deliverUntilStepDown(leader);
        assertThat(leader.leaderId()).as("A has not heard from its successor yet").isNull();

        command(leader, 7);
        assertThat(refusedByA).as("refused before the successor is known").isEmpty();

        cluster.deliverAll();
        assertThat(cluster.cores.get(B).role()).isEqualTo(RaftRole.LEADER);
        assertThat(refusedByA).as("refused once the successor is known").hasSize(1);
        assertThat(refusedByA.get(0).leaderHint()).as("the hint").isEqualTo(B);
    }

    @Test
    void aCommandArrivingAfterTheStepDownJoinsThoseKeptDuringTheHandOver()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        cluster.run(leader, leader.stopping());
        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(1, B), cluster.now));
        command(leader, 7);
        deliverUntilStepDown(leader);
        command(leader, 8);
        assertThat(refusedByA).as("refused before the successor is known").isEmpty();

        cluster.deliverAll();
        assertThat(refusedByA).as("both refused once the successor is known").hasSize(2)
            .allSatisfy(refused -> assertThat(refused.leaderHint()).isEqualTo(B));
    }

    @Test
    void consistentQueriesPendingAtTheStepDownOrArrivingAfterItAreRedirectedToTheSuccessor()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        // The query's heartbeat round never completes: it is still pending when A steps down.
        cluster.lose = (to, rpc) -> rpc instanceof RaftRpc.HeartbeatRpc;
        cluster.run(leader, leader.handle(new RaftEvent.ConsistentQuery(21), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.run(leader, leader.stopping());
        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(1, B), cluster.now));
        deliverUntilStepDown(leader);
        cluster.run(leader, leader.handle(new RaftEvent.ConsistentQuery(22), cluster.now));
        assertThat(failedByA).as("queries failed before the successor is known")
            .noneMatch(failed -> failed.callId() == 21 || failed.callId() == 22);

        cluster.deliverAll();
        assertThat(failedByA).as("queries failed once the successor is known")
            .filteredOn(failed -> failed.callId() == 21 || failed.callId() == 22).hasSize(2)
            .allSatisfy(failed -> assertThat(failed).isEqualTo(new RaftAction.CallFailed(failed.callId(),
                CallError.NOT_LEADER, B)));
    }

    @Test
    void aFollowerThatNeverLedRefusesAtOnceWhenItKnowsNoLeader()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        final ServerCore follower = cluster.cores.get(ThreeCores.C);
        cluster.run(follower, follower.handle(new RaftEvent.RpcReceived(B, new RaftRpc.RequestVoteRpc(
            leader.currentTerm() + 1, B, leader.lastIndex(), leader.currentTerm())), cluster.now));
        assertThat(follower.leaderId()).isNull();
        final List<RaftAction> actions = follower.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(
            new SimKv.Put("k", "v")), new ReplyMode.AwaitConsensus(9)), cluster.now);
        assertThat(actions).as("refused at once, nothing to wait for").anySatisfy(action ->
            assertThat(action).isInstanceOfSatisfying(RaftAction.CommandNotTaken.class,
                refused -> assertThat(refused.leaderHint()).isNull()));
        assertThat(follower.handle(new RaftEvent.ConsistentQuery(10), cluster.now)).as("a query too")
            .contains(new RaftAction.CallFailed(10, CallError.NOT_LEADER, null));
    }

    private void command(final ServerCore core, final long callId)
    {
        cluster.run(core, core.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(new SimKv.Put("k" + callId,
            "v")), new ReplyMode.AwaitConsensus(callId)), cluster.now));
    }

    private void deliverUntilStepDown(final ServerCore leader)
    {
        for (int delivered = 0; leader.role() == RaftRole.LEADER; delivered++)
        {
            assertThat(delivered).as("messages delivered without A stepping down").isLessThan(1_000);
            assertThat(cluster.inFlight()).as("a message in flight while A still leads").isTrue();
            cluster.deliverOne();
        }
    }
}
