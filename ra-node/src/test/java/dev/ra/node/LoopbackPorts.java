package dev.ra.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Ports on 127.0.0.1 for test nodes, reserved up front so that every node knows every other's address.
 */
final class LoopbackPorts
{
    private LoopbackPorts()
    {
    }

    /**
     * @return a port nothing listened on a moment ago.
     */
    static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
