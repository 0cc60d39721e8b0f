package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection decodes every frame from one reused array ({@code ConnectionHandler.frameBytes}): the messages it
 * delivered must not change when later frames, shorter or longer, are copied over it, and a frame too large to keep
 * the array for is decoded from an array of its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameBufferReuseTest
{
    private static final String CLUSTER_ID = "frames";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void messagesKeepTheirBytesWhateverFramesFollowThem() throws Exception
    {
        final int[] sizes = {3, 5_000, 40, 200_000, 17, 70_000, 1, 65_000, 300, 0, 2_000};
        final List<NodeMessage> sent = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++)
        {
            sent.add(message(i, sizes[i]));
        }
        final List<NodeMessage> received = new CopyOnWriteArrayList<>();
        try (ScriptedPeer b = new ScriptedPeer("b", CLUSTER_ID);
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId(CLUSTER_ID)
                .peer(b.node(), b.address()).heartbeatInterval(Duration.ofMillis(100))
                .failureTimeout(Duration.ofSeconds(10)).build()))
        {
            a.start("a", new Recorder(received));
            final Socket link = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(link, FrameFormat.HELLO);
            b.sendWelcome(link, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "a to see b up");
            for (final NodeMessage message : sent)
            {
                b.sendMessage(link, message);
            }
            InJvmCluster.await(() -> received.size() == sent.size(), WAIT, "every message delivered");
        }

        assertThat(received).as("each message as sent, after every later frame was decoded").isEqualTo(sent);
    }

    /**
     * A message whose payload of {@code size} bytes is a pattern of its own, so that bytes of another frame in it
     * show.
     */
    private static NodeMessage message(final int sequence, final int size)
    {
        final byte[] payload = new byte[size];
        for (int i = 0; i < size; i++)
        {
            payload[i] = (byte)(sequence * 31 + i);
        }
        return new NodeMessage.ProcessMessage(new ProcessRef("a", sequence + 1), null, Bytes.wrap(payload));
    }

    private record Recorder(List<NodeMessage> received) implements TransportListener
    {
        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
            received.add(message);
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
