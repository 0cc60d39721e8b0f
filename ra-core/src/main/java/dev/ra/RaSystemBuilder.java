package dev.ra;

import dev.ra.core.CoreConfig;
import dev.ra.runtime.RaRuntime;
import dev.ra.runtime.RuntimeConfig;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The settings of one node, from which {@link #build()} starts a {@link RaSystem}; get one from
 * {@link RaSystem#builder()}:
 *
 * <pre>{@code
 * RaSystem node = RaSystem.builder().nodeId("n1").transport(transport).storage(storage).build();
 * }</pre>
 *
 * <p>The node id, the transport and the storage are required; every other setting has the default its method names.
 * Each method checks its own argument at once (an {@link IllegalArgumentException} or {@link NullPointerException}
 * naming the setting); {@link #build()} checks that the required settings are there and that the settings agree with
 * each other. Not thread-safe.
 */
public final class RaSystemBuilder
{
    private String nodeId;
    private Transport transport;
    private Storage storage;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private boolean useTransportThreads = true;
    private Duration tickInterval = Duration.ofSeconds(1);
    private Duration electionTimeoutMin = Duration.ofMillis(1000);
    private Duration electionTimeoutMax = Duration.ofMillis(2000);
    private Duration defaultTimeout = Duration.ofSeconds(5);
    private Duration commitNoticeDelay = Duration.ofMillis(2);
    private long minSnapshotInterval = 4096;
    private boolean closeStorage = true;
    private boolean restartStoredServers = true;
    private int maxCommandBytes = CoreConfig.DEFAULT_MAX_COMMAND_BYTES;
    private long maxUncommittedBytes = CoreConfig.DEFAULT_MAX_UNCOMMITTED_BYTES;
    private ApplyFailureMode applyFailureMode = ApplyFailureMode.FAIL_COMMAND;
    private Executor processExecutor;
    private final Map<String, Supplier<? extends StateMachine<?, ?>>> machines = new LinkedHashMap<>();
    private final Map<String, Consumer<Object>> modCallHandlers = new LinkedHashMap<>();

    RaSystemBuilder()
    {
    }

    /**
     * @param nodeId id of this node, unique in the deployment (required).
     * @return this builder.
     */
    public RaSystemBuilder nodeId(final String nodeId)
    {
        this.nodeId = Names.requireValid(nodeId, "node id");
        return this;
    }

    /**
     * @param transport connecting this node to the others (required); the system starts and closes it. A transport
     *                  serves one system: {@link #build()} fails, leaving it alone, if another system runs on it.
     * @return this builder.
     */
    public RaSystemBuilder transport(final Transport transport)
    {
        this.transport = Objects.requireNonNull(transport, "transport");
        return this;
    }

    /**
     * @param storage of this node's servers (required), for example {@code dev.ra.log.FileStorage} or
     *                {@link dev.ra.runtime.memory.InMemoryStorage}. The system owns it: {@link RaSystem#close()}
     *                closes it, unless {@link #closeStorage closeStorage(false)}. A storage serves one system at a
     *                time: {@link #build()} fails, leaving it alone, if another system runs on it.
     * @return this builder.
     */
    public RaSystemBuilder storage(final Storage storage)
    {
        this.storage = Objects.requireNonNull(storage, "storage");
        return this;
    }

    /**
     * @param close whether {@link RaSystem#close()} (or a {@link #build()} that fails) closes the storage too;
     *              default true. Pass false to keep the storage open after the system closes, for example to build a
     *              new system on it in the same process.
     * @return this builder.
     */
    public RaSystemBuilder closeStorage(final boolean close)
    {
        this.closeStorage = close;
        return this;
    }

    /**
     * @param restart whether {@link #build()} restarts every server of this node found in the storage (and waits,
     *                up to the default timeout, until they run), as Ra restarts a system's servers; default
     *                true. A server that cannot be restarted is logged, stays stopped and is listed by
     *                {@link RaSystem#failedRestarts()}; the others start. With false, restart
     *                each with {@link RaSystem#restartServer}.
     * @return this builder.
     */
    public RaSystemBuilder restartStoredServers(final boolean restart)
    {
        this.restartStoredServers = restart;
        return this;
    }

    /**
     * @param eventLoops number of event loop threads that run the servers; default: number of cores.
     * @return this builder.
     */
    public RaSystemBuilder eventLoops(final int eventLoops)
    {
        if (eventLoops <= 0)
        {
            throw new IllegalArgumentException("event loops must be positive, got " + eventLoops);
        }
        this.eventLoops = eventLoops;
        return this;
    }

    /**
     * Whether the event loops run on threads the transport lends ({@link dev.ra.spi.LoopHost}), if it lends any;
     * default true. Servers then run on the thread their messages arrive on, which saves two thread wake-ups per
     * message each way (lower latency on a quiet machine). Turn it off to keep network I/O apart from machine
     * code, for example when {@code apply} can take long.
     *
     * @param use whether to use the transport's threads.
     * @return this builder.
     */
    public RaSystemBuilder useTransportThreads(final boolean use)
    {
        this.useTransportThreads = use;
        return this;
    }

    /**
     * @param tickInterval between ticks of each leader (resending to followers it has not heard from, and the
     *                     machine's {@code tick}); followers are not ticked. Default 1 s; at least 1 ms (it is
     *                     counted in whole milliseconds).
     * @return this builder.
     */
    public RaSystemBuilder tickInterval(final Duration tickInterval)
    {
        Arguments.requireWholeMillis(tickInterval, "tickInterval");
        this.tickInterval = tickInterval;
        return this;
    }

    /**
     * @param min lower bound of the randomized election timeout; default 1 s; at least 1 ms (both bounds are
     *            counted in whole milliseconds).
     * @param max upper bound; default 2 s.
     * @return this builder.
     */
    public RaSystemBuilder electionTimeout(final Duration min, final Duration max)
    {
        Arguments.requireWholeMillis(min, "electionTimeout min");
        Arguments.requireWholeMillis(max, "electionTimeout max");
        if (max.toMillis() <= min.toMillis())
        {
            throw new IllegalArgumentException("election timeout max must exceed min by at least 1 ms (both are " +
                "counted in whole milliseconds), got " + min + " and " + max);
        }
        this.electionTimeoutMin = min;
        this.electionTimeoutMax = max;
        return this;
    }

    /**
     * @param delay how long a leader with no entries to send a follower lets that follower's known commit index
     *              lag before sending an empty AppendEntries just to advance it; default 2 ms. Under load the next
     *              entries carry the commit index first, which saves each follower a message and a reply per
     *              command; followers apply (and serve local queries) at most this much later when traffic stops.
     *              Zero (or less than a millisecond: the core counts whole milliseconds) sends the notice at once.
     *              Must be below the election timeout's lower bound.
     * @return this builder.
     */
    public RaSystemBuilder commitNoticeDelay(final Duration delay)
    {
        Objects.requireNonNull(delay, "commit notice delay");
        if (delay.isNegative())
        {
            throw new IllegalArgumentException("commit notice delay must not be negative, got " + delay);
        }
        this.commitNoticeDelay = delay;
        return this;
    }

    /**
     * @param timeout of calls made without an explicit timeout; default 5 s. One longer than about 73 years waits
     *                without a limit, as an explicit timeout does.
     * @return this builder.
     */
    public RaSystemBuilder defaultTimeout(final Duration timeout)
    {
        Arguments.requirePositive(timeout, "default timeout");
        this.defaultTimeout = timeout;
        return this;
    }

    /**
     * @param entries a release cursor ({@link Effect.ReleaseCursor}) is written as a snapshot only if it is more than
     *                this many entries above the last snapshot; default 4096.
     * @return this builder.
     */
    public RaSystemBuilder minSnapshotInterval(final long entries)
    {
        if (entries < 0)
        {
            throw new IllegalArgumentException("min snapshot interval must not be negative, got " + entries);
        }
        this.minSnapshotInterval = entries;
        return this;
    }

    /**
     * @param executor runs process handlers by default; default: a small pool owned by the system.
     * @return this builder.
     */
    public RaSystemBuilder processExecutor(final Executor executor)
    {
        this.processExecutor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Register a machine by name, so that clusters can be started, and servers restarted, by that name.
     *
     * @param name    of the machine.
     * @param machine creates the machine.
     * @return this builder.
     */
    public RaSystemBuilder registerMachine(final String name, final Supplier<? extends StateMachine<?, ?>> machine)
    {
        Names.requireValid(name, "machine name");
        Objects.requireNonNull(machine, "machine");
        if (null != machines.putIfAbsent(name, machine))
        {
            throw new IllegalArgumentException("a machine named '" + name + "' is already registered");
        }
        return this;
    }

    /**
     * Register the handler run by {@link Effect.ModCall} effects naming it. It runs on the leader's event loop:
     * it must not block, and what it throws is logged.
     *
     * @param name    of the handler.
     * @param handler of the effect's argument.
     * @return this builder.
     */
    public RaSystemBuilder modCallHandler(final String name, final Consumer<Object> handler)
    {
        Names.requireValid(name, "mod-call handler name");
        Objects.requireNonNull(handler, "handler");
        if (null != modCallHandlers.putIfAbsent(name, handler))
        {
            throw new IllegalArgumentException("a mod-call handler named '" + name + "' is already registered");
        }
        return this;
    }

    /**
     * The largest command, encoded, that this node sends or appends; default 8 MiB. A larger one fails at once
     * with an {@link InvalidCommandException} at the caller (and a leader refuses one arriving from another node),
     * so no entry in a log is too large to replicate. The limit in force is also capped at half the transport's
     * message limit ({@link Transport#maxMessageBytes()}), so that an AppendEntries message always fits.
     *
     * @param bytes the limit.
     * @return this builder.
     */
    public RaSystemBuilder maxCommandBytes(final int bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("max command bytes must be positive, got " + bytes);
        }
        this.maxCommandBytes = bytes;
        return this;
    }

    /**
     * The most a leader on this node holds of the commands it took and has not yet committed and applied; default
     * 64 MiB (etcd's {@code MaxUncommittedEntriesSize}). Each command counts its encoded size plus 64 bytes for its
     * entry and its caller. When clients submit commands faster than the cluster commits them (followers slow, or some
     * down), the leader refuses more once it holds this much, rather than hold them until the JVM runs out of heap
     * and every cluster on the node dies: {@code processCommand} fails with a {@link ServerOverloadedException} and a
     * pipelining process gets one in place of the reply; nothing was appended, so the caller may retry later. A single
     * command is always taken when none is held, and the leader's own entries (its noop, configuration changes,
     * machine version switches, the machine's appends) are never refused. Limits each server separately. The same
     * limit bounds the commands in a server's mailbox that its event loop has not taken yet (callers faster than the
     * loop): past it the call is refused at once, the same way.
     *
     * @param bytes the limit.
     * @return this builder.
     */
    public RaSystemBuilder maxUncommittedBytes(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("max uncommitted bytes must be positive, got " + bytes);
        }
        this.maxUncommittedBytes = bytes;
        return this;
    }

    /**
     * What this node's members do when their machine throws; default {@link ApplyFailureMode#FAIL_COMMAND} (the
     * exception is the command's outcome, the member carries on); {@link ApplyFailureMode#STOP_SERVER} is Ra's
     * behaviour.
     *
     * @param mode the failure mode.
     * @return this builder.
     */
    public RaSystemBuilder applyFailureMode(final ApplyFailureMode mode)
    {
        this.applyFailureMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * Validate the settings and start the system: its threads, its transport, and (by default) the servers found in
     * its storage. The system owns the transport and the storage it is given: a build that fails closes them (the
     * storage unless {@link #closeStorage closeStorage(false)}), since no system is handed back to close them, so
     * that a storage built inline does not keep its directory (and its lock) for the rest of the process.
     *
     * @return the running system.
     * @throws IllegalStateException    if the node id, the transport or the storage is missing.
     * @throws IllegalArgumentException if the commit notice delay is not below the election timeout's lower bound.
     * @throws RaException              if the transport cannot start (for example its listen address is in use, or
     *                                  it was closed by an earlier build), or another system runs on the transport
     *                                  or the storage, or the servers in the storage cannot be listed, naming the
     *                                  node and the reason; every thread started so far is stopped and the transport
     *                                  closed, and the storage too unless {@code closeStorage(false)}: each of them
     *                                  that another system runs on is left alone, the other one is still closed.
     */
    public RaSystem build()
    {
        final RuntimeConfig config;
        try
        {
            config = validated();
        }
        catch (final RuntimeException ex)
        {
            closeGiven(ex);
            throw ex;
        }
        return new RaSystem(config, closeStorage, restartStoredServers);
    }

    private RuntimeConfig validated()
    {
        if (null == nodeId)
        {
            throw new IllegalStateException("nodeId is required");
        }
        if (null == transport)
        {
            throw new IllegalStateException("transport is required");
        }
        if (null == storage)
        {
            throw new IllegalStateException("storage is required, also on a node that hosts no member: " +
                "dev.ra.log.FileStorage on disk, or dev.ra.runtime.memory.InMemoryStorage");
        }
        if (commitNoticeDelay.compareTo(electionTimeoutMin) >= 0)
        {
            throw new IllegalArgumentException("commit notice delay " + commitNoticeDelay +
                " must be below the election timeout's lower bound " + electionTimeoutMin);
        }
        return new RuntimeConfig(nodeId, transport, storage, eventLoops, tickInterval, electionTimeoutMin,
            electionTimeoutMax, defaultTimeout, commitNoticeDelay, minSnapshotInterval, machines, modCallHandlers,
            processExecutor, useTransportThreads, maxCommandBytes, applyFailureMode)
            .withMaxUncommittedBytes(maxUncommittedBytes);
    }

    /**
     * The settings were refused: nothing was started, but the caller handed the transport and the storage over.
     */
    private void closeGiven(final RuntimeException failure)
    {
        // A transport or storage a running system runs on (a builder copied from that system's) is its own.
        if (null != transport && !RaRuntime.inUse(transport))
        {
            try
            {
                transport.close();
            }
            catch (final RuntimeException ex)
            {
                failure.addSuppressed(ex);
            }
        }
        if (null != storage && closeStorage && !RaRuntime.inUse(storage))
        {
            try
            {
                storage.close();
            }
            catch (final RuntimeException ex)
            {
                failure.addSuppressed(ex);
            }
        }
    }
}
