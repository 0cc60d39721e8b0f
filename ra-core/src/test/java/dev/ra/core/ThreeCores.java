package dev.ra.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Three cores whose messages a test delivers itself, in the order sent, one at a time or until none is left; their
 * storage in memory, written at once. No timer fires, except the commit notice's, which fires when set, its delay
 * passed. A test may lose messages ({@link #lose}) and watch every action a core emits ({@link #watch}).
 */
final class ThreeCores
{
    static final ServerId A = new ServerId("t", "n1");
    static final ServerId B = new ServerId("t", "n2");
    static final ServerId C = new ServerId("t", "n3");
    private static final List<ServerId> IDS = List.of(A, B, C);

    final Map<ServerId, ServerCore> cores = new LinkedHashMap<>();
    private final Map<ServerId, ServerStorage> storages = new LinkedHashMap<>();
    private final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();
    /** Messages (to, rpc) it answers true for are lost. */
    BiPredicate<ServerId, RaftRpc> lose = (to, rpc) -> false;
    /** Sees every action a core emits (the core, the action), before it is carried out. */
    BiConsumer<ServerCore, RaftAction> watch = (core, action) -> { };
    long now = 1;

    /**
     * Start the three cores with {@code machine} and make A the leader.
     *
     * @return A, leading.
     */
    ServerCore start(final StateMachine<?, ?> machine)
    {
        final ServerCore leader = startUntil(machine, () -> false);
        deliverAll();
        assertThat(leader.role()).isEqualTo(RaftRole.LEADER);
        return leader;
    }

    /**
     * Start the three cores with {@code machine} and have A campaign, delivering messages one at a time until
     * {@code done} holds or none is left.
     *
     * @return A.
     */
    ServerCore startUntil(final StateMachine<?, ?> machine, final BooleanSupplier done)
    {
        return startUntil(id -> machine, done);
    }

    /**
     * Start the three cores, each with the build {@code machines} gives for its id, and make A the leader.
     *
     * @return A, leading.
     */
    ServerCore start(final Function<ServerId, StateMachine<?, ?>> machines)
    {
        final ServerCore leader = startUntil(machines, () -> false);
        deliverAll();
        assertThat(leader.role()).isEqualTo(RaftRole.LEADER);
        return leader;
    }

    private ServerCore startUntil(final Function<ServerId, StateMachine<?, ?>> machines, final BooleanSupplier done)
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
            final ServerCore core = new ServerCore(CoreConfig.defaults(id, "t", members), machines.apply(id),
                storage.log(), storage.snapshots(), RecoveredState.NEW, new SplittableRandom(id.hashCode()));
            cores.put(id, core);
            run(core, core.start(now));
        }
        final ServerCore leader = cores.get(A);
        run(leader, leader.handle(new RaftEvent.TriggerElection(), now));
        for (int delivered = 0; !done.getAsBoolean() && !inFlight.isEmpty(); delivered++)
        {
            assertThat(delivered).as("messages delivered without the cluster settling").isLessThan(10_000);
            deliverOne();
        }
        return leader;
    }

    /**
     * @return whether a message is in flight.
     */
    boolean inFlight()
    {
        return !inFlight.isEmpty();
    }

    /** Deliver the oldest message in flight, and flush its receiver. */
    void deliverOne()
    {
        final Object[] message = inFlight.poll();
        final ServerCore to = cores.get((ServerId)message[1]);
        run(to, to.handle(new RaftEvent.RpcReceived((ServerId)message[0], (RaftRpc)message[2]), now));
        run(to, to.flush(now));
    }

    /** Deliver messages until none is in flight. */
    void deliverAll()
    {
        for (int delivered = 0; !inFlight.isEmpty(); delivered++)
        {
            assertThat(delivered).as("messages delivered without the cluster settling").isLessThan(10_000);
            deliverOne();
        }
    }

    /**
     * Carry out a core's actions: log appends (then their {@link RaftEvent.LogWritten}), messages, the commit notice.
     */
    void run(final ServerCore core, final List<RaftAction> actions)
    {
        long written = -1;
        long writtenTerm = 0;
        long noticeDelayMs = -1;
        for (final RaftAction action : List.copyOf(actions))
        {
            watch.accept(core, action);
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
}
