package dev.ra.core;

import static dev.ra.core.ThreeCores.A;
import static dev.ra.core.ThreeCores.B;
import static dev.ra.core.ThreeCores.C;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.UserCommand;
import dev.ra.sim.SimKv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A leadership transfer asked for while another is under way is refused, and says so: it was refused
 * {@code NOT_PERMITTED} with no explanation, the same answer as for a target whose build cannot apply the log.
 */
class TransferRefusalTest
{
    private final ThreeCores cluster = new ThreeCores();
    private final List<RaftAction.CallFailed> failedByA = new ArrayList<>();

    TransferRefusalTest()
    {
        cluster.watch = (core, action) ->
        {
            if (action instanceof RaftAction.CallFailed failed && core.id().equals(A))
            {
                failedByA.add(failed);
            }
        };
    }

    @Test
    void aSecondTransferIsRefusedNamingTheOneUnderWay()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        // C misses an entry, so the transfer to it waits for it to catch up.
        cluster.lose = (to, rpc) -> to.equals(C);
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(new SimKv.Put("k", "v")),
            ReplyMode.NO_REPLY), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();
        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(1, C), cluster.now));

        cluster.run(leader, leader.handle(new RaftEvent.TransferLeadership(2, B), cluster.now));

        assertThat(failedByA).hasSize(1);
        assertThat(failedByA.get(0).error()).isEqualTo(CallError.NOT_PERMITTED);
        assertThat(failedByA.get(0).detail()).as("the detail").isNotNull().contains(C.toString(), "under way");
    }
}
