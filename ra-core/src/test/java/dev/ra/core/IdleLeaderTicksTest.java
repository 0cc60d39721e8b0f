package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.sim.SimKv;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A leader wants ticks ({@link ServerCore#wantsTicks}) only while a tick could do something, so a shell hosting
 * thousands of idle clusters skips their ticks; what ticks are for still happens when due. Three cores exchange their
 * messages in the test; timers are not run (no election timeout fires), except the commit notice's, which fires
 * when set, its delay passed.
 */
class IdleLeaderTicksTest
{
    private final ThreeCores cluster = new ThreeCores();

    @Test
    void anIdleLeaderWhoseFollowersKnowEverythingWantsNoTicks()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        assertThat(leader.wantsTicks()).as("a leader whose followers have replied to its first entry").isFalse();

        leader(leader, new SimKv.Put("k", "v"));
        assertThat(leader.wantsTicks()).as("entries sent, not yet acknowledged").isTrue();
        cluster.deliverAll();
        for (final ServerCore core : cluster.cores.values())
        {
            assertThat(core.lastApplied()).as("applied on " + core.id()).isEqualTo(leader.commitIndex());
        }
        assertThat(leader.wantsTicks()).as("followers applied and reported everything").isFalse();
        assertThat(core(ThreeCores.B).wantsTicks()).as("a follower").isFalse();
    }

    @Test
    void aLostCommitNoticeKeepsTheLeaderTickingUntilATickHasResentIt()
    {
        final ServerCore leader = cluster.start(new SimKv(0));
        // C gets the entry but not the notice of its commit (nor any later message carrying it).
        cluster.lose = (to, rpc) -> to.equals(ThreeCores.C) && rpc instanceof RaftRpc.AppendEntriesRpc append &&
            append.entries().isEmpty();
        leader(leader, new SimKv.Put("k", "v"));
        cluster.deliverAll();
        assertThat(core(ThreeCores.C).lastApplied()).as("C, its notice lost").isLessThan(leader.commitIndex());
        assertThat(leader.wantsTicks()).as("C has not reported the commit index").isTrue();

        cluster.lose = (to, rpc) -> false;
        for (int ticks = 0; ticks < 3 && core(ThreeCores.C).lastApplied() < leader.commitIndex(); ticks++)
        {
            tick(leader);
        }
        assertThat(core(ThreeCores.C).lastApplied()).as("C after the leader's ticks")
            .isEqualTo(leader.commitIndex());
        assertThat(leader.wantsTicks()).as("once C reported it").isFalse();
    }

    @Test
    void aLeaderOfAMachineWithItsOwnTickWantsEveryTickAndTheMachineGetsThem()
    {
        final TickingMachine machine = new TickingMachine();
        final ServerCore leader = cluster.start(machine);
        assertThat(leader.wantsTicks()).as("idle, but its machine has a tick of its own").isTrue();
        final int before = machine.ticks;
        tick(leader);
        tick(leader);
        assertThat(machine.ticks - before).as("machine ticks on the leader").isEqualTo(2);
        assertThat(core(ThreeCores.B).wantsTicks()).as("a follower of such a machine").isFalse();
    }

    private void leader(final ServerCore leader, final Object command)
    {
        cluster.run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(command),
            ReplyMode.NO_REPLY), cluster.now));
        cluster.run(leader, leader.flush(cluster.now));
    }

    private ServerCore core(final ServerId id)
    {
        return cluster.cores.get(id);
    }

    private void tick(final ServerCore leader)
    {
        cluster.now += 1_000;
        cluster.run(leader, leader.handle(new RaftEvent.Tick(), cluster.now));
        cluster.deliverAll();
    }

    /** A machine with a tick of its own, counting the calls (a test's counter: the machine keeps no state). */
    private static final class TickingMachine implements StateMachine<Object, Long>
    {
        int ticks;

        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1);
        }

        @Override
        public List<Effect> tick(final long nowMs, final Long state)
        {
            ticks++;
            return List.of();
        }
    }
}
