package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.NodeMessage;
import dev.ra.protocol.ServerRequest;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import dev.ra.testkit.InJvmCluster;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node that skips every check a {@link dev.ra.RaSystem} makes before sending a command: it puts raw command bytes
 * on the wire to a server, as a buggy or hostile peer could, and returns the answer.
 */
final class RogueCaller
{
    private RogueCaller()
    {
    }

    /**
     * @param cluster whose network to join, as node "rogue".
     * @param server  to send the command to.
     * @param callId  of the call.
     * @param command the encoded command, sent as it is.
     * @return the server's answer.
     * @throws Exception if none comes within 10 s.
     */
    static NodeMessage.CallReply call(final InJvmCluster cluster, final ServerId server, final long callId,
        final byte[] command) throws Exception
    {
        final CompletableFuture<NodeMessage.CallReply> reply = new CompletableFuture<>();
        final Transport rogue = cluster.network().newTransport();
        rogue.start("rogue", new TransportListener()
        {
            @Override
            public void onMessage(final String fromNode, final NodeMessage message)
            {
                if (message instanceof NodeMessage.CallReply callReply)
                {
                    reply.complete(callReply);
                }
            }

            @Override
            public void onNodeUp(final String node)
            {
            }

            @Override
            public void onNodeDown(final String node)
            {
            }
        });
        try
        {
            rogue.send(server.node(), new NodeMessage.ServerCall(callId, server,
                new ServerRequest.Command(UserCommand.ofData(Bytes.wrap(command)))));
            return reply.get(10, TimeUnit.SECONDS);
        }
        finally
        {
            rogue.close();
        }
    }
}
