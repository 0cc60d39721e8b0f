package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.core.RaftEvent;
import dev.ra.protocol.SnapshotMeta;
import dev.ra.spi.ServerStorage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's snapshot duties: writing the snapshot the core asks for, encoded and written on the node's background
 * thread (the result comes back through the mailbox), and installing one received from the leader, on the loop.
 */
final class SnapshotWork
{
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWork.class);

    private final ServerId id;
    private final StateMachine<Object, Object> machine;
    private final ServerStorage storage;
    private final Executor background;
    private final Consumer<RaftEvent> enqueue;

    /**
     * @param id         of the server.
     * @param machine    its machine (for the state codec of each snapshot's machine version).
     * @param storage    its storage.
     * @param background runs the encoding and the writing.
     * @param enqueue    puts an event in the server's mailbox.
     */
    SnapshotWork(final ServerId id, final StateMachine<Object, Object> machine, final ServerStorage storage,
        final Executor background, final Consumer<RaftEvent> enqueue)
    {
        this.id = id;
        this.machine = machine;
        this.storage = storage;
        this.background = background;
        this.enqueue = enqueue;
    }

    /**
     * Encode and write a snapshot in the background; {@code SnapshotWritten} or {@code SnapshotFailed} follows in the
     * mailbox.
     */
    void write(final SnapshotMeta meta, final Object state)
    {
        background.execute(() ->
        {
            try
            {
                final Bytes data = Bytes.wrap(VersionedStateCodec.of(id, machine, meta).toBytes(state));
                storage.snapshots().write(meta, data);
                enqueue.accept(new RaftEvent.SnapshotWritten(meta));
            }
            catch (final RuntimeException | Error ex)
            {
                // An Error too (a state codec that recurses too deep or fails an assertion): unreported, the core
                // would wait for this snapshot for ever and take no other.
                LOG.warn("{}: writing snapshot {} failed", id, meta, ex);
                enqueue.accept(new RaftEvent.SnapshotFailed(meta, String.valueOf(ex)));
            }
        });
    }

    /**
     * Install a snapshot from the leader: decode it, write it, reset the log after it.
     *
     * @return the event the core must see next.
     */
    RaftEvent install(final SnapshotMeta meta, final Bytes data)
    {
        final Object state;
        try
        {
            state = VersionedStateCodec.of(id, machine, meta).fromBytes(data.unsafeArray());
        }
        catch (final RuntimeException | Error ex)
        {
            if (!ContainedFailures.contained(ex))
            {
                throw ex;
            }
            // This build's codec does not read it (a codec changed without a new machine version): the core stops
            // applying, as for a version the build lacks, with the log untouched, rather than the server stopping
            // on it now and at every restart.
            return new RaftEvent.SnapshotFailed(meta, "does not decode with this build's state codec of " +
                "machine version " + meta.machineVersion() + ": " + ex);
        }
        storage.snapshots().write(meta, data);
        storage.log().resetTo(meta.index(), meta.term());
        return new RaftEvent.SnapshotInstalled(meta, state);
    }
}
