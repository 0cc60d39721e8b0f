package dev.ra.examples.lease;

import dev.ra.ServerId;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
        this.world = ToolboxCluster.start(CLUSTER, (node, builder) ->
        {
            final LessorHost host = new LessorHost(new ServerId(CLUSTER, node), CHECK_PERIOD);
            final LessorHost previous = hosts.put(node, host);
            if (null != previous)
            {
                previous.close();
            }
            builder.registerMachine(CLUSTER, () -> new LeasedKvMachine(LeasedKvMachine.DEFAULT_LESSOR_HANDLER,
                historyLimit, ReleaseCursorPolicy.every(16)))
                .modCallHandler(LeasedKvMachine.DEFAULT_LESSOR_HANDLER, host)
                .minSnapshotInterval(16);
        }, (node, system) -> hosts.get(node).attach(system));
    }

    ToolboxCluster cluster()
    {
        return world;
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
