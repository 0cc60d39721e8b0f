package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The node ids a transport is configured with follow the rules every other node id does (a system's, a server id's):
 * one with a trailing blank from a configuration file, which no node could ever have, is refused naming the peer,
 * rather than accepted and never matched.
 */
class NodeIdRulesTest
{
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 7002);

    @Test
    void aPeerWhoseIdNoNodeCanHaveIsRefusedNamingIt()
    {
        assertThatThrownBy(() -> NettyTransportConfig.builder().peer("n2 ", ADDRESS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("peer 'n2 ' at " + ADDRESS)
            .hasMessageContaining("whitespace");
        assertThatThrownBy(() -> NettyTransportConfig.builder().peer("a@b", ADDRESS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("peer 'a@b'");
        assertThatThrownBy(() -> NettyTransportConfig.builder().peer("", ADDRESS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("peer ''");
    }

    @Test
    void anAllowedNodeWhoseIdNoNodeCanHaveIsRefusedNamingIt()
    {
        assertThatThrownBy(() -> NettyTransportConfig.builder().allowNode("app\t"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("allowed node 'app\t'")
            .hasMessageContaining("whitespace");
    }
}
