package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.WatchReply;
import dev.ra.examples.watch.Watcher;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Watcher}'s registration with a copy of it held up on its way: landing after the watch is live and its
 * start revision compacted away, the copy must leave the live watch alone (it was answered "compacted" to nobody, and
 * ended the watch, before registrations were numbered).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatcherLateRegisterTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int HISTORY_LIMIT = 4;

    @Test
    void aLateCopyOfTheRegistrationWhoseStartWasCompactedLeavesTheLiveWatch()
    {
        final Queue<Object> applied = new ConcurrentLinkedQueue<>();
        try (LeaseWorld world = LeaseWorld.recording(HISTORY_LIMIT, applied))
        {
            final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
            kv.put("other", "x");
            final Queue<WatchEvent> delivered = new ConcurrentLinkedQueue<>();
            final AtomicReference<WatchReply.Compacted> compacted = new AtomicReference<>();
            try (Watcher watcher = Watcher.watch(kv.cluster(), "k/", kv.revision() + 1,
                batch -> delivered.addAll(batch.events()), compacted::set))
            {
                // What the watcher sent to register, as a copy of it still on its way would be.
                final Object late = applied.stream().filter(command -> registers(command, watcher.watchId()))
                    .findFirst().orElseThrow();
                for (int i = 0; i < 2 * HISTORY_LIMIT; i++)
                {
                    kv.put("k/" + i, "v");
                }

                kv.cluster().<Object>command(late, false);
                kv.put("k/after", "v");

                InJvmCluster.await(() -> delivered.stream().anyMatch(event -> event.key().equals("k/after")), WAIT,
                    "the watcher to be sent the put after the late copy of its registration");
                assertThat(compacted.get()).as("the watch never needed a compacted revision").isNull();
            }
        }
    }

    private static boolean registers(final Object command, final String watchId)
    {
        final Object call = command instanceof WatchCommand.NumberedRegister numbered ? numbered.register() : command;
        return call instanceof WatchCommand.Register register && register.watchId().equals(watchId);
    }
}
