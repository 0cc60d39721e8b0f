package dev.ra.core;

import static dev.ra.core.ThreeCores.A;
import static dev.ra.core.ThreeCores.C;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.codec.Bytes;
import dev.ra.protocol.UserCommand;
import dev.ra.sim.SimKv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Commands that arrive while a leader hands its leadership over are kept, not in the log, until the hand-over ends.
 * They were bounded by count only (the pipeline count, 4,096), so large commands could make a leader keep gigabytes
 * during a hand-over that waits for a slow target; they are bounded by bytes too, by the same
 * {@link CoreConfig#maxUncommittedBytes()} as what it holds appended, and those past it are refused (not taken, so
 * their callers may send them again) at once.
 */
class ParkedCommandsBytesTest
{
    private static final int MIB = 1024 * 1024;

    private final ThreeCores cluster = new ThreeCores();
    private final List<RaftAction.CommandNotTaken> notTakenByA = new ArrayList<>();

    ParkedCommandsBytesTest()
    {
        cluster.watch = (core, action) ->
        {
            if (action instanceof RaftAction.CommandNotTaken notTaken && core.id().equals(A))
            {
                notTakenByA.add(notTaken);
            }
        };
    }

    @Test
    void commandsKeptDuringAHandOverAreBoundedByBytes()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        // C misses an entry, so the transfer to it waits for it to catch up, and commands are kept meanwhile.
        cluster.lose = (to, rpc) -> to.equals(C);
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(new SimKv.Put("k", "v")),
            ReplyMode.NO_REPLY), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();
        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(1, C), cluster.now));
        assertThat(leader.leader.transferring()).as("the hand-over under way").isTrue();

        final Bytes large = Bytes.wrap(new byte[MIB]);
        final int sent = 1_000;
        for (int i = 0; i < sent; i++)
        {
            cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofData(large),
                new ReplyMode.AwaitConsensus(100 + i)), cluster.now));
        }

        final long kept = sent - notTakenByA.size();
        final long mostKept = CoreConfig.DEFAULT_MAX_UNCOMMITTED_BYTES / MIB + 1;
        assertThat(kept).as("commands of 1 MiB kept during the hand-over (maxUncommittedBytes allows %d)", mostKept)
            .isLessThanOrEqualTo(mostKept).isPositive();
    }
}
