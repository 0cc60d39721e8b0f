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
 * were kept during the hand-over. Three cores exchange their messages in the test, one at a time; no election timer
 * fires.
 */
class HandOverRedirectTest
{
    private final ThreeCores cluster = new ThreeCores();
    private final List<RaftAction.CommandNotTaken> refusedByA = new ArrayList<>();

    HandOverRedirectTest()
    {
        cluster.watch = (core, action) ->
        {
            if (action instanceof RaftAction.CommandNotTaken refused && core.id().equals(ThreeCores.A))
            {
                refusedByA.add(refused);
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
