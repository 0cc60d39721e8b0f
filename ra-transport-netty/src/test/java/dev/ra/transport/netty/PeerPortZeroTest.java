package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Port 0 means "any free port" to a listener: a peer given there (a port left out of a program's settings and
 * defaulted to 0) can never be dialled, and the transport dialled it for ever, the peer's members unreachable with
 * nothing naming the setting. The node launcher refuses it ({@code peers}); the transport's own builder accepted it.
 */
class PeerPortZeroTest
{
    @Test
    void aPeerAtPortZeroIsRefusedNamingIt()
    {
        assertThatThrownBy(() -> NettyTransportConfig.builder().peer("n2", new InetSocketAddress("127.0.0.1", 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n2").hasMessageContaining("port 0");
    }
}
