package dev.ra.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on the loopback address for test nodes, reserved up front so that every node knows every other's address.
 */
public final class LoopbackPorts
{
    /** Below the kernel's usual range of ephemeral ports (32768 and up on Linux). */
    private static final int LOWEST_PORT = 20_000;
    private static final int PORTS = 12_768;
    private static final int PORT_TRIES = 200;
    /**
     * Every port handed out in this JVM: never handed out again, since a port is only free until its node binds it.
     * Two picks of one port (by one test for two of its nodes, or by a later test while an earlier test's node still
     * listens on it) failed a node's start with "Address already in use".
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LoopbackPorts()
    {
    }

    /**
     * A port free on the loopback address now, chosen below the kernel's range of ephemeral ports: a port from that
     * range (what binding port 0 gives) may be taken as the local port of an outgoing connection in the moment before
     * the node meant to listen on it starts, which failed tests with "Address already in use". Falls back to a port
     * from the kernel if none of the tries is free.
     *
     * @return the port.
     */
    public static int freePort()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < PORT_TRIES; attempt++)
        {
            final int port = LOWEST_PORT + ThreadLocalRandom.current().nextInt(PORTS);
            if (!HANDED_OUT.add(port))
            {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, loopback))
            {
                return port;
            }
            catch (final IOException busy)
            {
                // taken: try another
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, loopback))
        {
            HANDED_OUT.add(socket.getLocalPort());
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
