package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.protocol.RaftRpc;
import dev.ra.sim.SimKv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A leader cut off from its quorum (no check-quorum: it leads on until it hears of a later term) cannot confirm a
 * consistent query: the query fails as "not leader" once it has waited for longer than a leader elected in its place
 * needs, so that its caller moves on to another member and the queries of callers that gave up do not pile up. A
 * query confirmed in time is answered. Three cores exchange their messages in the test; no election timer fires.
 */
class UnconfirmedQueryTest
{
    private static final int MAX_TICKS = 1_000;
    private final ThreeCores cluster = new ThreeCores();
    private final List<RaftAction> fromA = new ArrayList<>();

    UnconfirmedQueryTest()
    {
        cluster.watch = (core, action) ->
        {
            if (core.id().equals(ThreeCores.A))
            {
                fromA.add(action);
            }
        };
    }

    @Test
    void aQueryTheLeaderCannotConfirmFailsAsNotLeader()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        cluster.lose = (to, rpc) -> rpc instanceof RaftRpc.HeartbeatRpc;
        cluster.run(leader, leader.handle(new RaftEvent.ConsistentQuery(21), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        for (int tick = 0; tick < MAX_TICKS && !failed(21); tick++)
        {
            cluster.now += 50;
            cluster.run(leader, leader.handle(new RaftEvent.Tick(), cluster.now));
            cluster.run(leader, leader.flush(cluster.now));
            cluster.deliverAll();
        }
        assertThat(failed(21)).as("the unconfirmed query failed, its caller free to ask another member").isTrue();
        assertThat(leader.role()).as("A still leads, as far as it knows").isEqualTo(RaftRole.LEADER);
    }

    @Test
    void aQueryConfirmedInTimeIsAnswered()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        cluster.run(leader, leader.handle(new RaftEvent.ConsistentQuery(22), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();
        assertThat(fromA).contains(new RaftAction.QueryReady(22));
        assertThat(failed(22)).isFalse();
    }

    private boolean failed(final long queryId)
    {
        return fromA.stream().anyMatch(action -> action instanceof RaftAction.CallFailed failed &&
            failed.callId() == queryId && failed.error() == CallError.NOT_LEADER && null == failed.leaderHint());
    }
}
