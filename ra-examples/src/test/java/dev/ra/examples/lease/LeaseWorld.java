package dev.ra.examples.lease;

import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.examples.support.AppliedCommands;
import dev.ra.examples.support.OlderBuild;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.examples.watch.Watch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * A {@link ToolboxCluster} running the {@link LeasedKvMachine}, with a {@link LessorHost} on every Ra node (a fresh
 * one each time the node starts, as a restarted process would have).
 */
final class LeaseWorld implements AutoCloseable
{
    static final String CLUSTER = "leases";
    static final Duration CHECK_PERIOD = Duration.ofMillis(50);

    private final Map<String, LessorHost> hosts = new ConcurrentHashMap<>();
    private final ToolboxCluster world;

    LeaseWorld(final int historyLimit)
    {
        this(historyLimit, LeasedKvMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY);
    }

    LeaseWorld(final int historyLimit, final Duration unreachableWatchExpiry)
    {
        this(historyLimit, unreachableWatchExpiry, (system, server) -> system.overview(server).role());
    }

    /**
     * @param historyLimit           of the machine.
     * @param unreachableWatchExpiry of the machine.
     * @param roleOf                 how the lessor hosts learn their member's role (to fail it on purpose).
     */
    LeaseWorld(final int historyLimit, final Duration unreachableWatchExpiry,
        final BiFunction<RaSystem, ServerId, RaftRole> roleOf)
    {
        this(historyLimit, unreachableWatchExpiry, roleOf, List.of(), 0, null);
    }

    /**
     * @param historyLimit   of the machine.
     * @param olderBuildNodes nodes whose build stops at machine version {@code olderVersion} (members not yet
     *                        upgraded, which hold the cluster at or below it).
     * @param olderVersion    that version.
     */
    LeaseWorld(final int historyLimit, final List<String> olderBuildNodes, final int olderVersion)
    {
        this(historyLimit, LeasedKvMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY,
            (system, server) -> system.overview(server).role(), olderBuildNodes, olderVersion, null);
    }

    /**
     * @param historyLimit of the machine.
     * @param applied      gets every command a member applies, the very commands the clients sent (to send a copy
     *                     of one again, as an attempt held up on its way would land).
     * @return the world.
     */
    static LeaseWorld recording(final int historyLimit, final Queue<Object> applied)
    {
        return new LeaseWorld(historyLimit, LeasedKvMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY,
            (system, server) -> system.overview(server).role(), List.of(), 0, applied);
    }

    private LeaseWorld(final int historyLimit, final Duration unreachableWatchExpiry,
        final BiFunction<RaSystem, ServerId, RaftRole> roleOf, final List<String> olderBuildNodes,
        final int olderVersion, final Queue<Object> applied)
    {
        this.world = ToolboxCluster.start(CLUSTER, (node, builder) ->
        {
            final LessorHost host = new LessorHost(new ServerId(CLUSTER, node), CHECK_PERIOD, roleOf);
            final LessorHost previous = hosts.put(node, host);
            if (null != previous)
            {
                previous.close();
            }
            builder.registerMachine(CLUSTER, () ->
            {
                final LeasedKvMachine machine = new LeasedKvMachine(LeasedKvMachine.DEFAULT_LESSOR_HANDLER,
                    historyLimit, unreachableWatchExpiry, ReleaseCursorPolicy.every(16));
                if (olderBuildNodes.contains(node))
                {
                    return new OlderBuild<>(machine, olderVersion);
                }
                return null == applied ? machine : new AppliedCommands<>(machine, applied);
            })
                .modCallHandler(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, host)
                .minSnapshotInterval(16);
        }, (node, system) -> hosts.get(node).attach(system));
    }

    ToolboxCluster cluster()
    {
        return world;
    }

    /**
     * @param node    a running Ra node.
     * @param watchId of a watch.
     * @return the watch in the state of that node's member (possibly a little behind), or null.
     */
    Watch watch(final String node, final String watchId)
    {
        return world.system(node).<LeasedKvState, Watch>localQuery(new ServerId(CLUSTER, node),
            state -> state.watches().watch(watchId)).result();
    }

    /**
     * @param node    a running Ra node.
     * @param watchId of a watch.
     * @return whether that node's member holds the tombstone of the watch (it expired while unreachable).
     */
    boolean expired(final String node, final String watchId)
    {
        return world.system(node).<LeasedKvState, Boolean>localQuery(new ServerId(CLUSTER, node),
            state -> state.watches().expired().containsKey(watchId)).result();
    }

    /**
     * @param node a Ra node or the application node.
     * @return a client there.
     */
    LeasedKvClient clientOn(final String node)
    {
        return new LeasedKvClient(world.system(node), world.members());
    }

    /**
     * @param node a Ra node.
     * @return the epoch its lessor runs in, 0 if none.
     */
    long lessorEpoch(final String node)
    {
        return hosts.get(node).epoch();
    }

    @Override
    public void close()
    {
        world.close();
        hosts.values().forEach(LessorHost::close);
    }
}
