package dev.ra.examples.tree;

import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.examples.lease.LessorHost;
import dev.ra.examples.support.AppliedCommands;
import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A {@link ToolboxCluster} running the {@link TreeMachine}, with a {@link LessorHost} on every Ra node (a fresh one
 * each time the node starts, as a restarted process would have). Clients made here are closed with the world.
 */
public final class TreeWorld implements AutoCloseable
{
    static final String CLUSTER = "tree";
    static final Duration CHECK_PERIOD = Duration.ofMillis(50);

    private final Map<String, LessorHost> hosts = new ConcurrentHashMap<>();
    private final java.util.List<TreeClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ToolboxCluster world;

    /**
     * A world with the default unreachable watch expiry, every member of this build.
     */
    public TreeWorld()
    {
        this(TreeMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY);
    }

    /**
     * @param unreachableWatchExpiry how long a watcher keeps its watches while its node is unreachable.
     */
    TreeWorld(final Duration unreachableWatchExpiry)
    {
        this(unreachableWatchExpiry, null);
    }

    /**
     * @param unreachableWatchExpiry how long a watcher keeps its watches while its node is unreachable.
     * @param olderBuildNode         a node that runs machine version 0 only (a member not yet upgraded), or null.
     */
    TreeWorld(final Duration unreachableWatchExpiry, final String olderBuildNode)
    {
        this(unreachableWatchExpiry, olderBuildNode, Duration.ZERO, UnaryOperator.identity());
    }

    /**
     * A world on slow disks: a command commits no sooner than {@code syncDelay}, while a query goes at full speed.
     *
     * @param syncDelay of every node's storage.
     * @return the world.
     */
    public static TreeWorld withSyncDelay(final Duration syncDelay)
    {
        return new TreeWorld(TreeMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY, null, syncDelay, UnaryOperator.identity());
    }

    /**
     * A world whose members hand every command they apply to {@code applied} ({@link AppliedCommands}).
     *
     * @param applied gets the commands, in the order each member applies them.
     * @return the world.
     */
    public static TreeWorld recording(final Queue<Object> applied)
    {
        return running(machine -> new AppliedCommands<>(machine, applied));
    }

    /**
     * A world whose members run the machine of this build as {@code thisBuild} makes it of {@link TreeMachine}.
     *
     * @param thisBuild wraps the machine every member runs.
     * @return the world.
     */
    public static TreeWorld running(final UnaryOperator<StateMachine<TreeMachineCommand, TreeState>> thisBuild)
    {
        return new TreeWorld(TreeMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY, null, Duration.ZERO, thisBuild);
    }

    private TreeWorld(final Duration unreachableWatchExpiry, final String olderBuildNode, final Duration syncDelay,
        final UnaryOperator<StateMachine<TreeMachineCommand, TreeState>> thisBuild)
    {
        this.world = ToolboxCluster.start(CLUSTER, syncDelay, (node, builder) ->
        {
            final LessorHost host = new LessorHost(new ServerId(CLUSTER, node), CHECK_PERIOD);
            final LessorHost previous = hosts.put(node, host);
            if (null != previous)
            {
                previous.close();
            }
            builder.registerMachine(CLUSTER, () ->
            {
                final TreeMachine machine = new TreeMachine(TreeMachine.DEFAULT_LESSOR_HANDLER,
                    unreachableWatchExpiry, ReleaseCursorPolicy.every(16));
                if (node.equals(olderBuildNode))
                {
                    return new OlderBuild<>(machine, 0);
                }
                return thisBuild.apply(machine);
            })
                .modCallHandler(TreeMachine.DEFAULT_LESSOR_HANDLER, host)
                .minSnapshotInterval(16);
        }, (node, system) -> hosts.get(node).attach(system));
    }

    /**
     * @return the cluster underneath.
     */
    public ToolboxCluster cluster()
    {
        return world;
    }

    /**
     * @param node a Ra node hosting a member.
     * @return the watches in that member's state now.
     */
    TreeWatches watches(final String node)
    {
        return world.system(node).<TreeState, TreeWatches>localQuery(new ServerId(CLUSTER, node), TreeState::watches)
            .result();
    }

    /**
     * @param node a Ra node or the application node.
     * @return a client there.
     */
    public TreeClient clientOn(final String node)
    {
        final TreeClient client = new TreeClient(world.system(node), world.members());
        clients.add(client);
        return client;
    }

    @Override
    public void close()
    {
        clients.forEach(TreeClient::close);
        world.close();
        hosts.values().forEach(LessorHost::close);
    }
}
