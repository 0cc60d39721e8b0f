package dev.ra.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster held at an older machine version by a member not yet upgraded refuses the grabs and completions it does
 * not know before the log (the numbered ones below version 4, the completion carrying a request id below version 3);
 * the client then sends the older ones, and tasks are grabbed and completed as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskOnOlderClusterTest
{
    @Test
    void numberedCommandsFallBackToThoseOfVersionThree()
    {
        fallsBack(3);
    }

    @Test
    void numberedCommandsFallBackToThePlainOnesOfVersionTwo()
    {
        fallsBack(2);
    }

    private static void fallsBack(final int olderVersion)
    {
        try (ToolboxCluster world = ToolboxCluster.start("tasks", (node, builder) -> builder
            .registerMachine("tasks", () ->
            {
                final TaskQueueMachine machine = new TaskQueueMachine(ReleaseCursorPolicy.every(8));
                return "n3".equals(node) ? new OlderBuild<>(machine, olderVersion) : machine;
            })))
        {
            world.awaitLeader();
            final TaskClient tasks = new TaskClient(world.system("n1"), world.members());
            final RaProcess worker = world.spawn(m -> { });
            final long id = tasks.enqueue(worker.ref(), "t1");

            final Optional<Task> grabbed = tasks.grab(worker.ref());
            assertThat(grabbed).map(Task::id).contains(id);
            assertThat(tasks.grab(worker.ref())).as("the same task again").map(Task::id).contains(id);
            assertThat(tasks.complete(worker.ref(), id)).isTrue();
            assertThat(tasks.complete(worker.ref(), id)).isFalse();
            assertThat(tasks.grab(worker.ref())).isEmpty();
            assertThat(tasks.isPending(id)).isFalse();
        }
    }
}
