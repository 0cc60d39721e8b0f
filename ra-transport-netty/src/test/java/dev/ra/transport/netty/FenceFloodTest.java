package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.codec.BufferWriter;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node answers each FENCE with a FENCE_READ. A peer that keeps sending FENCE frames without reading the answers (a
 * bug, or an attack by a node that passed the handshake) must not make the node buffer answers without bound until it
 * runs out of memory: the connection is closed as a protocol violation once a few answers are stuck unsent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FenceFloodTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * Far more FENCE frames than the socket buffers of both ends hold answers to (a small receive buffer here; the
     * node's send buffer grows to the system's maximum, 4 MiB by default on Linux, about 700,000 answers).
     */
    private static final int MAX_FENCES = 10_000_000;
    private static final int FENCES_PER_WRITE = 10_000;

    @Test
    void aPeerSendingFencesWithoutReadingTheAnswersIsDisconnected() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(60)).handshakeTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).build());
            Socket flood = new Socket())
        {
            a.start("a", new Quiet());
            // a's own dial is left unanswered: it stays in its handshake, so a dials nothing else.
            ScriptedPeer.readHandshake(b.acceptDial(WAIT), FrameFormat.HELLO);
            flood.setReceiveBufferSize(4096);
            flood.setSoTimeout(10_000);
            flood.connect(a.localAddress(), 5_000);
            ScriptedPeer.sendFrame(flood, FrameFormat.HELLO,
                b.rangedHandshake("a", ProtocolVersions.OLDEST, ProtocolVersions.NEWEST));
            ScriptedPeer.readHandshake(flood, FrameFormat.WELCOME);
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");

            final BufferWriter fences = new BufferWriter(FENCES_PER_WRITE * 6);
            for (int i = 0; i < FENCES_PER_WRITE; i++)
            {
                fences.writeInt(FrameFormat.HEADER_BYTES).writeByte(FrameFormat.VERSION).writeByte(FrameFormat.FENCE);
            }
            final byte[] chunk = fences.toByteArray();
            final OutputStream out = flood.getOutputStream();
            try
            {
                for (int sent = 0; sent < MAX_FENCES && a.link("b").connectionCount() > 0; sent += FENCES_PER_WRITE)
                {
                    out.write(chunk);
                }
            }
            catch (final IOException ex)
            {
                // a closed the connection: what is expected.
            }
            InJvmCluster.await(() -> a.link("b").connectionCount() == 0, WAIT,
                "a to close the connection of a peer that does not read the answers to its FENCE frames");
            assertThat(a.stats().framesRejected()).isPositive();
        }
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
