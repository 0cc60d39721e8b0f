package dev.ra.examples.support;

import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The scenario-test world: three Ra nodes {@code n1..n3} that host a 3-member cluster, plus an application node
 * {@code n4} that hosts only processes (holders, members, workers), all in one {@link InJvmCluster} (one JVM, an
 * {@link InJvmNetwork}, in-memory storage that survives node restarts). On top of that cluster it adds what the
 * toolbox scenarios do: kill the leader, restart members from storage, cut the application node off and back.
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

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final String clusterName;
    private final List<ServerId> members;
    private final BiConsumer<String, RaSystem> onStarted;
    private final InJvmCluster nodes;

    private ToolboxCluster(final String clusterName, final Duration syncDelay,
        final BiConsumer<String, RaSystemBuilder> customizer, final BiConsumer<String, RaSystem> onStarted)
    {
        this.clusterName = clusterName;
        this.members = RA_NODES.stream().map(node -> new ServerId(clusterName, node)).toList();
        this.onStarted = onStarted;
        final List<String> all = List.of(RA_NODES.get(0), RA_NODES.get(1), RA_NODES.get(2), APP_NODE);
        this.nodes = new InJvmCluster(all, syncDelay, (node, builder) ->
        {
            if (RA_NODES.contains(node))
            {
                customizer.accept(node, builder);
            }
        });
        for (final String node : RA_NODES)
        {
            onStarted.accept(node, nodes.system(node));
        }
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
     * @param onStarted   runs after each Ra node's system is built (also after restarts).
     * @return the world, with the cluster started.
     */
    public static ToolboxCluster start(final String clusterName,
        final BiConsumer<String, RaSystemBuilder> customizer, final BiConsumer<String, RaSystem> onStarted)
    {
        return start(clusterName, Duration.ZERO, customizer, onStarted);
    }

    /**
     * A world on slow disks: every append becomes durable {@code syncDelay} after it is written, so a command commits
     * no sooner while a query goes at full speed.
     *
     * @param clusterName of the cluster.
     * @param syncDelay   of every node's storage.
     * @param customizer  configures each node's builder; must register a machine named {@code clusterName}.
     * @param onStarted   runs after each Ra node's system is built (also after restarts).
     * @return the world, with the cluster started.
     */
    public static ToolboxCluster start(final String clusterName, final Duration syncDelay,
        final BiConsumer<String, RaSystemBuilder> customizer, final BiConsumer<String, RaSystem> onStarted)
    {
        final ToolboxCluster world = new ToolboxCluster(clusterName, syncDelay, customizer, onStarted);
        world.system(RA_NODES.get(0)).startCluster(clusterName, clusterName, world.members);
        return world;
    }

    /**
     * @return the members, on n1, n2, n3.
     */
    public List<ServerId> members()
    {
        return members;
    }

    /**
     * @param node id.
     * @return the running system of the node.
     */
    public RaSystem system(final String node)
    {
        return nodes.system(node);
    }

    /**
     * @param node id.
     * @return true if the node is running.
     */
    public boolean isUp(final String node)
    {
        return nodes.isRunning(node);
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
     * Cut the application node off from every other node; both sides see each other go down.
     */
    public void isolateAppNode()
    {
        nodes.network().isolate(APP_NODE);
    }

    /**
     * Reconnect the application node, one node pair at a time with {@link InJvmNetwork#heal}, which removes both
     * directions of a partition before telling either side, so that no answer to a node-up goes into a direction
     * that is still cut.
     */
    public void reconnectAppNode()
    {
        for (final String node : RA_NODES)
        {
            nodes.network().heal(APP_NODE, node);
        }
    }

    /**
     * Cut the application node off and reconnect it at once while the followers' acknowledgements to the leader lag
     * by 100 ms, then wait a second with the lag still on: the leader reports the node's processes down
     * ({@code Down} with {@code NOCONNECTION}) and the node back up before the {@code Down} entries commit, so a
     * machine applies them when the node is already reachable again.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void blinkAppNodeBeforeTheLeaderCommits() throws InterruptedException
    {
        final ServerId leader = awaitLeader();
        delayAcknowledgements(leader, Duration.ofMillis(100));
        try
        {
            isolateAppNode();
            reconnectAppNode();
            Thread.sleep(1_000);
        }
        finally
        {
            delayAcknowledgements(leader, Duration.ZERO);
        }
    }

    private void delayAcknowledgements(final ServerId leader, final Duration delay)
    {
        for (final String node : RA_NODES)
        {
            if (!node.equals(leader.node()))
            {
                nodes.network().delay(node, leader.node(), delay);
            }
        }
    }

    /**
     * @return the network between the nodes, to cut single links.
     */
    public InJvmNetwork network()
    {
        return nodes.network();
    }

    /**
     * @return the current leader, waiting up to 10 s for one.
     */
    public ServerId awaitLeader()
    {
        return nodes.awaitLeader(members, WAIT);
    }

    /**
     * @return the member that believes it leads, or null.
     */
    public ServerId leader()
    {
        return nodes.leaderOf(members);
    }

    /**
     * @return a Ra node that is running and does not host the current leader.
     */
    public String followerNode()
    {
        final ServerId leader = awaitLeader();
        return RA_NODES.stream().filter(n -> !n.equals(leader.node()) && isUp(n)).findFirst().orElseThrow();
    }

    /**
     * Kill the node of the current leader (its storage survives) and wait for a new leader among the others.
     *
     * @return the killed leader.
     */
    public ServerId killLeader()
    {
        final ServerId leader = awaitLeader();
        nodes.stopNode(leader.node());
        InJvmCluster.await(() ->
        {
            final ServerId next = leader();
            return null != next && !next.equals(leader) ? next : null;
        }, WAIT, "a new leader after killing " + leader);
        return leader;
    }

    /**
     * Restart a node and its member from storage.
     *
     * @param node to restart.
     */
    public void restartNode(final String node)
    {
        nodes.stopNode(node);
        startRaNode(node);
    }

    /**
     * Stop every Ra node, then start them all again and restart their members from storage, as after a full outage.
     */
    public void restartAll()
    {
        for (final String node : RA_NODES)
        {
            nodes.stopNode(node);
        }
        for (final String node : RA_NODES)
        {
            startRaNode(node);
        }
    }

    /**
     * Wait until every running member has taken a snapshot.
     */
    public void awaitSnapshotsEverywhere()
    {
        InJvmCluster.await(() -> members.stream().filter(m -> isUp(m.node()))
            .allMatch(m -> system(m.node()).overview(m).snapshotIndex() > 0), WAIT, "a snapshot on every member");
    }

    @Override
    public void close()
    {
        nodes.close();
    }

    private void startRaNode(final String node)
    {
        final RaSystem system = nodes.startNode(node);
        onStarted.accept(node, system);
        system.restartServer(new ServerId(clusterName, node));
    }
}
