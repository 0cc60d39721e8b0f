package dev.ra.examples.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The nodes of a multi-JVM test on loopback: a free port for each, and each node's {@code NodeConfig} settings (its
 * listen address, every other node as a peer, and the settings the test gives them all).
 */
public final class LoopbackNodes
{
    /** The ports tried first: 20000 to 32767, below Linux's default ephemeral range. */
    private static final int LOWEST_PORT = 20_000;
    private static final int PORTS = 12_768;
    private static final int PORT_TRIES = 200;

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final List<String> common;

    /**
     * @param nodes  the node ids, each given a free loopback port now.
     * @param common settings every node gets ({@code cluster.id=...}, timeouts).
     */
    public LoopbackNodes(final List<String> nodes, final String... common)
    {
        for (final String node : nodes)
        {
            ports.put(node, freePort());
        }
        this.common = List.of(common);
    }

    /**
     * @param node one of the nodes.
     * @return its settings, without its id (a child JVM is given it by {@code NodeJvm}).
     */
    public List<String> settingsOf(final String node)
    {
        final List<String> peers = new ArrayList<>();
        ports.forEach((id, port) ->
        {
            if (!id.equals(node))
            {
                peers.add(id + "=127.0.0.1:" + port);
            }
        });
        final List<String> settings = new ArrayList<>();
        settings.add("listen=127.0.0.1:" + ports.get(node));
        settings.add("peers=" + String.join(",", peers));
        settings.addAll(common);
        return settings;
    }

    /**
     * @param node one of the nodes.
     * @return its settings with its id, for a node started in the test's own JVM.
     */
    public List<String> withId(final String node)
    {
        final List<String> settings = settingsOf(node);
        settings.add("node.id=" + node);
        return settings;
    }

    /**
     * A port free on the loopback address now, chosen below the kernel's usual range of ephemeral ports (32768 and
     * up on Linux): a port from that range (what binding port 0 gives) may be taken as the local port of an outgoing
     * connection in the seconds before the node meant to listen on it starts, which failed a multi-JVM test with
     * "Address already in use". Falls back to a port from the kernel if none of the tries is free.
     *
     * @return the port.
     */
    public static int freePort()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < PORT_TRIES; attempt++)
        {
            final int port = LOWEST_PORT + ThreadLocalRandom.current().nextInt(PORTS);
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
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
