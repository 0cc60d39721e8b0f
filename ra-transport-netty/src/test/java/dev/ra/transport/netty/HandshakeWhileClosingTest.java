package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handshake that completes while the transport closes: the other node must not be left believing it reached a node
 * that then goes without a word. Either the handshake is refused (the node is closing), or, after a WELCOME, the
 * node is told GOODBYE: on that connection if it is the only one, else on the one that carries the closing node's last
 * messages, as for every other connection open when the transport closed; a connection closed after WELCOME with no
 * GOODBYE anywhere makes the other node report this one down instead of left (its calls fail as outcome unknown
 * instead of moving on).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandshakeWhileClosingTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aHandshakeCompletingWhileTheTransportClosesIsRefusedOrToldGoodbye() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "test"))
        {
            final NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("test")
                .listenAddress(new InetSocketAddress("127.0.0.1", 0)).peer("b", b.address())
                .handshakeTimeout(Duration.ofSeconds(60)).failureTimeout(Duration.ofSeconds(60)).build());
            a.start("a", new Ignoring());
            // An established connection that b does not close on GOODBYE: a's close() waits for it (1 s at most).
            final Socket first = b.acceptDial(WAIT);
            ScriptedPeer.readHandshake(first, FrameFormat.HELLO);
            b.sendWelcome(first, "a");
            InJvmCluster.await(() -> a.isReachable("b"), WAIT, "the connection to b");
            // A second connection, accepted by a, whose handshake b completes only once a is closing.
            final Socket second = b.dial(a.localAddress());

            final Thread closer = new Thread(a::close, "closer");
            closer.start();
            assertThat(awaitFrame(first, FrameFormat.GOODBYE)).as("a closes: GOODBYE on the open connection")
                .isTrue();
            b.sendHello(second, "a");
            final List<Integer> answer = framesUntilClosed(second);
            closer.join(WAIT.toMillis());

            if (answer.contains(FrameFormat.WELCOME))
            {
                // The GOODBYE went on the open connection, the one that carries a's last messages: a GOODBYE here
                // too could be read first and make b close that one with them unread (LeaveWithTwoConnectionsTest).
                assertThat(answer).as("frames after a WELCOME sent while closing")
                    .containsExactly(FrameFormat.WELCOME);
            }
        }
    }

    private static boolean awaitFrame(final Socket socket, final int type) throws IOException
    {
        for (int frames = 0; frames < 10_000; frames++)
        {
            if (ScriptedPeer.readFrame(socket).type() == type)
            {
                return true;
            }
        }
        return false;
    }

    /** The types of the frames read (heartbeats left out) until the node closed the connection. */
    private static List<Integer> framesUntilClosed(final Socket socket) throws IOException
    {
        final List<Integer> types = new ArrayList<>();
        for (int frames = 0; frames < 10_000; frames++)
        {
            try
            {
                final int type = ScriptedPeer.readFrame(socket).type();
                if (type != FrameFormat.HEARTBEAT)
                {
                    types.add(type);
                }
            }
            catch (final EOFException | SocketException ex)
            {
                return types;
            }
        }
        return types;
    }

    /** Hears nothing the test looks at. */
    private static final class Ignoring implements TransportListener
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
