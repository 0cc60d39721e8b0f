package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NettyTransport#block} racing a connection's handshake: the connection is either found and closed by the
 * block, or refused by the attach, never kept open to a blocked node. The race is forced by holding the link's monitor
 * (which the attach and the block both take) while the handshake completes, then blocking from the same thread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlockDuringAttachTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aConnectionWhoseHandshakeCompletesAsTheNodeIsBlockedIsClosed() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(30)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Quiet());
            final Socket aDialed = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(aDialed, FrameFormat.HELLO);
            final PeerLink link = a.link("b");
            synchronized (link)
            {
                b.sendWelcome(aDialed, "a");
                InJvmCluster.await(BlockDuringAttachTest::attachWaitsForTheLink, WAIT,
                    "the handshake's attach to wait for the link");
                a.block("b");
            }
            assertThat(ScriptedPeer.awaitClosedByNode(aDialed, WAIT))
                .as("the connection completed as b was blocked is closed").isTrue();
            assertThat(a.isReachable("b")).isFalse();
        }
    }

    private static boolean attachWaitsForTheLink()
    {
        return Thread.getAllStackTraces().entrySet().stream()
            .anyMatch(e -> e.getKey().getState() == Thread.State.BLOCKED && Arrays.stream(e.getValue())
                .anyMatch(f -> f.getClassName().equals(NettyTransport.class.getName()) &&
                    f.getMethodName().equals("attach")));
    }

    private static final class Quiet implements TransportListener
    {
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
    }
}
