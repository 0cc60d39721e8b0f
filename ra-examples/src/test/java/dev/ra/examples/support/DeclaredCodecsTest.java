package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.InvalidCommandException;
import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.examples.group.GroupCommand;
import dev.ra.examples.group.GroupMachine;
import dev.ra.examples.kv.KvCommand;
import dev.ra.examples.kv.KvMachine;
import dev.ra.examples.latch.LatchCommand;
import dev.ra.examples.latch.LatchMachine;
import dev.ra.examples.leader.FollowTheLeaderMachine;
import dev.ra.examples.leader.LeaderCommand;
import dev.ra.examples.lease.LeasedKvCommand;
import dev.ra.examples.lease.LeasedKvMachine;
import dev.ra.examples.lock.LockCommand;
import dev.ra.examples.lock.LockMachine;
import dev.ra.examples.sessionlock.SessionLockCommand;
import dev.ra.examples.sessionlock.SessionLockMachine;
import dev.ra.examples.tasks.TaskCommand;
import dev.ra.examples.tasks.TaskQueueMachine;
import dev.ra.examples.tour.CounterMapMachine;
import dev.ra.examples.tree.TreeCommand;
import dev.ra.examples.tree.TreeMachine;
import dev.ra.examples.txn.CoordinatorCommand;
import dev.ra.examples.txn.CoordinatorMachine;
import dev.ra.examples.txn.ParticipantCommand;
import dev.ra.examples.txn.ParticipantMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The toolbox machines' codecs were the unrestricted generic codec: the bytes of a command from any node could have
 * the leader's node initialise any enum and construct any record class on its class path, before the command was
 * refused as not of the machine's type. Right: each machine's codecs are declared to its types, so the leader refuses
 * such bytes to their caller without building the class they name, and the cluster goes on serving.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class DeclaredCodecsTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");
    private static final String CALLER_NODE = "n4";
    private static final ProcessRef SOME_PROCESS = new ProcessRef("n1", 1);

    /** Constructions of {@link Intruder}, on any node of this JVM. */
    static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    /** A record of the class path that no toolbox machine declares, whose construction is seen. */
    record Intruder(String value)
    {
        Intruder
        {
            CONSTRUCTED.incrementAndGet();
        }
    }

    /**
     * The caller's node's view of the cluster: a build whose command codec is the unrestricted generic codec and whose
     * command type is any, so that it sends the bytes of any record. It never runs.
     */
    static final class OtherBuild implements StateMachine<Object, Object>
    {
        @Override
        public Object init(final InitArgs args)
        {
            return null;
        }

        @Override
        public ApplyResult<Object> apply(final CommandMeta meta, final Object command, final Object state)
        {
            throw new UnsupportedOperationException("never runs");
        }
    }

    static Stream<Arguments> machines()
    {
        return Stream.of(
            machine("kv", (cluster, node) -> new KvMachine(), leader -> new KvCommand.Put("k", "v")),
            machine("group", (cluster, node) -> new GroupMachine(), leader -> new GroupCommand.Join("g", SOME_PROCESS)),
            machine("lock", (cluster, node) -> new LockMachine(), leader -> new LockCommand.Acquire("k", SOME_PROCESS)),
            machine("sessionlock", (cluster, node) -> new SessionLockMachine(),
                leader -> new SessionLockCommand.Acquire("k", SOME_PROCESS)),
            machine("latch", (cluster, node) -> new LatchMachine(),
                leader -> new LatchCommand.TrySetCount("l", 2, "r")),
            machine("tasks", (cluster, node) -> new TaskQueueMachine(),
                leader -> new TaskCommand.Enqueue(SOME_PROCESS, "t")),
            machine("leader", (cluster, node) -> new FollowTheLeaderMachine(new ServerId(cluster, node),
                Duration.ofSeconds(1)), LeaderCommand.Claim::new),
            machine("participant", (cluster, node) -> new ParticipantMachine(),
                leader -> new ParticipantCommand.Deposit("a", 5)),
            machine("coordinator", (cluster, node) -> new CoordinatorMachine(new ServerId(cluster, node)),
                CoordinatorCommand.Claim::new),
            machine("tree", (cluster, node) -> new TreeMachine(), leader -> new TreeCommand.Configure(60_000)),
            machine("leasedkv", (cluster, node) -> new LeasedKvMachine(),
                leader -> new LeasedKvCommand.Put("k", "v", 0)),
            machine("counters", (cluster, node) -> new CounterMapMachine(), leader -> "c"));
    }

    private static Arguments machine(final String name, final BiFunction<String, String, StateMachine<?, ?>> factory,
        final Function<ServerId, Object> valid)
    {
        return Arguments.of(name, factory, valid);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("machines")
    void aCommandNamingAnUndeclaredRecordIsRefusedToItsCallerUnbuiltAndTheClusterServesOn(final String name,
        final BiFunction<String, String, StateMachine<?, ?>> factory, final Function<ServerId, Object> valid)
    {
        final LoopbackNetty transports = new LoopbackNetty(NODES);
        try (InJvmCluster nodes = new InJvmCluster(NODES, transports, (node, builder) ->
        {
            if (!CALLER_NODE.equals(node))
            {
                builder.registerMachine(name, () -> factory.apply(name, node));
            }
        }))
        {
            transports.awaitConnected(WAIT);
            final List<ServerId> members = List.of(new ServerId(name, "n1"), new ServerId(name, "n2"),
                new ServerId(name, "n3"));
            nodes.system("n1").startCluster(name, name, members);
            final ServerId leader = nodes.awaitLeader(members, WAIT);
            final RaSystem caller = nodes.system(CALLER_NODE);
            caller.registerCluster(name, new OtherBuild(), members);
            final Intruder intruder = new Intruder("x");
            final int constructed = CONSTRUCTED.get();

            assertThatThrownBy(() -> caller.processCommand(leader, intruder, WAIT))
                .isInstanceOf(InvalidCommandException.class).hasMessageContaining(Intruder.class.getName())
                .hasMessageContaining("declares");
            assertThat(CONSTRUCTED.get()).as("constructions of the record the bytes named, on the leader's node")
                .isEqualTo(constructed);

            final ServerId current = nodes.awaitLeader(members, WAIT);
            nodes.system(current.node()).processCommand(current, valid.apply(current), WAIT);
            assertThat(nodes.system(current.node()).overview(current).counters().get("apply_failures"))
                .as("entries whose apply threw").isEqualTo(0L);
        }
    }
}
