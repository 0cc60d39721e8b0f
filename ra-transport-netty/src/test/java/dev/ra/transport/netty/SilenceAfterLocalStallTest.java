package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.LoopHost;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose own I/O threads stalled (a collection pause, CPU starvation on a busy machine) for longer than the
 * silence does not report a peer that kept sending all along as silent: it could not listen, so the frames the peer
 * sent meanwhile wait unread, and it is no judge of who went quiet. Each round stalls every I/O thread of the node,
 * as a pause of its process does, while the scripted peer's own thread goes on heartbeating; one thread resumes a
 * little before the others (a busy machine does not run every thread at once): whichever thread runs the silence check
 * and whichever reads the peer, in one of the rounds the check runs first.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SilenceAfterLocalStallTest
{
    private static final String CLUSTER_ID = "stall";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration SILENCE = Duration.ofMillis(500);
    /** How much later than the first the other I/O threads resume: well within the silence. */
    private static final Duration STAGGER = SILENCE.dividedBy(2);

    @Test
    void aPeerThatKeptSendingIsNotReportedSilentAfterThisNodesOwnStall() throws Exception
    {
        final Recorder recorder = new Recorder();
        try (ScriptedPeer peer = new ScriptedPeer("b", CLUSTER_ID))
        {
            final NettyTransport transport = new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
                .peer(peer.node(), peer.address()).ioThreads(3)
                .heartbeatInterval(Duration.ofMillis(50)).failureTimeout(Duration.ofSeconds(30))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build());
            try
            {
                transport.reportSilenceAfter(SILENCE);
                transport.start("a", recorder);
                final Socket link = peer.acceptDial(WAIT);
                ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
                // From here on the peer heartbeats every 50 ms from a thread of its own, whatever the node does.
                peer.sendWelcome(link, "a");
                InJvmCluster.await(() -> transport.isReachable("b"), WAIT, "a to see b up");
                final int threads = transport.loopHosts("a", 0).size();
                for (int first = 0; first < threads; first++)
                {
                    stallEveryIoThread(transport, SILENCE.multipliedBy(4), first);
                    awaitHeardAfterStall(transport);
                }
                // The last stall's checks have caught up and a whole silence has passed on time since.
                Thread.sleep(SILENCE.multipliedBy(2).toMillis());
                assertThat(recorder.silent).as("peers reported silent").isEmpty();
            }
            finally
            {
                transport.close();
            }
        }
    }

    /**
     * Hold every I/O thread of the node for the duration, as a pause of its process would, then let the first one go
     * on, and the others a little later.
     */
    private static void stallEveryIoThread(final NettyTransport transport, final Duration stall, final int first)
        throws Exception
    {
        final List<LoopHost> hosts = transport.loopHosts("a", 0);
        final CountDownLatch held = new CountDownLatch(hosts.size());
        final CountDownLatch releaseFirst = new CountDownLatch(1);
        final CountDownLatch releaseOthers = new CountDownLatch(1);
        for (int i = 0; i < hosts.size(); i++)
        {
            final CountDownLatch release = i == first ? releaseFirst : releaseOthers;
            hosts.get(i).execute(() ->
            {
                held.countDown();
                try
                {
                    release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("every I/O thread held").isTrue();
        Thread.sleep(stall.toMillis());
        releaseFirst.countDown();
        Thread.sleep(STAGGER.toMillis());
        releaseOthers.countDown();
    }

    /**
     * Wait until the node read from the peer again, and for the checks that were due during the stall to have run.
     */
    private static void awaitHeardAfterStall(final NettyTransport transport) throws Exception
    {
        final long before = transport.counters.bytesRead.sum();
        InJvmCluster.await(() -> transport.counters.bytesRead.sum() > before ? Boolean.TRUE : null, WAIT,
            "a to read from b again");
        Thread.sleep(SILENCE.toMillis());
    }

    /** What the transport reported as silent. */
    private static final class Recorder implements TransportListener
    {
        final List<String> silent = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
        }

        @Override
        public void onNodeUp(final String node)
        {
        }

        @Override
        public void onNodeDown(final String node)
        {
        }

        @Override
        public void onNodeSilent(final String node)
        {
            silent.add(node);
        }
    }
}
