package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Size limits a leader's core enforces itself. A peer that does not answer is sent a bounded number of bytes, however
 * large and many the entries: each AppendEntries is bounded in command bytes, and so is what is in flight to one peer
 * (the pipeline alone counts entries, 4096 by default, which at megabytes an entry is gigabytes read and sent again at
 * every tick). A command above the maximum command size never enters the log, whoever submits it.
 */
class LeaderSizeLimitsTest
{
    private static final int MIB = 1024 * 1024;
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
    private long bytesToC;
    private long largestMessageToC;
    private long now = 1;
    private long lastPreVoteToken;

    @Test
    void bytesSentToASilentPeerAreBoundedPerFlushAndPerTick()
    {
        final ServerCore core = leader();

        // Forty commands of 512 KiB (20 MiB) while C answers nothing: at most four 1 MiB messages in flight.
        final Bytes half = Bytes.wrap(new byte[MIB / 2]);
        bytesToC = 0;
        for (int i = 0; i < 40; i++)
        {
            run(core, core.handle(new RaftEvent.ClientCommand(UserCommand.ofData(half), ReplyMode.NO_REPLY), now));
            run(core, core.flush(now));
        }
        assertThat(largestMessageToC).as("largest AppendEntries to C").isLessThanOrEqualTo(MIB);
        assertThat(bytesToC).as("bytes sent to a silent peer").isLessThanOrEqualTo(4L * MIB);

        // A tick resends from C's match index: a bounded batch again, not the whole log.
        bytesToC = 0;
        now += 1_000;
        run(core, core.handle(new RaftEvent.Tick(), now));
        assertThat(bytesToC).as("bytes resent at a tick").isPositive().isLessThanOrEqualTo(4L * MIB);

        // C answers: replication moves on, still a bounded amount at a time.
        bytesToC = 0;
        run(core, core.handle(new RaftEvent.RpcReceived(C, new RaftRpc.AppendEntriesReply(core.currentTerm(), true,
            9, 8, core.currentTerm())), now));
        assertThat(bytesToC).isPositive().isLessThanOrEqualTo(4L * MIB);
    }

    @Test
    void aCommandAboveTheMaximumSizeNeverEntersTheLog()
    {
        final ServerCore core = leader();
        final long lastIndex = core.lastIndex();
        final List<RaftAction> actions = List.copyOf(core.handle(new RaftEvent.ClientCommand(
            UserCommand.ofData(Bytes.wrap(new byte[MIB + 1])), new ReplyMode.AwaitConsensus(7)), now));
        assertThat(actions).contains(new RaftAction.CallFailed(7, CallError.INVALID_COMMAND, A));
        run(core, core.flush(now));
        assertThat(core.lastIndex()).isEqualTo(lastIndex);
        assertThat(core.counters().asMap()).containsEntry("commands_refused", 1L);
    }

    private ServerCore leader()
    {
        final CoreConfig config = CoreConfig.defaults(A, "a", List.of(Member.voter(A), Member.voter(B),
            Member.voter(C))).withSizeLimits(MIB, MIB);
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
            else if (action instanceof RaftAction.Send send && send.to().equals(C) &&
                send.rpc() instanceof RaftRpc.AppendEntriesRpc append)
            {
                final long bytes = RaftLog.commandBytes(append.entries());
                bytesToC += bytes;
                largestMessageToC = Math.max(largestMessageToC, bytes);
            }
        }
        if (written > 0)
        {
            run(core, core.handle(new RaftEvent.LogWritten(written, writtenTerm), now));
        }
    }
}
