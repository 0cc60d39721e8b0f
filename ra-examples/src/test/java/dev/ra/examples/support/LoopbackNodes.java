package dev.ra.examples.support;

import dev.ra.testkit.LoopbackPorts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of a multi-JVM test on loopback: a free port for each, and each node's {@code NodeConfig} settings (its
 * listen address, every other node as a peer, and the settings the test gives them all).
 */
public final class LoopbackNodes
{
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
            ports.put(node, LoopbackPorts.freePort());
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
}
