package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.RaProcess;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchNotification;
import dev.ra.examples.watch.WatchReply;
import dev.ra.examples.watch.Watcher;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Watcher} whose resume is refused (its watch gone, and its id registered by another watcher since) ends, and
 * is told why, rather than waiting for events that never come.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WatcherResumeRefusedTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final LeaseWorld world = new LeaseWorld(10_000);

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void aRefusedResumeEndsTheWatchAndTellsTheWatcherWhy()
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final AtomicReference<WatchReply.Refused> told = new AtomicReference<>();
        try (Watcher watcher = Watcher.watch(kv.cluster(), "k/", 0, b -> { }, c -> { }, told::set);
             RaProcess other = world.cluster().spawn(message -> { }))
        {
            final String node = world.cluster().awaitLeader().node();
            InJvmCluster.await(() -> null != world.watch(node, watcher.watchId()), WAIT, "the watch in the state");
            final ProcessRef inbox = world.watch(node, watcher.watchId()).watcher();
            // The watch goes, and another watcher takes its id.
            kv.cluster().command(new WatchCommand.CancelOwn(watcher.watchId(), inbox), true);
            kv.cluster().command(new WatchCommand.Register(watcher.watchId(), other.ref(), "", 0), true);

            // A resync beyond what the watcher delivered makes it resume, which is refused.
            world.cluster().app().send(inbox, new WatchNotification.Resync(watcher.watchId(), 1_000_000));

            InJvmCluster.await(() -> null != told.get(), WAIT, "the watcher to be told its resume was refused");
            assertThat(told.get().watchId()).isEqualTo(watcher.watchId());
            assertThat(told.get().reason()).contains(watcher.watchId());
        }
    }
}
