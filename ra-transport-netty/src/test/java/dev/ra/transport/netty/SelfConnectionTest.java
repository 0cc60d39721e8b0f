package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A dial to a loopback port nobody listens on can connect the socket to itself (its source port chosen equal to the
 * destination port). Seen as a TlsTest failure: a node dialing a peer that was not listening yet held that peer's port,
 * so the peer could not bind it ("address in use"). The dialer closes such a connection at once.
 */
class SelfConnectionTest
{
    @Test
    void aSocketConnectedToItselfIsClosed() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try
        {
            // Binding the source port to the destination port makes the kernel connect the socket to itself.
            final Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel ch)
                    {
                    }
                })
                .localAddress(address).connect(address).syncUninterruptibly().channel();
            assertThat(channel.localAddress()).isEqualTo(channel.remoteAddress());

            NettyTransport.closeIfSelfConnected(channel);

            assertThat(channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            try (ServerSocketChannel listener = ServerSocketChannel.open())
            {
                // At once: a port left in TIME_WAIT by an orderly close would refuse this for a minute.
                listener.bind(address);
                assertThat(listener.socket().getLocalPort()).as("the port is free for its node").isEqualTo(port);
            }
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
