package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A message sent just as the last connection to a node closes is dropped with what was queued then, never left queued
 * for the next connection: that one may reach a restarted node, which must not get messages meant for its previous
 * run (Erlang drops them too). One thread sends without pause while the connection is cut, many rounds; after each
 * the node is down and nothing may be queued for it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StaleQueuedMessageTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int ROUNDS = 60;

    @Test
    void nothingSentAsTheLastConnectionClosesStaysQueuedForTheNext() throws Exception
    {
        final LoopbackTransports transports = new LoopbackTransports(2);
        try (NettyTransport n1 = (NettyTransport)transports.newTransport("n1");
            NettyTransport n2 = (NettyTransport)transports.newTransport("n2"))
        {
            n2.start("n2", new Quiet());
            n1.start("n1", new Quiet());
            for (int round = 0; round < ROUNDS; round++)
            {
                InJvmCluster.await(() -> n1.isReachable("n2") && n2.isReachable("n1"), WAIT, "the nodes to connect");
                final Thread sender = new Thread(() ->
                {
                    long sequence = 0;
                    while (n1.isReachable("n2"))
                    {
                        n1.send("n2", new NodeMessage.ProcessMessage(new ProcessRef("n2", ++sequence),
                            new ServerId("c", "n1"), Bytes.wrap(new byte[] {1})));
                    }
                }, "sender");
                sender.start();
                n1.block("n2");
                sender.join(WAIT.toMillis());
                assertThat(sender.isAlive()).as("the sender stopped once n2 was unreachable").isFalse();
                assertThat(n1.peerStats().get("n2").queued())
                    .as("messages queued for n2 while it is down, in round %d", round).isZero();
                n1.unblock("n2");
            }
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
