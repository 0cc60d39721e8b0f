package dev.ra.runtime;

import dev.ra.ApplyFailureMode;
import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;
import dev.ra.spi.Storage;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a {@link ServerProcess} needs of its node, and nothing more: the router for everything it sends, the clock, the
 * background executor for snapshots, the node's settings, and two hooks to the {@link ServerRegistry} that started it.
 * The same for every server of a node.
 *
 * @param router               delivers what the server sends, wherever it goes.
 * @param clusters             what the node knows of clusters, to refuse adding a member of another one.
 * @param clock                of the node.
 * @param coreTime             the time handed to the cores, anchored once per node ({@link CoreTime}).
 * @param background           encodes and writes snapshots.
 * @param storage              of the node, to delete a server's data.
 * @param applyFailureMode     what a member does when its machine throws.
 * @param maxCommandBytes      largest encoded command a leader appends.
 * @param maxQueuedBytes       most bytes of commands a server's mailbox holds not yet taken ({@link QueuedCommands}).
 * @param handOverBoundNanos   longest wait for the leadership hand-over of an orderly stop.
 * @param remoteQueryWaitNanos longest wait of a named query from another node for its index
 *                             ({@link ParkedQueries#remoteWaitNanos}).
 * @param modCallHandlers      handlers of {@link dev.ra.Effect.ModCall}, by name.
 * @param retire               stops a removed member and deletes its data, wherever it runs, given the request that
 *                             names a committed configuration without it and its term.
 * @param stopped              told once a server has stopped, so it is no longer found.
 * @param aloneWarnings        the node's share of the warning that a member knows no leader and no other voter runs.
 */
record ServerEnvironment(MessageRouter router, ClusterDirectory clusters, RuntimeClock clock, CoreTime coreTime,
    Executor background,
    Storage storage, ApplyFailureMode applyFailureMode, int maxCommandBytes, long maxQueuedBytes,
    long handOverBoundNanos,
    long remoteQueryWaitNanos, Map<String, Consumer<Object>> modCallHandlers,
    BiConsumer<ServerId, ServerRequest.ForceDelete> retire,
    Consumer<ServerProcess> stopped, AloneWarnings aloneWarnings)
{
}
