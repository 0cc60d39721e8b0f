package dev.ra.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.util.Objects;

/**
 * Dialing a loopback port nobody listens on can connect the socket to itself (TCP simultaneous open, the source port
 * chosen equal to the destination). Such a connection reaches no node, and it holds the port that node is about to
 * listen on: it is closed at once, abortively, since an orderly close would leave the port in TIME_WAIT.
 */
final class SelfConnection
{
    private SelfConnection()
    {
    }

    /**
     * @param channel a dialed channel whose connect attempt completed (successfully or not).
     */
    static void closeIfSelfConnected(final Channel channel)
    {
        if (channel.isActive() && Objects.equals(channel.localAddress(), channel.remoteAddress()))
        {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }
}
