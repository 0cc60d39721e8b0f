package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.sim.SimKv;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * A leader wants ticks ({@link ServerCore#wantsTicks}) only while a tick could do something, so a shell hosting
 * thousands of idle clusters skips their ticks; what ticks are for still happens when due. Three cores exchange their
 * messages in the test; timers are not run (no election timeout fires), except the commit notice's, which fires
 * when set, its delay passed.
 */
class IdleLeaderTicksTest
{
    private static final ServerId A = new ServerId("t", "n1");
    private static final ServerId B = new ServerId("t", "n2");
    private static final ServerId C = new ServerId("t", "n3");
    private static final List<ServerId> IDS = List.of(A, B, C);

    private final Map<ServerId, ServerCore> cores = new LinkedHashMap<>();
    private final Map<ServerId, ServerStorage> storages = new LinkedHashMap<>();
    private final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();
    private long now = 1;
    /** Messages (from, to, rpc) it answers true for are lost. */
    private BiPredicate<ServerId, RaftRpc> lose = (to, rpc) -> false;

    @Test
    void anIdleLeaderWhoseFollowersKnowEverythingWantsNoTicks()
    {
        final ServerCore leader = cluster(new SimKv(0));
        assertThat(leader.wantsTicks()).as("a leader whose followers have replied to its first entry").isFalse();

        leader(leader, new SimKv.Put("k", "v"));
        assertThat(leader.wantsTicks()).as("entries sent, not yet acknowledged").isTrue();
        deliverAll();
        for (final ServerCore core : cores.values())
        {
            assertThat(core.lastApplied()).as("applied on " + core.id()).isEqualTo(leader.commitIndex());
        }
        assertThat(leader.wantsTicks()).as("followers applied and reported everything").isFalse();
        assertThat(cores.get(B).wantsTicks()).as("a follower").isFalse();
    }

    @Test
    void aLostCommitNoticeKeepsTheLeaderTickingUntilATickHasResentIt()
    {
        final ServerCore leader = cluster(new SimKv(0));
        // C gets the entry but not the notice of its commit (nor any later message carrying it).
        lose = (to, rpc) -> to.equals(C) && rpc instanceof RaftRpc.AppendEntriesRpc append &&
            append.entries().isEmpty();
        leader(leader, new SimKv.Put("k", "v"));
        deliverAll();
        assertThat(cores.get(C).lastApplied()).as("C, its notice lost").isLessThan(leader.commitIndex());
        assertThat(leader.wantsTicks()).as("C has not reported the commit index").isTrue();

        lose = (to, rpc) -> false;
        for (int ticks = 0; ticks < 3 && cores.get(C).lastApplied() < leader.commitIndex(); ticks++)
        {
            tick(leader);
        }
        assertThat(cores.get(C).lastApplied()).as("C after the leader's ticks").isEqualTo(leader.commitIndex());
        assertThat(leader.wantsTicks()).as("once C reported it").isFalse();
    }

    @Test
    void aLeaderOfAMachineWithItsOwnTickWantsEveryTickAndTheMachineGetsThem()
    {
        final TickingMachine machine = new TickingMachine();
        final ServerCore leader = cluster(machine);
        assertThat(leader.wantsTicks()).as("idle, but its machine has a tick of its own").isTrue();
        final int before = machine.ticks;
        tick(leader);
        tick(leader);
        assertThat(machine.ticks - before).as("machine ticks on the leader").isEqualTo(2);
        assertThat(cores.get(B).wantsTicks()).as("a follower of such a machine").isFalse();
    }

    private ServerCore cluster(final StateMachine<?, ?> machine)
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
            final ServerCore core = new ServerCore(CoreConfig.defaults(id, "t", members), machine, storage.log(),
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

    private void leader(final ServerCore leader, final Object command)
    {
        run(leader, leader.handle(new RaftEvent.ClientCommand(UserCommand.ofValue(command), ReplyMode.NO_REPLY), now));
        run(leader, leader.flush(now));
    }

    private void tick(final ServerCore leader)
    {
        now += 1_000;
        run(leader, leader.handle(new RaftEvent.Tick(), now));
        deliverAll();
    }

    private void deliverAll()
    {
        for (int delivered = 0; !inFlight.isEmpty(); delivered++)
        {
            assertThat(delivered).as("messages delivered without the cluster settling").isLessThan(10_000);
            final Object[] message = inFlight.poll();
            final ServerCore to = cores.get((ServerId)message[1]);
            run(to, to.handle(new RaftEvent.RpcReceived((ServerId)message[0], (RaftRpc)message[2]), now));
            run(to, to.flush(now));
        }
    }

    private void run(final ServerCore core, final List<RaftAction> actions)
    {
        long written = -1;
        long writtenTerm = 0;
        long noticeDelayMs = -1;
        for (final RaftAction action : List.copyOf(actions))
        {
            if (action instanceof RaftAction.AppendToLog append)
            {
                storages.get(core.id()).log().append(append.entries());
                final LogEntry last = append.entries().get(append.entries().size() - 1);
                written = last.index();
                writtenTerm = last.term();
            }
            else if (action instanceof RaftAction.Send send && !lose.test(send.to(), send.rpc()))
            {
                inFlight.add(new Object[] {core.id(), send.to(), send.rpc()});
            }
            else if (action instanceof RaftAction.SetCommitNoticeTimer timer)
            {
                noticeDelayMs = timer.delayMs();
            }
        }
        if (written > 0)
        {
            run(core, core.handle(new RaftEvent.LogWritten(written, writtenTerm), now));
        }
        if (noticeDelayMs >= 0)
        {
            now += noticeDelayMs;
            run(core, core.handle(new RaftEvent.CommitNoticeDue(), now));
        }
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
