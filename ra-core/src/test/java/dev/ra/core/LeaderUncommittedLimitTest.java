package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.sim.SimKv;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A leader whose followers do not acknowledge (slow, or one down and the other slow) cannot commit; a client that
 * submits commands faster than it commits must not make it hold an unbounded tail of them (entries, and a caller for
 * each) until the node runs out of memory. Past {@link CoreConfig#maxUncommittedBytes()} it refuses new commands.
 */
class LeaderUncommittedLimitTest
{
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final ServerId A = new ServerId("a", "n1");
    private static final ServerId B = new ServerId("a", "n2");
    private static final ServerId C = new ServerId("a", "n3");

    private final InMemoryStorage store = new InMemoryStorage();
    private final ServerStorage storage = store.open(A, new LogListener()
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
    private long now = 1;
    private long lastPreVoteToken;

    @Test
    void aLeaderThatCannotCommitHoldsABoundedTailOfCommands()
    {
        final ServerCore core = leader(CoreConfig.DEFAULT_MAX_UNCOMMITTED_BYTES);
        final long committed = core.commitIndex();

        // 2,000 commands of 64 KiB (125 MiB) while no follower acknowledges: the default limit is 64 MiB.
        final Bytes command = Bytes.wrap(new byte[64 * KIB]);
        int refused = 0;
        for (int i = 0; i < 2_000; i++)
        {
            final List<RaftAction> actions = List.copyOf(core.handle(new RaftEvent.ClientCommand(
                UserCommand.ofData(command), new ReplyMode.AwaitConsensus(i + 1)), now));
            if (actions.stream().anyMatch(a -> a instanceof RaftAction.CallFailed failed &&
                failed.error() == CallError.OVERLOADED))
            {
                refused++;
            }
            run(core, actions);
            run(core, core.flush(now));
        }
        assertThat(core.lastIndex() - committed).as("entries held above the commit index")
            .isLessThanOrEqualTo(64L * MIB / (64 * KIB) + 1);
        assertThat(core.leader.uncommitted.bytes()).as("bytes held").isLessThanOrEqualTo(64L * MIB);
        assertThat(refused).as("commands refused").isEqualTo(2_000 - (int)(core.lastIndex() - committed - 1));
        assertThat(core.counters().asMap()).containsEntry("commands_overloaded", (long)refused);
    }

    @Test
    void aRefusedCallerIsToldWhoRefusedAndWhichSettingAndTheTailFreesAsCommandsApply()
    {
        final ServerCore core = leader(MIB);
        final Bytes command = Bytes.wrap(new byte[64 * KIB]);
        long callId = 1;
        List<RaftAction> actions = List.of();
        while (core.lastIndex() < 100 && actions.stream().noneMatch(a -> a instanceof RaftAction.CallFailed))
        {
            actions = List.copyOf(core.handle(new RaftEvent.ClientCommand(UserCommand.ofData(command),
                new ReplyMode.AwaitConsensus(callId++)), now));
            run(core, actions);
        }
        final long lastTaken = core.lastIndex();
        assertThat(lastTaken).as("commands of 64 KiB taken under 1 MiB").isEqualTo(1 + 15);
        final RaftAction.CallFailed failed = (RaftAction.CallFailed)actions.get(0);
        assertThat(failed.error()).isEqualTo(CallError.OVERLOADED);
        assertThat(failed.leaderHint()).isEqualTo(A);
        assertThat(failed.detail()).contains(A.toString(), "maxUncommittedBytes " + MIB,
            "RaSystemBuilder.maxUncommittedBytes");

        // A pipelined command is refused too, the process told why in place of a reply.
        final ProcessRef process = new ProcessRef("n1", 1);
        final List<RaftAction> pipelined = List.copyOf(core.handle(new RaftEvent.ClientCommand(
            UserCommand.ofData(command), new ReplyMode.Notify(process, "c1")), now));
        assertThat(pipelined).singleElement().isInstanceOfSatisfying(RaftAction.NotifyRefused.class, refusal ->
        {
            assertThat(refusal.to()).isEqualTo(process);
            assertThat(refusal.correlation()).isEqualTo("c1");
            assertThat(refusal.error()).isEqualTo(CallError.OVERLOADED);
            assertThat(refusal.detail()).contains("maxUncommittedBytes");
        });
        assertThat(core.lastIndex()).isEqualTo(lastTaken);

        // B acknowledges everything: committed and applied, nothing is held any more, and commands are taken again.
        run(core, core.flush(now));
        run(core, core.handle(new RaftEvent.RpcReceived(B, new RaftRpc.AppendEntriesReply(core.currentTerm(), true,
            lastTaken + 1, lastTaken, core.currentTerm())), now));
        assertThat(core.lastApplied()).isEqualTo(lastTaken);
        assertThat(core.leader.uncommitted.bytes()).as("bytes held once all applied").isZero();
        run(core, core.handle(new RaftEvent.ClientCommand(UserCommand.ofData(command),
            new ReplyMode.AwaitConsensus(callId)), now));
        assertThat(core.lastIndex()).isEqualTo(lastTaken + 1);
    }

    @Test
    void aCommandLargerThanTheLimitIsTakenWhenNothingIsHeldAndTheLeadersOwnEntriesAreNeverRefused()
    {
        final ServerCore core = leader(64 * KIB);
        run(core, core.flush(now));
        // The noop commits (B acknowledges it): configuration changes are allowed.
        run(core, core.handle(new RaftEvent.RpcReceived(B, new RaftRpc.AppendEntriesReply(core.currentTerm(), true,
            2, 1, core.currentTerm())), now));
        run(core, core.handle(new RaftEvent.ClientCommand(UserCommand.ofData(Bytes.wrap(new byte[100 * KIB])),
            new ReplyMode.AwaitConsensus(1)), now));
        assertThat(core.lastIndex()).as("a command over the limit, nothing held").isEqualTo(2);
        final List<RaftAction> refused = List.copyOf(core.handle(new RaftEvent.ClientCommand(
            UserCommand.ofData(Bytes.wrap(new byte[10])), new ReplyMode.AwaitConsensus(2)), now));
        assertThat(refused).contains(new RaftAction.CallFailed(2, CallError.OVERLOADED, A,
            ((RaftAction.CallFailed)refused.get(0)).detail()));

        // A configuration change is the leader's own entry: appended whatever commands it holds.
        run(core, core.handle(new RaftEvent.AddMember(3, Member.voter(new ServerId("a", "n4"))), now));
        assertThat(core.lastIndex()).as("configuration change appended while overloaded").isEqualTo(3);
    }

    private ServerCore leader(final long maxUncommittedBytes)
    {
        final CoreConfig config = CoreConfig.defaults(A, "a", List.of(Member.voter(A), Member.voter(B),
            Member.voter(C))).withUncommittedLimit(maxUncommittedBytes);
        final ServerCore core = new ServerCore(config, new SimKv(0), storage.log(), storage.snapshots(),
            RecoveredState.NEW, new SplittableRandom(1));
        run(core, core.start(now));
        run(core, core.handle(new RaftEvent.TriggerElection(), now));
        run(core, core.handle(new RaftEvent.RpcReceived(B, new RaftRpc.PreVoteReply(core.currentTerm(),
            lastPreVoteToken, true)), now));
        run(core, core.handle(new RaftEvent.RpcReceived(B, new RaftRpc.RequestVoteReply(core.currentTerm(), true)),
            now));
        assertThat(core.role()).isEqualTo(RaftRole.LEADER);
        return core;
    }

    private void run(final ServerCore core, final List<RaftAction> actions)
    {
        long written = -1;
        long writtenTerm = 0;
        for (final RaftAction action : List.copyOf(actions))
        {
            if (action instanceof RaftAction.AppendToLog append)
            {
                storage.log().append(append.entries());
                final LogEntry last = append.entries().get(append.entries().size() - 1);
                written = last.index();
                writtenTerm = last.term();
            }
            else if (action instanceof RaftAction.Send send && send.rpc() instanceof RaftRpc.PreVoteRpc preVote)
            {
                lastPreVoteToken = preVote.token();
            }
        }
        if (written > 0)
        {
            run(core, core.handle(new RaftEvent.LogWritten(written, writtenTerm), now));
        }
    }
}
