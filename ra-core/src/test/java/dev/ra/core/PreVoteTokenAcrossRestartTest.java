package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.sim.SimKv;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pre-vote token tells the answers to a member's latest pre-vote round from those to earlier rounds; it is not
 * stored. A grant to a round of the member's previous run, delivered after it restarted, must not count in a round of
 * the new run: the voter granted it when it knew no leader, and may follow one now, so counting it could start a
 * needless election that deposes that leader. (Not a matter of safety: the votes of the election itself decide.)
 */
class PreVoteTokenAcrossRestartTest
{
    private static final ServerId A = new ServerId("t", "n1");
    private static final ServerId B = new ServerId("t", "n2");
    private static final List<Member> MEMBERS = List.of(Member.voter(A), Member.voter(B),
        Member.voter(new ServerId("t", "n3")));

    @Test
    void aGrantToARoundOfThePreviousRunDoesNotCountInTheNewRun()
    {
        final ServerCore before = start(1_000);
        final RaftRpc.PreVoteRpc oldRound = preVoteTo(B, before.handle(new RaftEvent.TriggerElection(), 1_000));
        final RaftRpc.PreVoteReply lateGrant = new RaftRpc.PreVoteReply(oldRound.term(), oldRound.token(), true);

        final ServerCore after = start(61_000);
        final RaftRpc.PreVoteRpc newRound = preVoteTo(B, after.handle(new RaftEvent.TriggerElection(), 61_000));
        assertThat(after.role()).isEqualTo(RaftRole.PRE_VOTE);
        after.handle(new RaftEvent.RpcReceived(B, lateGrant), 61_001);

        assertThat(after.role()).as("still asking: the grant was to round " + oldRound.token() +
            " of the previous run, the new round is " + newRound.token()).isEqualTo(RaftRole.PRE_VOTE);
        after.handle(new RaftEvent.RpcReceived(B, new RaftRpc.PreVoteReply(newRound.term(), newRound.token(), true)),
            61_002);
        assertThat(after.role()).as("a grant to the new round counts").isEqualTo(RaftRole.CANDIDATE);
    }

    private static ServerCore start(final long nowMs)
    {
        final ServerStorage storage = new InMemoryStorage().open(A, new LogListener()
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
        final ServerCore core = new ServerCore(CoreConfig.defaults(A, "t", MEMBERS), new SimKv(0), storage.log(),
            storage.snapshots(), RecoveredState.NEW, new SplittableRandom(7));
        core.start(nowMs);
        return core;
    }

    private static RaftRpc.PreVoteRpc preVoteTo(final ServerId to, final List<RaftAction> actions)
    {
        final List<RaftRpc.PreVoteRpc> sent = new ArrayList<>();
        for (final RaftAction action : actions)
        {
            if (action instanceof RaftAction.Send send && send.to().equals(to) &&
                send.rpc() instanceof RaftRpc.PreVoteRpc preVote)
            {
                sent.add(preVote);
            }
        }
        assertThat(sent).as("pre-vote requests to " + to).hasSize(1);
        return sent.get(0);
    }
}
