package dev.ra.examples.support;

import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.RaftState;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The scenario-test world: three Ra nodes {@code n1..n3} that host a 3-member cluster, plus an application node
 * {@code n4} that hosts only processes (holders, members, workers), all in one JVM on an {@link InJvmNetwork} with
 * in-memory storage that survives node restarts. Nodes can be killed, restarted and partitioned.
 *
 * <p>Commands are sent through a Ra node (a node must host a member to know the cluster's codecs); the processes they
 * name may live anywhere, as pids do in the Erlang toolbox.
 */
public final class ToolboxCluster implements AutoCloseable
{
    /** The nodes that host cluster members. */
    public static final List<String> RA_NODES = List.of("n1", "n2", "n3");
    /** The node that hosts application processes only. */
    public static final String APP_NODE = "n4";

    private final InJvmNetwork network = new InJvmNetwork();
    private final Map<String, RaSystem> systems = new ConcurrentHashMap<>();
    private final Map<String, InMemoryStorage> storages = new LinkedHashMap<>();
    private final BiConsumer<String, RaSystemBuilder> customizer;
    private final BiConsumer<String, RaSystem> onStarted;
    private final String clusterName;
    private final String machineName;
    private final List<ServerId> members = new ArrayList<>();

    /**
     * @param clusterName of the one cluster, also the name of its servers.
     * @param machineName under which {@code customizer} registers the machine on every Ra node.
     * @param customizer  configures each node's builder, given the node id.
     */
    public ToolboxCluster(final String clusterName, final String machineName,
        final BiConsumer<String, RaSystemBuilder> customizer)
    {
        this(clusterName, machineName, customizer, (node, system) -> { });
    }

    /**
     * @param clusterName of the one cluster, also the name of its servers.
     * @param machineName under which {@code customizer} registers the machine on every Ra node.
     * @param customizer  configures each node's builder, given the node id.
     * @param onStarted   runs after each Ra node's system is built (also after restarts).
     */
    public ToolboxCluster(final String clusterName, final String machineName,
        final BiConsumer<String, RaSystemBuilder> customizer, final BiConsumer<String, RaSystem> onStarted)
    {
        this.clusterName = clusterName;
        this.machineName = machineName;
        this.customizer = customizer;
        this.onStarted = onStarted;
        for (final String node : RA_NODES)
        {
            members.add(new ServerId(clusterName, node));
        }
        for (final String node : RA_NODES)
        {
            startNode(node);
        }
        startNode(APP_NODE);
    }

    /**
     * A world whose machine is the same on every node.
     *
     * @param clusterName of the cluster.
     * @param machine     creates the machine.
     * @return the world, with the cluster started.
     */
    public static ToolboxCluster start(final String clusterName, final Supplier<? extends StateMachine<?, ?>> machine)
    {
        return start(clusterName, (node, builder) -> builder.registerMachine(clusterName, machine));
    }

    /**
     * A world with per-node configuration; {@code customizer} must register a machine named {@code clusterName}.
     *
     * @param clusterName of the cluster.
     * @param customizer  configures each node's builder.
     * @return the world, with the cluster started.
     */
    public static ToolboxCluster start(final String clusterName, final BiConsumer<String, RaSystemBuilder> customizer)
    {
        return start(clusterName, customizer, (node, system) -> { });
    }

    /**
     * A world with per-node configuration and a hook run once each Ra node's system is built.
     *
     * @param clusterName of the cluster.
     * @param customizer  configures each node's builder; must register a machine named {@code clusterName}.
     * @param onStarted   runs after each Ra node's system is built.
     * @return the world, with the cluster started.
     */
    public static ToolboxCluster start(final String clusterName,
        final BiConsumer<String, RaSystemBuilder> customizer, final BiConsumer<String, RaSystem> onStarted)
    {
        final ToolboxCluster world = new ToolboxCluster(clusterName, clusterName, customizer, onStarted);
        world.system("n1").startCluster(clusterName, clusterName, world.members);
        return world;
    }

    /**
     * @return the members, on n1, n2, n3.
     */
    public List<ServerId> members()
    {
        return List.copyOf(members);
    }

    /**
     * @param node id.
     * @return the running system of the node.
     */
    public RaSystem system(final String node)
    {
        final RaSystem system = systems.get(node);
        if (null == system)
        {
            throw new IllegalArgumentException("node " + node + " is not running");
        }
        return system;
    }

    /**
     * @param node id.
     * @return true if the node is running.
     */
    public boolean isUp(final String node)
    {
        return systems.containsKey(node);
    }

    /**
     * @return the application node's system, where processes live.
     */
    public RaSystem app()
    {
        return system(APP_NODE);
    }

    /**
     * @param handler of the process's messages.
     * @return a process on the application node.
     */
    public RaProcess spawn(final Consumer<Object> handler)
    {
        return app().spawn(handler);
    }

    /**
     * @return the network, for partitions.
     */
    public InJvmNetwork network()
    {
        return network;
    }

    /**
     * Cut the application node off from every other node; both sides see each other go down.
     */
    public void isolateAppNode()
    {
        network.isolate(APP_NODE);
    }

    /**
     * Reconnect the application node, one node pair at a time with {@link InJvmNetwork#heal}, which removes both
     * directions of a partition before telling either side, so that no answer to a node-up goes into a direction
     * that is still cut. ({@code healAll} now does the same, but for every link, not just the application node's.)
     */
    public void reconnectAppNode()
    {
        for (final String node : RA_NODES)
        {
            network.heal(APP_NODE, node);
        }
    }

    /**
     * @return the current leader, waiting up to 10 s for one.
     */
    public ServerId awaitLeader()
    {
        return InJvmCluster.await(this::leader, Duration.ofSeconds(10), "a leader of " + clusterName);
    }

    /**
     * @return a Ra node that is running and does not host the current leader.
     */
    public String followerNode()
    {
        final ServerId leader = awaitLeader();
        return RA_NODES.stream().filter(n -> !n.equals(leader.node()) && systems.containsKey(n)).findFirst()
            .orElseThrow();
    }

    /**
     * Kill the node of the current leader (its storage survives) and wait for a new leader among the others.
     *
     * @return the killed leader.
     */
    public ServerId killLeader()
    {
        final ServerId leader = awaitLeader();
        stopNode(leader.node());
        InJvmCluster.await(() -> null != leader() && !leader().equals(leader) ? leader() : null,
            Duration.ofSeconds(10), "a new leader after killing " + leader);
        return leader;
    }

    /**
     * Stop a node; its storage is kept.
     *
     * @param node to stop.
     */
    public void stopNode(final String node)
    {
        final RaSystem system = systems.remove(node);
        if (null != system)
        {
            system.close();
        }
    }

    /**
     * Start (or restart) a node with its storage, and restart the member it hosts, if it had started one before.
     *
     * @param node to start.
     * @return its system.
     */
    public RaSystem startNode(final String node)
    {
        final InMemoryStorage storage = storages.computeIfAbsent(node, n -> new InMemoryStorage());
        final RaSystemBuilder builder = InJvmCluster.testDefaults(RaSystem.builder().nodeId(node)
            .transport(network.newTransport()).storage(storage));
        if (RA_NODES.contains(node))
        {
            customizer.accept(node, builder);
        }
        final RaSystem system = builder.build();
        systems.put(node, system);
        if (RA_NODES.contains(node))
        {
            onStarted.accept(node, system);
        }
        return system;
    }

    /**
     * Restart a node and its member from storage.
     *
     * @param node to restart.
     */
    public void restartNode(final String node)
    {
        stopNode(node);
        startNode(node).restartServer(new ServerId(clusterName, node));
    }

    /**
     * Stop every Ra node, then start them all again and restart their members from storage, as after a full outage.
     */
    public void restartAll()
    {
        for (final String node : RA_NODES)
        {
            stopNode(node);
        }
        for (final String node : RA_NODES)
        {
            startNode(node).restartServer(new ServerId(clusterName, node));
        }
    }

    /**
     * @return the member that believes it leads, or null.
     */
    public ServerId leader()
    {
        for (final ServerId id : members)
        {
            final RaSystem system = systems.get(id.node());
            if (null != system && system.isRunning(id) && system.overview(id).role() == RaftState.LEADER)
            {
                return id;
            }
        }
        return null;
    }

    /**
     * Wait until every running member has taken a snapshot.
     */
    public void awaitSnapshotsEverywhere()
    {
        InJvmCluster.await(() -> members.stream().filter(m -> systems.containsKey(m.node()))
            .allMatch(m -> system(m.node()).overview(m).snapshotIndex() > 0), Duration.ofSeconds(10),
            "a snapshot on every member");
    }

    /**
     * @return the machine name the cluster was started with.
     */
    public String machineName()
    {
        return machineName;
    }

    @Override
    public void close()
    {
        for (final RaSystem system : systems.values())
        {
            system.close();
        }
        systems.clear();
        network.close();
        for (final InMemoryStorage storage : storages.values())
        {
            storage.close();
        }
    }
}
