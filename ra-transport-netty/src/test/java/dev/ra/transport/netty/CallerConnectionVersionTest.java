package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.CallerReceive;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call on a caller connection is written in the protocol version that connection's handshake agreed, as on the peer
 * link: a request only newer versions carry (a {@link ServerRequest.ConfirmedNamedQuery}) goes there too, instead of
 * being refused as if the node spoke no version, with a warning and a dropped message counted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallerConnectionVersionTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aConfirmedNamedQueryIsSentAndAnsweredOnTheCallersConnection()
    {
        final LoopbackTransports transports = new LoopbackTransports(2);
        try (NettyTransport n1 = (NettyTransport)transports.newTransport("n1");
            NettyTransport n2 = (NettyTransport)transports.newTransport("n2"))
        {
            final List<NodeMessage> atN1 = new CopyOnWriteArrayList<>();
            n2.start("n2", new Listener(message ->
            {
                if (message instanceof NodeMessage.ServerCall call)
                {
                    n2.send("n1", new NodeMessage.CallReply(call.callId(), NodeMessage.CallStatus.OK,
                        Bytes.wrap(new byte[] {9}), null, null, ""));
                }
            }));
            n1.start("n1", new Listener(atN1::add));
            InJvmCluster.await(() -> n1.isReachable("n2") && n2.isReachable("n1"), WAIT, "the nodes to connect");

            final NodeMessage.ServerCall call = new NodeMessage.ServerCall(7, new ServerId("c", "n2"),
                new ServerRequest.ConfirmedNamedQuery("get", Bytes.wrap(new byte[] {1, 2, 3})));
            final CallerReceive received = n1.sendAndReceiveOnCaller("n2", call,
                System.nanoTime() + WAIT.toNanos());

            assertThat(received).isEqualTo(CallerReceive.ANSWERED);
            assertThat(atN1).hasSize(1);
            assertThat(((NodeMessage.CallReply)atN1.get(0)).callId()).isEqualTo(7);
            assertThat(n1.stats().messagesDropped()).as("messages dropped by n1").isZero();
            assertThat(n1.stats().callsAnsweredOnCaller()).isEqualTo(1);
        }
    }

    private record Listener(java.util.function.Consumer<NodeMessage> messages) implements TransportListener
    {
        @Override
        public void onMessage(final String fromNode, final NodeMessage message)
        {
            messages.accept(message);
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
