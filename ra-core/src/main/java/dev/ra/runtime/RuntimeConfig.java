package dev.ra.runtime;

import dev.ra.ApplyFailureMode;
import dev.ra.StateMachine;
import dev.ra.core.CoreConfig;
import dev.ra.spi.Storage;
import dev.ra.spi.Transport;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The validated settings of one node's runtime, produced by {@link dev.ra.RaSystemBuilder}. Internal API.
 *
 * @param nodeId              id of the node.
 * @param transport           to reach other nodes.
 * @param storage             of the node's servers.
 * @param eventLoops          number of event loop threads.
 * @param tickInterval        between ticks of every server.
 * @param electionTimeoutMin  lower bound of the randomized election timeout.
 * @param electionTimeoutMax  upper bound of the randomized election timeout.
 * @param defaultTimeout      of calls without an explicit timeout.
 * @param commitNoticeDelay   how long a leader lets an idle follower's known commit index lag.
 * @param minSnapshotInterval entries between snapshots at least.
 * @param machines            machines registered by name.
 * @param modCallHandlers     handlers for {@link dev.ra.Effect.ModCall}, by name.
 * @param processExecutor     runs process handlers, or null for the default pool.
 * @param useTransportThreads run the event loops on threads the transport lends, if it lends any.
 * @param maxCommandBytes     largest encoded command accepted (also capped at half the transport's message limit).
 * @param applyFailureMode    what a member does when its machine throws.
 * @param clock               every time the runtime reads (deadlines, timers, the time given to the core).
 * @param maxUncommittedBytes most bytes of commands a leader holds appended and not yet applied (see
 *                            {@link dev.ra.core.CoreConfig#maxUncommittedBytes()}).
 */
public record RuntimeConfig(String nodeId, Transport transport, Storage storage, int eventLoops,
    Duration tickInterval, Duration electionTimeoutMin, Duration electionTimeoutMax, Duration defaultTimeout,
    Duration commitNoticeDelay, long minSnapshotInterval, Map<String, Supplier<? extends StateMachine<?, ?>>> machines,
    Map<String, Consumer<Object>> modCallHandlers, Executor processExecutor, boolean useTransportThreads,
    int maxCommandBytes, ApplyFailureMode applyFailureMode, RuntimeClock clock, long maxUncommittedBytes)
{
    /**
     * Copies the maps.
     */
    public RuntimeConfig
    {
        machines = Map.copyOf(machines);
        modCallHandlers = Map.copyOf(modCallHandlers);
        if (maxCommandBytes <= 0)
        {
            throw new IllegalArgumentException("maxCommandBytes must be positive, got " + maxCommandBytes);
        }
        Objects.requireNonNull(applyFailureMode, "applyFailureMode");
        Objects.requireNonNull(clock, "clock");
        if (maxUncommittedBytes <= 0)
        {
            throw new IllegalArgumentException("maxUncommittedBytes must be positive, got " + maxUncommittedBytes);
        }
    }

    /**
     * The settings with the system clock.
     *
     * @param nodeId              id of the node.
     * @param transport           to reach other nodes.
     * @param storage             of the node's servers.
     * @param eventLoops          number of event loop threads.
     * @param tickInterval        between ticks of every server.
     * @param electionTimeoutMin  lower bound of the randomized election timeout.
     * @param electionTimeoutMax  upper bound of the randomized election timeout.
     * @param defaultTimeout      of calls without an explicit timeout.
     * @param commitNoticeDelay   how long a leader lets an idle follower's known commit index lag.
     * @param minSnapshotInterval entries between snapshots at least.
     * @param machines            machines registered by name.
     * @param modCallHandlers     handlers for {@link dev.ra.Effect.ModCall}, by name.
     * @param processExecutor     runs process handlers, or null for the default pool.
     * @param useTransportThreads run the event loops on threads the transport lends, if it lends any.
     * @param maxCommandBytes     largest encoded command accepted (also capped at half the transport's message limit).
     * @param applyFailureMode    what a member does when its machine throws.
     */
    public RuntimeConfig(final String nodeId, final Transport transport, final Storage storage, final int eventLoops,
        final Duration tickInterval, final Duration electionTimeoutMin, final Duration electionTimeoutMax,
        final Duration defaultTimeout, final Duration commitNoticeDelay, final long minSnapshotInterval,
        final Map<String, Supplier<? extends StateMachine<?, ?>>> machines,
        final Map<String, Consumer<Object>> modCallHandlers, final Executor processExecutor,
        final boolean useTransportThreads, final int maxCommandBytes, final ApplyFailureMode applyFailureMode)
    {
        this(nodeId, transport, storage, eventLoops, tickInterval, electionTimeoutMin, electionTimeoutMax,
            defaultTimeout, commitNoticeDelay, minSnapshotInterval, machines, modCallHandlers, processExecutor,
            useTransportThreads, maxCommandBytes, applyFailureMode, RuntimeClock.system(),
            CoreConfig.DEFAULT_MAX_UNCOMMITTED_BYTES);
    }

    /**
     * @param clock to read the time from instead.
     * @return these settings with another clock (a test's manual clock, for instance).
     */
    public RuntimeConfig withClock(final RuntimeClock clock)
    {
        return new RuntimeConfig(nodeId, transport, storage, eventLoops, tickInterval, electionTimeoutMin,
            electionTimeoutMax, defaultTimeout, commitNoticeDelay, minSnapshotInterval, machines, modCallHandlers,
            processExecutor, useTransportThreads, maxCommandBytes, applyFailureMode, clock, maxUncommittedBytes);
    }

    /**
     * @param bytes most bytes of commands a leader holds appended and not yet applied.
     * @return these settings with another limit.
     */
    public RuntimeConfig withMaxUncommittedBytes(final long bytes)
    {
        return new RuntimeConfig(nodeId, transport, storage, eventLoops, tickInterval, electionTimeoutMin,
            electionTimeoutMax, defaultTimeout, commitNoticeDelay, minSnapshotInterval, machines, modCallHandlers,
            processExecutor, useTransportThreads, maxCommandBytes, applyFailureMode, clock, bytes);
    }

    /**
     * The settings with the default command size limit, failure mode and clock.
     *
     * @param nodeId              id of the node.
     * @param transport           to reach other nodes.
     * @param storage             of the node's servers.
     * @param eventLoops          number of event loop threads.
     * @param tickInterval        between ticks of every server.
     * @param electionTimeoutMin  lower bound of the randomized election timeout.
     * @param electionTimeoutMax  upper bound of the randomized election timeout.
     * @param defaultTimeout      of calls without an explicit timeout.
     * @param commitNoticeDelay   how long a leader lets an idle follower's known commit index lag.
     * @param minSnapshotInterval entries between snapshots at least.
     * @param machines            machines registered by name.
     * @param modCallHandlers     handlers for {@link dev.ra.Effect.ModCall}, by name.
     * @param processExecutor     runs process handlers, or null for the default pool.
     * @param useTransportThreads run the event loops on threads the transport lends, if it lends any.
     */
    public RuntimeConfig(final String nodeId, final Transport transport, final Storage storage, final int eventLoops,
        final Duration tickInterval, final Duration electionTimeoutMin, final Duration electionTimeoutMax,
        final Duration defaultTimeout, final Duration commitNoticeDelay, final long minSnapshotInterval,
        final Map<String, Supplier<? extends StateMachine<?, ?>>> machines,
        final Map<String, Consumer<Object>> modCallHandlers, final Executor processExecutor,
        final boolean useTransportThreads)
    {
        this(nodeId, transport, storage, eventLoops, tickInterval, electionTimeoutMin, electionTimeoutMax,
            defaultTimeout, commitNoticeDelay, minSnapshotInterval, machines, modCallHandlers, processExecutor,
            useTransportThreads, CoreConfig.DEFAULT_MAX_COMMAND_BYTES, ApplyFailureMode.FAIL_COMMAND);
    }
}
