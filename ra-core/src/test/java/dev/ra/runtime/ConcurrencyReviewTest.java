package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaEvent;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.MetaStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;
import dev.ra.spi.Transport;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThreadPerTask;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races in the runtime shell found in review: each test fails on the code it was written against.
 *
 * <p>Several tests hold a stopping server in the window between its "stopped" flag and its removal from the node's
 * table of servers, by holding up the close of its storage (a real close syncs files, so the window is real, only
 * short): whatever reaches the server then must still be answered.
 */
class ConcurrencyReviewTest
{
    private static final ServerId S1 = new ServerId("s1", "n1");
    private static final long WAIT_SECONDS = 10;

    private InJvmCluster cluster;
    private GatedClose storage;

    @AfterEach
    void close()
    {
        if (null != storage)
        {
            storage.release.countDown();
        }
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private RaSystem startOneMemberCluster()
    {
        storage = new GatedClose(new InMemoryStorage(), S1);
        cluster = new InJvmCluster(1, b -> b.storage(storage));
        final RaSystem system = cluster.system("n1");
        system.startCluster("c", new CounterMachine(), List.of(S1));
        return system;
    }

    /**
     * Starts the stop of S1 on another thread and returns once the server is stopped but still registered (its storage
     * close held up).
     */
    private CompletableFuture<Void> stopAndHold(final RaSystem system) throws InterruptedException
    {
        storage.armed = true;
        final CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> system.stopServer(S1),
            ThreadPerTask.EXECUTOR);
        assertThat(storage.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        return stop;
    }

    /**
     * An overview asked of a server that has just stopped (still registered, its storage closing) was put in its
     * mailbox as a task that nobody answers when rejected: {@code overviewAsync} never completed, and {@code overview}
     * waited for its timeout. Right: it fails at once, as for a server that does not run.
     */
    @Test
    void anOverviewOfAServerThatJustStoppedIsAnswered() throws Exception
    {
        final RaSystem system = startOneMemberCluster();
        final CompletableFuture<Void> stop = stopAndHold(system);
        final CompletableFuture<ServerOverview> overview = system.overviewAsync(S1);
        storage.release.countDown();
        stop.get(WAIT_SECONDS, TimeUnit.SECONDS);
        final CompletableFuture<Boolean> answered = overview.handle((v, e) -> true);
        assertThat(answered.completeOnTimeout(false, WAIT_SECONDS, TimeUnit.SECONDS).get())
            .as("the overview's future completes").isTrue();
    }

    /**
     * A pipelined command with a process to notify that reached a server which had just stopped was dropped without a
     * word: the process waited for a {@code Rejected} that never came (a server that does not run at all rejects
     * it). Right: the process is told {@code Rejected}.
     */
    @Test
    void aPipelinedCommandToAServerThatJustStoppedIsRejectedToItsProcess() throws Exception
    {
        final RaSystem system = startOneMemberCluster();
        final CompletableFuture<Object> heard = new CompletableFuture<>();
        final RaProcess process = system.spawn(heard::complete);
        final CompletableFuture<Void> stop = stopAndHold(system);
        system.pipelineCommand(S1, 1L, "c1", process.ref());
        storage.release.countDown();
        stop.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(heard.completeOnTimeout("nothing", WAIT_SECONDS, TimeUnit.SECONDS).get())
            .isInstanceOf(RaEvent.Rejected.class);
    }

    /**
     * {@code restartServer} of a server that had stopped (it crashed, or it was stopped) but was not yet removed from
     * the node's table (its storage closing) found it "running already" and returned at once: the server then
     * finished stopping and never ran again, though the restart had succeeded. Right: the restart waits for the stop
     * to finish, then restarts it.
     */
    @Test
    void aRestartOfAServerThatIsStillStoppingRestartsIt() throws Exception
    {
        final RaSystem system = startOneMemberCluster();
        final CompletableFuture<Void> stop = stopAndHold(system);
        assertThat(system.isRunning(S1)).isFalse();
        final CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> system.restartServer(S1),
            ThreadPerTask.EXECUTOR);
        // Whether the restart returned before the stop ended or waits for it, let the stop finish.
        try
        {
            restart.get(200, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException stillWaiting)
        {
            // the restart waits for the stop: fine
        }
        storage.armed = false;
        storage.release.countDown();
        stop.get(WAIT_SECONDS, TimeUnit.SECONDS);
        restart.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(system.isRunning(S1)).as("restarted").isTrue();
    }

    /**
     * Two threads closing the same system (an application and its shutdown hook): the second {@code close()} saw the
     * flag the first had set and returned at once, while the first was still stopping the servers, and then closed
     * the storage under them. Right: every {@code close()} returns once the system is closed.
     */
    @Test
    void aSecondConcurrentCloseReturnsOnlyOnceTheSystemIsClosed() throws Exception
    {
        final RaSystem system = startOneMemberCluster();
        storage.armed = true;
        final CompletableFuture<Void> first = CompletableFuture.runAsync(system::close, ThreadPerTask.EXECUTOR);
        assertThat(storage.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        final CompletableFuture<List<ServerId>> second = CompletableFuture.supplyAsync(() ->
        {
            system.close();
            return system.runningServers();
        }, ThreadPerTask.EXECUTOR);
        try
        {
            second.get(500, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException stillWaiting)
        {
            // the second close waits for the first: fine
        }
        storage.release.countDown();
        first.get(WAIT_SECONDS * 3, TimeUnit.SECONDS);
        assertThat(second.get(WAIT_SECONDS * 3, TimeUnit.SECONDS)).as("servers running when close returned")
            .isEmpty();
    }

    /**
     * The shared read-index calls kept one entry per member (and kind) ever queried, for the life of the node: a node
     * that creates and deletes clusters for years kept an entry per member it ever hosted. Right: a member's entry
     * goes once no call is in flight or waiting.
     */
    @Test
    void sharedReadIndexCallsLeaveNoEntryBehindOnceDone() throws Exception
    {
        final SharedReadIndex shared = new SharedReadIndex((server, consistent, timeout, answered) ->
        {
            answered.accept(7L, server);
            return CompletableFuture.completedFuture(7L);
        });
        final int[] answered = new int[1];
        for (int i = 0; i < 100; i++)
        {
            shared.await(new ServerId("s" + i, "n1"), true, Duration.ofSeconds(1), new SharedReadIndex.Waiter()
            {
                @Override
                public void readIndex(final long index, final ServerId leader)
                {
                    answered[0]++;
                }

                @Override
                public void failed(final Throwable error)
                {
                }
            });
        }
        assertThat(answered[0]).isEqualTo(100);
        final Field batches = SharedReadIndex.class.getDeclaredField("batches");
        batches.setAccessible(true);
        assertThat(((Map<?, ?>)batches.get(shared)).size()).as("entries held").isZero();
    }

    /**
     * A call sent to a member on another node checked that the node was reachable, then registered to await its
     * answer: a node reported down between the two (its calls failed or sent on) missed the call, whose message the
     * link then lost, and the call waited for its timeout although nothing had been sent anywhere. Right: a call
     * registered to a node that is no longer reachable moves on to the other members at once.
     */
    @Test
    void aCallToANodeThatGoesDownAsItIsSentMovesOn()
    {
        final InJvmNetwork network = new InJvmNetwork();
        final NodeDownOnCheck n1Transport = new NodeDownOnCheck(network.newTransport(), network, "n1", "n2");
        cluster = new InJvmCluster(3, node -> "n1".equals(node) ? n1Transport : network.newTransport(), b -> { });
        final ServerId s2 = new ServerId("s2", "n2");
        final ServerId s3 = new ServerId("s3", "n3");
        final RaSystem n1 = cluster.system("n1");
        final ServerId leader = n1.startCluster("c", new CounterMachine(), List.of(s2, s3));
        if (s2.equals(leader))
        {
            n1.transferLeadership(s2, s3);
            cluster.awaitLeader(List.of(s3), Duration.ofSeconds(WAIT_SECONDS));
        }
        n1Transport.armed = Thread.currentThread();
        assertThat(n1.members(s2)).containsExactlyInAnyOrder(s2, s3);
    }

    /**
     * Storage whose close of one server's storage, while armed, waits until released.
     */
    private static final class GatedClose extends ForwardingStorage
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ServerId gated;
        volatile boolean armed;

        GatedClose(final InMemoryStorage inner, final ServerId gated)
        {
            super(inner);
            this.gated = gated;
        }

        @Override
        public ServerStorage open(final ServerId id, final LogListener listener)
        {
            final ServerStorage opened = inner.open(id, listener);
            if (!id.equals(gated))
            {
                return opened;
            }
            return new ServerStorage()
            {
                @Override
                public LogStore log()
                {
                    return opened.log();
                }

                @Override
                public MetaStore meta()
                {
                    return opened.meta();
                }

                @Override
                public SnapshotStore snapshots()
                {
                    return opened.snapshots();
                }

                @Override
                public void close()
                {
                    if (armed)
                    {
                        entered.countDown();
                        try
                        {
                            release.await(60, TimeUnit.SECONDS);
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                        }
                    }
                    opened.close();
                }
            };
        }
    }

    /**
     * A transport whose first reachability check of a node by the armed thread answers "reachable", as it was when
     * checked, and has the link to that node go down before the caller goes on: the node is reported down at once.
     */
    private static final class NodeDownOnCheck extends ForwardingTransport
    {
        private final InJvmNetwork network;
        private final String local;
        private final String peer;
        volatile Thread armed;

        NodeDownOnCheck(final Transport delegate, final InJvmNetwork network, final String local, final String peer)
        {
            super(delegate);
            this.network = network;
            this.local = local;
            this.peer = peer;
        }

        @Override
        public boolean isReachable(final String node)
        {
            final boolean reachable = delegate.isReachable(node);
            if (peer.equals(node) && Thread.currentThread() == armed)
            {
                armed = null;
                network.partition(local, peer);
            }
            return reachable;
        }
    }
}
