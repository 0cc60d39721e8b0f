package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.examples.support.Inbox;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The task queue on a 3-node in-JVM cluster, workers and enqueuers on a fourth node: the talk's scenarios, an
 * unreachable worker, a leader failover and a full restart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskQueueScenarioTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ToolboxCluster world = ToolboxCluster.start("tasks", (node, builder) -> builder
        .registerMachine("tasks", () -> new TaskQueueMachine(ReleaseCursorPolicy.every(8)))
        .minSnapshotInterval(8));

    @AfterEach
    void close()
    {
        world.close();
    }

    private TaskClient clientOn(final String node)
    {
        return new TaskClient(world.system(node), world.members());
    }

    @Test
    void shouldTellTheEnqueuerWhenItsTaskIsDone()
    {
        final TaskClient tasks = clientOn("n1");
        final Inbox enqueuer = new Inbox(world.app());
        final RaProcess worker = world.spawn(m -> { });

        final long id = tasks.enqueue(enqueuer.ref(), "task1");
        final Task task = tasks.grab(worker.ref()).orElseThrow();
        assertThat(task).isEqualTo(new Task(id, enqueuer.ref(), "task1", 1));
        assertThat(tasks.grab(world.spawn(m -> { }).ref())).isEmpty();
        assertThat(tasks.complete(worker.ref(), id)).isTrue();

        assertThat(enqueuer.await(TaskCompleted.class, WAIT)).isEqualTo(new TaskCompleted(id, "task1"));
        assertThat(tasks.isPending(id)).isFalse();
    }

    @Test
    void shouldRedoTheTaskOfACrashedWorkerFirst()
    {
        final TaskClient tasks = clientOn("n2");
        final Inbox enqueuer = new Inbox(world.app());
        final RaProcess crasher = world.spawn(m -> { });
        final RaProcess worker = world.spawn(m -> { });
        final long first = tasks.enqueue(enqueuer.ref(), "first");
        tasks.enqueue(enqueuer.ref(), "second");
        tasks.grab(crasher.ref());

        crasher.fail();
        InJvmCluster.await(() -> tasks.snapshot().inFlight().isEmpty(), WAIT, "the crashed worker's task requeued");

        final Task redone = tasks.grab(worker.ref()).orElseThrow();
        assertThat(redone).isEqualTo(new Task(first, enqueuer.ref(), "first", 2));
        tasks.complete(worker.ref(), first);
        assertThat(enqueuer.await(TaskCompleted.class, WAIT).taskId()).isEqualTo(first);
    }

    @Test
    void shouldLetAnUnreachableWorkerKeepItsTaskUntilItsNodeReturnsAndRequeueItIfItDied()
    {
        final TaskClient tasks = clientOn("n1");
        final Inbox enqueuer = new Inbox(world.system("n3"));
        final RaProcess alive = world.spawn(m -> { });
        final RaProcess dying = world.spawn(m -> { });
        final long one = tasks.enqueue(enqueuer.ref(), "one");
        final long two = tasks.enqueue(enqueuer.ref(), "two");
        tasks.grab(alive.ref());
        tasks.grab(dying.ref());

        world.isolateAppNode();
        dying.fail();
        sleep(1_000);
        assertThat(tasks.snapshot().inFlight()).containsOnlyKeys(alive.ref(), dying.ref());
        assertThat(tasks.snapshot().ready()).isEmpty();

        world.reconnectAppNode();
        InJvmCluster.await(() -> tasks.snapshot().ready().size() == 1, WAIT, "the dead worker's task requeued");
        final TaskQueueState state = tasks.snapshot();
        assertThat(state.ready()).extracting(Task::id).containsExactly(two);
        assertThat(state.inFlight()).containsOnlyKeys(alive.ref());
        assertThat(state.taskOf(alive.ref()).id()).isEqualTo(one);
    }

    @Test
    void shouldRequeueTheTaskOfAWorkerThatCrashesAfterALeaderFailover()
    {
        final Inbox enqueuer = new Inbox(world.app());
        final RaProcess worker = world.spawn(m -> { });
        final TaskClient before = clientOn(world.followerNode());
        final long id = before.enqueue(enqueuer.ref(), "job");
        assertThat(before.grab(worker.ref())).isPresent();

        world.killLeader();
        final TaskClient after = clientOn(world.awaitLeader().node());
        worker.fail();

        final RaProcess next = world.spawn(m -> { });
        final Optional<Task> redone = Optional.ofNullable(
            InJvmCluster.await(() -> after.grab(next.ref()).orElse(null), WAIT, "the requeued task"));
        assertThat(redone).hasValueSatisfying(t -> assertThat(t.id()).isEqualTo(id));
        assertThat(after.complete(next.ref(), id)).isTrue();
        assertThat(enqueuer.await(TaskCompleted.class, WAIT).taskId()).isEqualTo(id);
    }

    @Test
    void shouldRecoverQueuedAndInFlightTasksFromSnapshotsAfterAFullRestart()
    {
        final TaskClient tasks = clientOn("n1");
        final Inbox enqueuer = new Inbox(world.app());
        final RaProcess worker = world.spawn(m -> { });
        for (int i = 0; i < 20; i++)
        {
            tasks.enqueue(enqueuer.ref(), "t" + i);
        }
        final Task inFlight = tasks.grab(worker.ref()).orElseThrow();
        world.awaitSnapshotsEverywhere();
        final TaskQueueState before = tasks.snapshot();

        world.restartAll();
        world.awaitLeader();

        final TaskClient restarted = clientOn("n2");
        final TaskQueueState after = restarted.snapshot();
        assertThat(after.ready()).isEqualTo(before.ready());
        assertThat(after.inFlight()).isEqualTo(before.inFlight());
        assertThat(after.nextTaskId()).isEqualTo(21);
        // The worker is monitored again after the restart: its crash requeues its task at the front.
        worker.fail();
        InJvmCluster.await(() -> restarted.snapshot().ready().size() == 20, WAIT, "the task requeued");
        assertThat(restarted.snapshot().ready().get(0).id()).isEqualTo(inFlight.id());
        assertThat(List.copyOf(restarted.snapshot().inFlight().keySet())).isEmpty();
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

    @Test
    void shouldRequeueTheTaskOfAWorkerThatEndsAfterItsNodeBlinked() throws InterruptedException
    {
        // The worker is reported unreachable and back before the leader applies the report: the machine watches the
        // worker's node, and only that watch's first report (up) tells it to monitor the worker again.
        final TaskClient tasks = clientOn("n1");
        final Inbox enqueuer = new Inbox(world.system("n3"));
        final RaProcess worker = world.spawn(m -> { });
        final long id = tasks.enqueue(enqueuer.ref(), "job");
        assertThat(tasks.grab(worker.ref())).isPresent();

        world.blinkAppNodeBeforeTheLeaderCommits();
        worker.fail();

        InJvmCluster.await(() -> tasks.snapshot().inFlight().isEmpty(), WAIT, "the ended worker's task requeued");
        assertThat(tasks.snapshot().ready()).extracting(Task::id).containsExactly(id);
    }
}
