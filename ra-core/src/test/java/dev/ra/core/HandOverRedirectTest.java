package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.sim.SimKv;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A stopping leader hands its leadership over; a command that reaches it after it stepped down, before it has heard
 * from its successor, waits for the successor's id and is then refused with it as the hint, whether or not commands
 * were kept during the hand-over. Three cores exchange their messages in the test, one at a time; no timer fires.
 */
class HandOverRedirectTest
{
    private static final ServerId A = new ServerId("t", "n1");
    private static final ServerId B = new ServerId("t", "n2");
    private static final ServerId C = new ServerId("t", "n3");
    private static final List<ServerId> IDS = List.of(A, B, C);

    private final Map<ServerId, ServerCore> cores = new LinkedHashMap<>();
    private final Map<ServerId, ServerStorage> storages = new LinkedHashMap<>();
    private final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();
    private final List<RaftAction.CommandNotTaken> refusedByA = new ArrayList<>();
    private long now = 1;

    @Test
    void aCommandArrivingAfterTheStepDownWithNothingKeptIsRedirectedToTheSuccessor()
    {
        final ServerCore leader = cluster();
        run(leader, leader.stopping());
        run(leader, leader.handle(new RaftEvent.TransferLeadership(1, B), now));
        deliverUntilAStepsDown(leader);
        assertThat(leader.leaderId()).as("A has not heard from its successor yet").isNull();

        command(leader, 7);
        assertThat(refusedByA).as("refused before the successor is known").isEmpty();

        deliverAll();
        assertThat(cores.get(B).role()).isEqualTo(RaftRole.LEADER);
        assertThat(refusedByA).as("refused once the successor is known").hasSize(1);
        assertThat(refusedByA.get(0).leaderHint()).as("the hint").isEqualTo(B);
    }

    @Test
    void aCommandArrivingAfterTheStepDownJoinsThoseKeptDuringTheHandOver()
    {
        final ServerCore leader = cluster();
        run(leader, leader.stopping());
        run(leader, leader.handle(new RaftEvent.TransferLeadership(1, B), now));
        command(leader, 7);
        deliverUntilAStepsDown(leader);
        command(leader, 8);
        assertThat(refusedByA).as("refused before the successor is known").isEmpty();

        deliverAll();
        assertThat(refusedByA).as("both refused once the successor is known").hasSize(2)
            .allSatisfy(refused -> assertThat(refused.leaderHint()).isEqualTo(B));
    }

    @Test
    void aFollowerThatNeverLedRefusesAtOnceWhenItKnowsNoLeader()
    {
        final ServerCore leader = cluster();
        final ServerCore follower = cores.get(C);
        run(follower, follower.handle(new RaftEvent.RpcReceived(B, new RaftRpc.RequestVoteRpc(leader.currentTerm() + 1,
            B, leader.lastIndex(), leader.currentTerm())), now));
        assertThat(follower.leaderId()).isNull();
        final List<RaftAction> actions = follower.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(
            new SimKv.Put("k", "v")), new ReplyMode.AwaitConsensus(9)), now);
        assertThat(actions).as("refused at once, nothing to wait for").anySatisfy(action ->
            assertThat(action).isInstanceOfSatisfying(RaftAction.CommandNotTaken.class,
                refused -> assertThat(refused.leaderHint()).isNull()));
    }

    private ServerCore cluster()
    {
        final InMemoryStorage store = new InMemoryStorage();
        final List<Member> members = List.of(Member.voter(A), Member.voter(B), Member.voter(C));
        for (final ServerId id : IDS)
        {
            final ServerStorage storage = store.open(id, new LogListener()
            {
                @Override
                public void onWritten(final long index, final long term)
                {
                }

                @Override
                public void onFailure(final Throwable cause)
                {
                }
            });
            storages.put(id, storage);
            final ServerCore core = new ServerCore(CoreConfig.defaults(id, "t", members), new SimKv(0), storage.log(),
                storage.snapshots(), RecoveredState.NEW, new SplittableRandom(id.hashCode()));
            cores.put(id, core);
            run(core, core.start(now));
        }
        final ServerCore leader = cores.get(A);
        run(leader, leader.handle(new RaftEvent.TriggerElection(), now));
        deliverAll();
        assertThat(leader.role()).isEqualTo(RaftRole.LEADER);
        return leader;
    }

    private void command(final ServerCore core, final long callId)
    {
        run(core, core.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(new SimKv.Put("k" + callId, "v")),
            new ReplyMode.AwaitConsensus(callId)), now));
    }

    private void deliverUntilAStepsDown(final ServerCore leader)
    {
        for (int delivered = 0; leader.role() == RaftRole.LEADER; delivered++)
        {
            assertThat(delivered).as("messages delivered without A stepping down").isLessThan(1_000);
            assertThat(inFlight).as("messages left while A still leads").isNotEmpty();
            deliverOne();
        }
    }

    private void deliverAll()
    {
        for (int delivered = 0; !inFlight.isEmpty(); delivered++)
        {
            assertThat(delivered).as("messages delivered without the cluster settling").isLessThan(10_000);
            deliverOne();
        }
    }

    private void deliverOne()
    {
        final Object[] message = inFlight.poll();
        final ServerCore to = cores.get((ServerId)message[1]);
        run(to, to.handle(new RaftEvent.RpcReceived((ServerId)message[0], (RaftRpc)message[2]), now));
        run(to, to.flush(now));
    }

    private void run(final ServerCore core, final List<RaftAction> actions)
    {
        long written = -1;
        long writtenTerm = 0;
        for (final RaftAction action : List.copyOf(actions))
        {
            if (action instanceof RaftAction.AppendToLog append)
            {
                storages.get(core.id()).log().append(append.entries());
                final LogEntry last = append.entries().get(append.entries().size() - 1);
                written = last.index();
                writtenTerm = last.term();
            }
            else if (action instanceof RaftAction.Send send)
            {
                inFlight.add(new Object[] {core.id(), send.to(), send.rpc()});
            }
            else if (action instanceof RaftAction.CommandNotTaken refused && core.id().equals(A))
            {
                refusedByA.add(refused);
            }
        }
        if (written > 0)
        {
            run(core, core.handle(new RaftEvent.LogWritten(written, writtenTerm), now));
        }
    }
}
