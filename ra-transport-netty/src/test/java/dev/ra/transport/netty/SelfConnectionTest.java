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
        final int port = portOutsideTheEphemeralRange();
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

            SelfConnection.closeIfSelfConnected(channel);

            assertThat(channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            // Within moments (the kernel may finish the reset just after close returns): a port left in TIME_WAIT
            // by an orderly close would refuse this for a minute.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (true)
            {
                try (ServerSocketChannel listener = ServerSocketChannel.open())
                {
                    listener.bind(address);
                    break;
                }
                catch (final java.net.BindException inUse)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw inUse;
                    }
                    Thread.sleep(20);
                }
            }
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * A free port below Linux's default ephemeral range (32768 and up), so that no other process's outgoing
     * connection takes it between this test's steps.
     */
    private static int portOutsideTheEphemeralRange() throws java.io.IOException
    {
        final java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int candidate = 20_000 + random.nextInt(12_000);
            try (ServerSocket probe = new ServerSocket(candidate))
            {
                return probe.getLocalPort();
            }
            catch (final java.net.BindException taken)
            {
                // try another
            }
        }
        throw new java.io.IOException("no free port between 20000 and 32000 after 100 tries");
    }
}
