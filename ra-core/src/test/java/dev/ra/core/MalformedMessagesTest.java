package dev.ra.core;

import static dev.ra.core.ThreeCores.B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.sim.SimKv;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Messages no correct member sends (a broken or foreign build; the wire decoder checks shapes, not Raft's indexes) must
 * not take their receiver down: a reply naming an index no log has is taken as the lowest it can mean, and entries that
 * do not follow one another from the index after the one the leader names are ignored.
 */
class MalformedMessagesTest
{
    private final ThreeCores cluster = new ThreeCores();

    @Test
    void rejectionSuggestingIndexZeroOrLessDoesNotStopTheLeader()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        for (final long suggested : new long[] {0, -5, Long.MIN_VALUE})
        {
            cluster.run(leader, leader.handle(new RaftEvent.RpcReceived(B, new RaftRpc.AppendEntriesReply(
                leader.currentTerm(), false, suggested, 0, 0, 0, 0)), cluster.now));
            cluster.run(leader, leader.flush(cluster.now));
            cluster.deliverAll();
        }
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(new SimKv.Put("k", "v")),
            ReplyMode.NO_REPLY), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();

        assertThat(leader.role()).isEqualTo(RaftRole.LEADER);
        assertThat(cluster.cores.get(B).lastIndex()).as("B's log").isEqualTo(leader.lastIndex());
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
    }

    @Test
    void entriesThatDoNotFollowThePreviousIndexAreIgnored()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        final ServerCore follower = cluster.cores.get(B);
        final long last = follower.lastIndex();
        final long term = leader.currentTerm();
        final List<List<LogEntry>> batches = List.of(
            List.of(new LogEntry(last + 2, term, 0, new EntryPayload.Noop(0))),
            List.of(new LogEntry(last + 1, term, 0, new EntryPayload.Noop(0)),
                new LogEntry(last + 3, term, 0, new EntryPayload.Noop(0))),
            List.of(new LogEntry(last, term + 1, 0, new EntryPayload.Noop(0))));
        for (final List<LogEntry> entries : batches)
        {
            cluster.run(follower, follower.handle(new RaftEvent.RpcReceived(ThreeCores.A, new RaftRpc.AppendEntriesRpc(
                term, ThreeCores.A, last, follower.termAt(last), leader.commitIndex(), entries)), cluster.now));
        }
        assertThat(follower.lastIndex()).as("B's log").isEqualTo(last);

        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(new SimKv.Put("k", "v")),
            ReplyMode.NO_REPLY), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
        cluster.deliverAll();
        assertThat(follower.lastIndex()).as("B's log after the next command").isEqualTo(leader.lastIndex());
        assertThat(follower.commitIndex()).isEqualTo(leader.commitIndex());
    }
}
