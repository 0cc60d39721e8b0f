package dev.ra.testkit;

import dev.ra.MemberChange;
import dev.ra.MembershipChangeException;
import dev.ra.RaSystem;
import dev.ra.RaSystemBuilder;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Several {@link RaSystem}s (nodes {@code n1..nN}, or named ones) in one JVM on an {@link InJvmNetwork}, each with
 * its own {@link InMemoryStorage}, tuned for fast tests: short election timeouts and ticks. Closing it closes
 * everything.
 *
 * <p>Nodes are started, stopped and looked up from the test's thread; {@link #isRunning}, {@link #system} and
 * {@link #leaderOf} may also be called from client threads while a node stops.
 */
public final class InJvmCluster implements AutoCloseable
{
    private final InJvmNetwork network = new InJvmNetwork();
    private final TransportFactory transports;
    // Synchronized: client threads of a test ask whether a node runs while the test's thread stops it.
    private final Map<String, RaSystem> systems = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, InMemoryStorage> storages = new LinkedHashMap<>();
    private final BiConsumer<String, RaSystemBuilder> customizer;
    private final Duration syncDelay;

    /**
     * @param nodes      number of nodes.
     * @param customizer adjusts each node's builder (register machines, timeouts, ...).
     */
    public InJvmCluster(final int nodes, final Consumer<RaSystemBuilder> customizer)
    {
        this(nodes, Duration.ZERO, null, customizer);
    }

    /**
     * @param nodes      number of nodes.
     * @param syncDelay  of each node's {@link InMemoryStorage}: appends become durable (and are lost on a stop if not
     *                   yet durable) after this delay.
     * @param customizer adjusts each node's builder.
     */
    public InJvmCluster(final int nodes, final Duration syncDelay, final Consumer<RaSystemBuilder> customizer)
    {
        this(nodes, syncDelay, null, customizer);
    }

    /**
     * Several systems in this JVM connected by another transport (e.g. TCP on loopback).
     *
     * @param nodes      number of nodes.
     * @param transports makes each node's transport; null for the in-JVM network.
     * @param customizer adjusts each node's builder (register machines, timeouts, ...).
     */
    public InJvmCluster(final int nodes, final TransportFactory transports,
        final Consumer<RaSystemBuilder> customizer)
    {
        this(nodes, Duration.ZERO, transports, customizer);
    }

    /**
     * Several systems in this JVM connected by another transport, with slow storage.
     *
     * @param nodes      number of nodes.
     * @param syncDelay  of each node's {@link InMemoryStorage} (see above).
     * @param transports makes each node's transport; null for the in-JVM network.
     * @param customizer adjusts each node's builder (register machines, timeouts, ...).
     */
    public InJvmCluster(final int nodes, final Duration syncDelay, final TransportFactory transports,
        final Consumer<RaSystemBuilder> customizer)
    {
        this(numbered(nodes), syncDelay, transports, (node, builder) -> customizer.accept(builder));
    }

    /**
     * Named nodes on the in-JVM network, each configured knowing its id (e.g. to register a machine on some nodes
     * only).
     *
     * @param nodes      ids of the nodes, started in this order.
     * @param customizer adjusts each node's builder, given the node's id.
     */
    public InJvmCluster(final List<String> nodes, final BiConsumer<String, RaSystemBuilder> customizer)
    {
        this(nodes, Duration.ZERO, null, customizer);
    }

    /**
     * Named nodes on the in-JVM network whose storage reports appends durable only after a delay (slow disks: a
     * command commits no sooner, while a query, which writes nothing, is not held up).
     *
     * @param nodes      ids of the nodes, started in this order.
     * @param syncDelay  of each node's {@link InMemoryStorage} (see above).
     * @param customizer adjusts each node's builder, given the node's id.
     */
    public InJvmCluster(final List<String> nodes, final Duration syncDelay,
        final BiConsumer<String, RaSystemBuilder> customizer)
    {
        this(nodes, syncDelay, null, customizer);
    }

    /**
     * Named nodes connected by another transport, each configured knowing its id (e.g. two builds of a machine).
     *
     * @param nodes      ids of the nodes, started in this order.
     * @param transports makes each node's transport; null for the in-JVM network.
     * @param customizer adjusts each node's builder, given the node's id.
     */
    public InJvmCluster(final List<String> nodes, final TransportFactory transports,
        final BiConsumer<String, RaSystemBuilder> customizer)
    {
        this(nodes, Duration.ZERO, transports, customizer);
    }

    private InJvmCluster(final List<String> nodes, final Duration syncDelay, final TransportFactory transports,
        final BiConsumer<String, RaSystemBuilder> customizer)
    {
        this.customizer = customizer;
        this.syncDelay = syncDelay;
        this.transports = null == transports ? node -> network.newTransport() : transports;
        for (final String node : nodes)
        {
            startNode(node);
        }
    }

    private static List<String> numbered(final int nodes)
    {
        final List<String> ids = new ArrayList<>();
        for (int i = 1; i <= nodes; i++)
        {
            ids.add("n" + i);
        }
        return ids;
    }

    /**
     * @param nodes number of nodes, with test defaults.
     */
    public InJvmCluster(final int nodes)
    {
        this(nodes, b -> { });
    }

    /**
     * The builder settings used for every node: fast elections and ticks.
     *
     * @param builder to configure.
     * @return the builder.
     */
    public static RaSystemBuilder testDefaults(final RaSystemBuilder builder)
    {
        return builder.electionTimeout(Duration.ofMillis(150), Duration.ofMillis(300))
            .tickInterval(Duration.ofMillis(100))
            .defaultTimeout(Duration.ofSeconds(5))
            .eventLoops(2);
    }

    /**
     * Start (or restart after {@link #stopNode}) a node, keeping its storage.
     *
     * @param node id of the node.
     * @return the node's system.
     */
    public RaSystem startNode(final String node)
    {
        final InMemoryStorage storage = storages.computeIfAbsent(node, n -> new InMemoryStorage(syncDelay));
        final RaSystemBuilder builder = testDefaults(RaSystem.builder().nodeId(node)
            .transport(transports.newTransport(node)).storage(storage));
        customizer.accept(node, builder);
        final RaSystem system = builder.build();
        systems.put(node, system);
        return system;
    }

    /**
     * Stop a node (all its servers; their storage is kept).
     *
     * @param node id of the node.
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
     * @param node id.
     * @return true if the node is running (started and not stopped).
     */
    public boolean isRunning(final String node)
    {
        return systems.containsKey(node);
    }

    /**
     * @return the network, for fault injection.
     */
    public InJvmNetwork network()
    {
        return network;
    }

    /**
     * @param node id.
     * @return the node's system.
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
     * @param server a server id.
     * @return the system hosting it.
     */
    public RaSystem system(final ServerId server)
    {
        return system(server.node());
    }

    /**
     * @return the first node's system.
     */
    public RaSystem first()
    {
        synchronized (systems)
        {
            return systems.values().iterator().next();
        }
    }

    /**
     * @return every running node's system.
     */
    public List<RaSystem> systems()
    {
        synchronized (systems)
        {
            return new ArrayList<>(systems.values());
        }
    }

    /**
     * One server id per node, all named {@code name}.
     *
     * @param name of the servers.
     * @return ids on n1, n2, ...
     */
    public List<ServerId> serverIds(final String name)
    {
        final List<ServerId> ids = new ArrayList<>();
        synchronized (systems)
        {
            for (final String node : systems.keySet())
            {
                ids.add(new ServerId(name, node));
            }
        }
        return ids;
    }

    /**
     * Start a cluster with one member per node, from the first node.
     *
     * @param name    of the cluster and its servers.
     * @param machine the machine.
     * @return the members.
     */
    public List<ServerId> startCluster(final String name, final StateMachine<?, ?> machine)
    {
        final List<ServerId> ids = serverIds(name);
        first().startCluster(name, machine, ids);
        return ids;
    }

    /**
     * The member that believes it leads, according to the overviews of the running members.
     *
     * @param members of the cluster.
     * @return the leader, or null if none believes it leads.
     */
    public ServerId leaderOf(final List<ServerId> members)
    {
        for (final ServerId id : members)
        {
            final RaSystem system = systems.get(id.node());
            if (null != system && system.isRunning(id) && system.overview(id).role() == RaftRole.LEADER)
            {
                return id;
            }
        }
        return null;
    }

    /**
     * Wait until a member leads.
     *
     * @param members of the cluster.
     * @param timeout of the wait.
     * @return the leader.
     */
    public ServerId awaitLeader(final List<ServerId> members, final Duration timeout)
    {
        try
        {
            return await(() -> leaderOf(members), timeout, "a leader among " + members);
        }
        catch (final AssertionError e)
        {
            throw new AssertionError(e.getMessage() + "; members: " + describe(members), e);
        }
    }

    /**
     * @param members of a cluster.
     * @return each running member's role, term, leader and indexes, for failure messages.
     */
    public String describe(final List<ServerId> members)
    {
        final StringBuilder out = new StringBuilder();
        for (final ServerId id : members)
        {
            final RaSystem system = systems.get(id.node());
            out.append("\n  ").append(id).append(": ");
            if (null == system || !system.isRunning(id))
            {
                out.append("not running");
                continue;
            }
            try
            {
                final var o = system.overview(id);
                out.append(o.role()).append(" term=").append(o.currentTerm()).append(" leader=").append(o.leader())
                    .append(" commit=").append(o.commitIndex()).append(" applied=").append(o.lastApplied())
                    .append(" last=").append(o.lastIndex()).append(" written=").append(o.lastWrittenIndex())
                    .append(" members=").append(o.members()).append(" counters=").append(o.counters());
            }
            catch (final RuntimeException ex)
            {
                out.append(ex);
            }
        }
        return out.toString();
    }

    /**
     * Make a membership change, again while the leader refuses it as not permitted for now (it does not reach enough
     * voters yet, as just after a member started or a leader was elected: nothing was appended), as an application
     * does; any other failure is thrown at once.
     *
     * @param change  the call that makes the change.
     * @param timeout how long it may be refused.
     * @param what    the change, for the failure.
     * @return the change made.
     */
    public static MemberChange whenPermitted(final Supplier<MemberChange> change, final Duration timeout,
        final String what)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            try
            {
                return change.get();
            }
            catch (final MembershipChangeException ex)
            {
                if (ex.reason() != MembershipChangeException.Reason.NOT_PERMITTED || System.nanoTime() - deadline >= 0)
                {
                    throw ex;
                }
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted making " + what, ex);
            }
        }
    }

    /**
     * Poll a condition until it yields a non-null value.
     *
     * @param probe     the condition.
     * @param timeout   of the wait.
     * @param what      is awaited, for the failure message.
     * @param <T>       the value type.
     * @return the value.
     */
    public static <T> T await(final Supplier<T> probe, final Duration timeout, final String what)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                final T value = probe.get();
                if (null != value && !Boolean.FALSE.equals(value))
                {
                    return value;
                }
            }
            catch (final RuntimeException ex)
            {
                last = ex;
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, ex);
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
    }

    @Override
    public void close()
    {
        for (final RaSystem system : systems())
        {
            system.close();
        }
        systems.clear();
        network.close();
        transports.close();
        for (final InMemoryStorage storage : storages.values())
        {
            storage.close();
        }
    }
}
