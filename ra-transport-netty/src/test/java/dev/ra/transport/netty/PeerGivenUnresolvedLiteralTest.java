package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.TransportListener;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A peer may be given as an unresolved address whose host is an IP address
 * ({@code InetSocketAddress.createUnresolved("10.0.0.2", 7001)}, as a program that leaves every name to be looked up
 * later builds them). Netty dialled it by resolving the literal; once names were looked up at each dial, an IP address
 * was handed on as given, unresolved, and taken for a name that does not resolve: the peer was never dialled.
 */
class PeerGivenUnresolvedLiteralTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aPeerGivenAsAnUnresolvedIpAddressIsDialled() throws Exception
    {
        try (ScriptedPeer b = new ScriptedPeer("b", "literal");
            NettyTransport a = new NettyTransport(NettyTransportConfig.builder().clusterId("literal")
                .peer("b", InetSocketAddress.createUnresolved(b.address().getAddress().getHostAddress(),
                    b.address().getPort()))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()))
        {
            a.start("a", new Quiet());

            try (Socket dialled = b.acceptDial(WAIT))
            {
                assertThat(dialled.isConnected()).isTrue();
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
