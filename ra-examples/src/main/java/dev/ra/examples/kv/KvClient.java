package dev.ra.examples.kv;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.NumberedCalls;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The typed client of a {@link KvMachine} cluster. Thread-safe; blocking calls.
 *
 * <p>A call moves on to another member when the first one proves it did not take the command (not running, no
 * leader). Writes are numbered ({@link KvCommand.Numbered}, machine version 1 of {@link KvMachine}; one numbering per
 * JVM, {@link CommandNumbering#shared()}) and retried when their outcome is UNKNOWN (the leader failed after
 * accepting it, or it timed out): a retry whose first attempt was applied gets that attempt's reply (a CAS that
 * swapped answers true, not false on its own value), and a first attempt that lands after this JVM's later KV writes
 * is refused and writes nothing (a late put no longer overwrites the client's newer value). A cluster at version 0
 * refuses the numbered write before the log and is sent the plain one, which is not retried: a put applied late or
 * twice can overwrite a value another client wrote in between, so only the caller can decide whether retrying is safe
 * (Jepsen records such operations as indeterminate). Writes of other JVMs are not compared: a late attempt may still
 * land after another client's write. {@link #get} is linearizable; {@link #localGet} reads the member on this node
 * and may be stale.
 *
 * <p>The client works from any node that can reach the cluster. On a node hosting a member, reads run there as query
 * functions; on a node hosting none (an application's client node), they are the machine's named queries
 * ({@link KvMachine#GET}, {@link KvMachine#ENTRY}), answered by the leader ({@link #get}) or by some member
 * ({@link #localGet}).
 */
public final class KvClient
{
    private final ClusterClient cluster;
    private final NumberedCalls calls;

    /**
     * @param system  to send calls through; if it does not know the cluster yet, the client registers it there.
     * @param members of the KV cluster.
     */
    public KvClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
        system.cluster(members.get(0).name(), new KvMachine(), KvReply.class, members);
    }

    /**
     * @param cluster client with its own timeouts.
     */
    public KvClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.calls = new NumberedCalls(cluster);
    }

    /**
     * Bind a key to a value.
     *
     * @param key   to write.
     * @param value to store.
     * @return the revision of the write and the previous value.
     */
    public KvReply.Written put(final String key, final String value)
    {
        return numbered(new KvCommand.Put(key, value));
    }

    /**
     * Remove a key (a no-op if absent).
     *
     * @param key to remove.
     * @return the revision of the delete and the previous value.
     */
    public KvReply.Deleted delete(final String key)
    {
        return numbered(new KvCommand.Delete(key));
    }

    /**
     * Compare-and-set; see {@link KvCommand.Cas}.
     *
     * @param key      to compare and set.
     * @param expected current value required, or {@code null} for "absent".
     * @param update   new value, or {@code null} to delete.
     * @return whether it swapped, and the value found.
     */
    public KvReply.CasResult cas(final String key, final String expected, final String update)
    {
        return numbered(new KvCommand.Cas(key, expected, update));
    }

    /**
     * Send a write numbered, retried when its outcome is unknown; to a cluster at machine version 0, which refuses it
     * before the log, the plain write, not retried.
     *
     * @param write a put, delete or compare-and-set.
     * @param <R>   the reply type.
     * @return the reply.
     * @throws dev.ra.CommandOutcomeUnknownException if the cluster no longer knew the call when an attempt of it
     *                                               came (see {@link dev.ra.examples.support.ClientSequences}).
     */
    private <R> R numbered(final KvCommand write)
    {
        return calls.send("KV write", number -> new KvCommand.Numbered(write, number),
            () -> cluster.command(write, false));
    }

    /**
     * Linearizable read: reflects every write acknowledged before the call.
     *
     * @param key to read.
     * @return the value, or empty if absent.
     */
    public Optional<String> get(final String key)
    {
        if (!cluster.hasLocalMember())
        {
            return Optional.ofNullable(cluster.namedQuery(KvMachine.GET, key, true));
        }
        return Optional.ofNullable(cluster.<KvState, String>consistentQuery(state -> state.get(key)));
    }

    /**
     * Linearizable read of a key's value and history markers.
     *
     * @param key to read.
     * @return the entry, or empty if absent.
     */
    public Optional<KvEntry> entry(final String key)
    {
        if (!cluster.hasLocalMember())
        {
            return Optional.ofNullable(cluster.namedQuery(KvMachine.ENTRY, key, true));
        }
        return Optional.ofNullable(cluster.<KvState, KvEntry>consistentQuery(state -> state.entry(key)));
    }

    /**
     * Read the member on this node without any round trip; possibly stale. On a node hosting no member, read some
     * member as it is (one round trip, no quorum; possibly stale too).
     *
     * @param key to read.
     * @return the value that member has, or empty if absent there.
     */
    public Optional<String> localGet(final String key)
    {
        if (!cluster.hasLocalMember())
        {
            return Optional.ofNullable(cluster.namedQuery(KvMachine.GET, key, false));
        }
        return Optional.ofNullable(cluster.<KvState, String>localQuery(state -> state.get(key)));
    }
}
