package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.InvalidCommandException;
import dev.ra.RaProcess;
import dev.ra.ServerId;
import dev.ra.examples.support.Inbox;
import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The visibility timeout, the delivery limit and the dead letters on a 3-node in-JVM cluster, workers on a fourth
 * node, and the switch to machine version 1 when the last member of an older build is upgraded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TaskQueueDeadLetterScenarioTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration VISIBILITY = Duration.ofMillis(300);

    private static ToolboxCluster start(final int deliveryLimit, final Duration visibility)
    {
        return ToolboxCluster.start("tasks", (node, builder) -> builder
            .registerMachine("tasks", () -> new TaskQueueMachine(ReleaseCursorPolicy.every(8), deliveryLimit,
                visibility))
            .minSnapshotInterval(8));
    }

    @Test
    void shouldOfferTheTaskOfAWorkerThatHangsAgainAfterTheVisibilityTimeout()
    {
        try (ToolboxCluster world = start(TaskQueueMachine.NO_DELIVERY_LIMIT, VISIBILITY))
        {
            final TaskClient tasks = new TaskClient(world.system("n1"), world.members());
            final Inbox enqueuer = new Inbox(world.app());
            final RaProcess hung = world.spawn(m -> { });
            final long id = tasks.enqueue(enqueuer.ref(), "job");
            assertThat(tasks.grab(hung.ref())).isPresent();

            final RaProcess next = world.spawn(m -> { });
            final Task again = InJvmCluster.await(() -> tasks.grab(next.ref()).orElse(null), WAIT,
                "the hung worker's task offered again");

            assertThat(again).isEqualTo(new Task(id, enqueuer.ref(), "job", 2));
            assertThat(tasks.complete(hung.ref(), id)).as("the hung worker lost it").isFalse();
            // On a slow machine the next worker's own timeout may pass before it completes: the task is then offered
            // again, and a fresh worker takes it.
            boolean completed = tasks.complete(next.ref(), id);
            for (int attempt = 0; attempt < 20 && !completed; attempt++)
            {
                final RaProcess worker = world.spawn(m -> { });
                final Task offered = InJvmCluster.await(() -> tasks.grab(worker.ref()).orElse(null), WAIT,
                    "the task offered again");
                completed = tasks.complete(worker.ref(), offered.id());
            }
            assertThat(completed).isTrue();
            assertThat(enqueuer.await(TaskCompleted.class, WAIT).taskId()).isEqualTo(id);
        }
    }

    @Test
    void shouldDeadLetterATaskThatKillsItsWorkersAndLetAClientRequeueOrPurgeIt()
    {
        try (ToolboxCluster world = start(2, TaskQueueMachine.NO_VISIBILITY_TIMEOUT))
        {
            final TaskClient tasks = new TaskClient(world.system("n2"), world.members());
            final Inbox enqueuer = new Inbox(world.app());
            final long poison = tasks.enqueue(enqueuer.ref(), "poison");
            final long fine = tasks.enqueue(enqueuer.ref(), "fine");
            for (int i = 0; i < 2; i++)
            {
                final RaProcess victim = world.spawn(m -> { });
                assertThat(tasks.grab(victim.ref()).orElseThrow().id()).isEqualTo(poison);
                victim.fail();
                InJvmCluster.await(() -> tasks.snapshot().inFlight().isEmpty(), WAIT, "the task given back");
            }

            assertThat(tasks.deadLetters()).containsExactly(new Task(poison, enqueuer.ref(), "poison", 2));
            assertThat(tasks.isDeadLettered(poison)).isTrue();
            assertThat(tasks.isPending(poison)).isTrue();
            final RaProcess worker = world.spawn(m -> { });
            assertThat(tasks.grab(worker.ref()).orElseThrow().id()).as("the queue goes on").isEqualTo(fine);
            assertThat(tasks.complete(worker.ref(), fine)).isTrue();

            assertThat(tasks.requeueDeadLetters(List.of(poison))).containsExactly(poison);
            assertThat(tasks.grab(worker.ref())).contains(new Task(poison, enqueuer.ref(), "poison", 1));
            worker.fail();
            final RaProcess another = world.spawn(m -> { });
            InJvmCluster.await(() -> tasks.grab(another.ref()).orElse(null), WAIT, "the requeued task again");
            another.fail();
            InJvmCluster.await(() -> tasks.isDeadLettered(poison), WAIT, "dead-lettered again");

            assertThat(tasks.purgeDeadLetters(List.of(poison, fine))).containsExactly(poison);
            assertThat(tasks.deadLetters()).isEmpty();
            assertThat(tasks.isPending(poison)).isFalse();
        }
    }

    @Test
    void shouldSwitchToVersionOneWhenTheLastOlderBuildIsUpgradedAndThenTimeOutTheTasksAlreadyInFlight()
    {
        final AtomicBoolean upgraded = new AtomicBoolean();
        final TaskQueueMachine machine = new TaskQueueMachine(ReleaseCursorPolicy.every(8), 1, VISIBILITY);
        try (ToolboxCluster world = ToolboxCluster.start("tasks", (node, builder) -> builder
            .registerMachine("tasks", () -> node.equals("n3") && !upgraded.get() ? new OlderBuild<>(machine, 0) :
                machine)
            .minSnapshotInterval(8)))
        {
            world.awaitLeader();
            final TaskClient tasks = new TaskClient(world.system("n1"), world.members());
            final Inbox enqueuer = new Inbox(world.app());
            final RaProcess hung = world.spawn(m -> { });
            final long id = tasks.enqueue(enqueuer.ref(), "job");
            for (int i = 0; i < 10; i++)
            {
                tasks.enqueue(enqueuer.ref(), "filler" + i);
            }
            assertThat(tasks.grab(hung.ref())).isPresent();
            assertThatThrownBy(() -> tasks.requeueDeadLetters(List.of(id)))
                .isInstanceOf(InvalidCommandException.class);
            sleep(VISIBILITY.toMillis() * 3);
            assertThat(tasks.snapshot().taskOf(hung.ref()).id()).as("version 0 has no visibility timeout")
                .isEqualTo(id);
            assertEffectiveVersion(world, 0);

            upgraded.set(true);
            world.restartNode("n3");
            assertEffectiveVersion(world, machine.version());

            InJvmCluster.await(() -> tasks.isDeadLettered(id), WAIT,
                "the hung worker's task given back after the switch, to the dead letters (limit 1)");
            assertThat(tasks.requeueDeadLetters(List.of(id))).containsExactly(id);
        }
    }

    private static void assertEffectiveVersion(final ToolboxCluster world, final int version)
    {
        for (final String node : ToolboxCluster.RA_NODES)
        {
            final ServerId member = new ServerId("tasks", node);
            InJvmCluster.await(() -> world.system(node).overview(member).machineVersion().effective() == version,
                WAIT, member + " at machine version " + version);
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
