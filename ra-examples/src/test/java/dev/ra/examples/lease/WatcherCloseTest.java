package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.watch.EventBatch;
import dev.ra.examples.watch.Watcher;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a {@link Watcher}: twice (try-with-resources after an explicit close), and from its own listener, the
 * natural place to stop watching once the awaited change came.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WatcherCloseTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final LeaseWorld world = new LeaseWorld(10_000);

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void closingAWatcherAgainReturnsQuietly()
    {
        final Watcher watcher = Watcher.watch(world.clientOn(ToolboxCluster.APP_NODE).cluster(), "k/", 0, b -> { },
            c -> { });
        watcher.close();
        assertThatCode(watcher::close).doesNotThrowAnyException();
    }

    @Test
    void closingAWatcherFromItsListenerCancelsTheWatchWithoutWaitingForItsOwnThread()
    {
        final LeasedKvClient kv = world.clientOn(ToolboxCluster.APP_NODE);
        final AtomicReference<Watcher> self = new AtomicReference<>();
        final AtomicLong closeTookMs = new AtomicLong(-1);
        final List<EventBatch> seen = Collections.synchronizedList(new ArrayList<>());
        final Watcher watcher = Watcher.watch(kv.cluster(), "k/", 0, batch ->
        {
            seen.add(batch);
            final long start = System.nanoTime();
            self.get().close();
            closeTookMs.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }, c -> { });
        self.set(watcher);
        kv.put("k/1", "v");

        InJvmCluster.await(() -> closeTookMs.get() >= 0, WAIT, "the listener to run and close the watcher");
        // A close that waited for its own thread would give up only after its 30 s bound.
        assertThat(closeTookMs.get()).as("ms that close() took inside the listener").isLessThan(5_000);
        final String node = world.cluster().awaitLeader().node();
        InJvmCluster.await(() -> null == world.watch(node, watcher.watchId()), WAIT, "the watch to be cancelled");
        assertThat(seen).hasSize(1);
    }
}
