package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.InvalidCommandException;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.examples.group.GroupMachine;
import dev.ra.examples.kv.KvCommand;
import dev.ra.examples.kv.KvMachine;
import dev.ra.examples.latch.LatchMachine;
import dev.ra.examples.leader.FollowTheLeaderMachine;
import dev.ra.examples.lease.LeasedKvMachine;
import dev.ra.examples.lock.LockMachine;
import dev.ra.examples.sessionlock.SessionLockMachine;
import dev.ra.examples.tasks.TaskQueueMachine;
import dev.ra.examples.tour.CounterMapMachine;
import dev.ra.examples.tree.TreeMachine;
import dev.ra.examples.txn.CoordinatorMachine;
import dev.ra.examples.txn.ParticipantMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A command of another machine's type, sent to a toolbox machine, is refused before it reaches the log: it never
 * becomes a committed entry whose apply throws a ClassCastException on every member (which
 * {@code ApplyFailureMode.STOP_SERVER} turns into every member stopping, again at each restart).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CommandTypeTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    static Stream<Arguments> machines()
    {
        final List<Arguments> all = List.of(
            machine("kv", (cluster, node) -> new KvMachine()),
            machine("group", (cluster, node) -> new GroupMachine()),
            machine("lock", (cluster, node) -> new LockMachine()),
            machine("sessionlock", (cluster, node) -> new SessionLockMachine()),
            machine("latch", (cluster, node) -> new LatchMachine()),
            machine("tasks", (cluster, node) -> new TaskQueueMachine()),
            machine("leader", (cluster, node) -> new FollowTheLeaderMachine(new ServerId(cluster, node),
                Duration.ofSeconds(1))),
            machine("participant", (cluster, node) -> new ParticipantMachine()),
            machine("coordinator", (cluster, node) -> new CoordinatorMachine(new ServerId(cluster, node))),
            // The machines that take several command families declare their common type.
            machine("tree", (cluster, node) -> new TreeMachine()),
            machine("leasedkv", (cluster, node) -> new LeasedKvMachine()),
            machine("counters", (cluster, node) -> new CounterMapMachine()));
        return all.stream();
    }

    private static Arguments machine(final String name, final BiFunction<String, String, StateMachine<?, ?>> factory)
    {
        return Arguments.of(name, factory);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("machines")
    void aCommandOfAnotherTypeIsRefusedBeforeTheLog(final String name,
        final BiFunction<String, String, StateMachine<?, ?>> factory)
    {
        try (ToolboxCluster world = ToolboxCluster.start(name,
            (node, builder) -> builder.registerMachine(name, () -> factory.apply(name, node))))
        {
            final ServerId leader = world.awaitLeader();
            final Object foreign = new KvCommand.Delete("not for this machine");
            final Object wrong = name.equals("kv") ? "a string" : foreign;
            final Object wrongToo = name.equals("counters") ? List.of("a", "list") : "a string";
            for (final String node : ToolboxCluster.RA_NODES)
            {
                for (final Object command : List.of(wrong, wrongToo))
                {
                    assertThatThrownBy(() -> world.system(node).processCommand(leader, command, WAIT))
                        .as("%s from %s", command, node).isInstanceOf(InvalidCommandException.class)
                        .hasMessageContaining(command.getClass().getName());
                }
            }
            assertThat(world.system(leader.node()).overview(leader).counters().get("apply_failures"))
                .as("entries whose apply threw").isEqualTo(0L);
        }
    }
}
