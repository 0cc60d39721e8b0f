package dev.ra.examples.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.examples.support.ClusterClient;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client half of watches, fed events as the leader would send them, in an order a live cluster only shows now and
 * then: events that reach the client before the reply of the addWatch that set their watch, and events sent again
 * after a failover.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TreeClientWatchesTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final TreeWorld world = new TreeWorld();
    private final RaSystem system = world.cluster().system("n1");
    private final ClientWatches watches = new ClientWatches(new ClusterClient(system, world.cluster().members()));
    private final AtomicInteger markers = new AtomicInteger();

    @AfterEach
    void close()
    {
        watches.close();
        world.close();
    }

    @Test
    void aPersistentWatchIsGivenTheEventsThatOvertookItsReplyInOrderThenTheRestEachOnce()
    {
        final TreeWatchMessage.Event before = event(TreeEventType.NODE_DATA_CHANGED, "/p", 9);
        final TreeWatchMessage.Event first = event(TreeEventType.NODE_DATA_CHANGED, "/p", 11);
        final TreeWatchMessage.Event second = event(TreeEventType.NODE_CHILDREN_CHANGED, "/p", 12);
        final TreeWatchMessage.Event third = event(TreeEventType.NODE_DELETED, "/p", 13);
        send(before);
        send(first);
        send(event(TreeEventType.NODE_DATA_CHANGED, "/elsewhere", 12));
        send(second);
        awaitHandled();

        final List<TreeWatchMessage.Event> seen = new CopyOnWriteArrayList<>();
        watches.hold("/p", WatchMode.PERSISTENT, 10, seen::add);
        send(third);
        // Sent again, as a new leader may.
        send(first);
        awaitHandled();

        assertThat(seen).containsExactly(first, second, third);
    }

    @Test
    void aRecursiveWatchIsGivenEveryEventOfAMultiOnceAndNothingFromBeforeItWasSet()
    {
        final TreeWatchMessage.Event createdA = event(TreeEventType.NODE_CREATED, "/r/a", 21);
        final TreeWatchMessage.Event createdB = event(TreeEventType.NODE_CREATED, "/r/b", 21);
        final TreeWatchMessage.Event deletedA = event(TreeEventType.NODE_DELETED, "/r/a", 22);
        final List<TreeWatchMessage.Event> early = new CopyOnWriteArrayList<>();
        final List<TreeWatchMessage.Event> late = new CopyOnWriteArrayList<>();
        watches.hold("/r", WatchMode.PERSISTENT_RECURSIVE, 20, early::add);
        send(event(TreeEventType.NODE_DATA_CHANGED, "/r", 19));
        send(createdA);
        send(createdB);
        send(createdA);
        awaitHandled();
        watches.hold("/r", WatchMode.PERSISTENT_RECURSIVE, 21, late::add);
        send(createdB);
        send(deletedA);
        send(deletedA);
        awaitHandled();

        assertThat(early).containsExactly(createdA, createdB, deletedA);
        assertThat(late).as("a second watch on the path, set after the multi").containsExactly(deletedA);
    }

    private static TreeWatchMessage.Event event(final TreeEventType type, final String path, final long zxid)
    {
        return new TreeWatchMessage.Event(type, path, zxid);
    }

    private void send(final TreeWatchMessage.Event event)
    {
        system.send(watches.ref(), event);
    }

    /**
     * Wait until every event sent so far has been handled, callbacks included: the client's process and its thread
     * take messages in order, so a watch on a path of its own that fires tells.
     */
    private void awaitHandled()
    {
        final String marker = "/marker-" + markers.incrementAndGet();
        final AtomicBoolean fired = new AtomicBoolean();
        watches.hold(marker, WatchMode.PERSISTENT, 0, e -> fired.set(true));
        send(event(TreeEventType.NODE_CREATED, marker, 1));
        InJvmCluster.await(fired::get, WAIT, "the events sent so far to be handled");
    }
}
