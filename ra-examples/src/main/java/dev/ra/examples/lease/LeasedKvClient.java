package dev.ra.examples.lease;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.support.Answered;
import dev.ra.examples.support.ClusterClient;
import dev.ra.examples.support.CommandNumbering;
import dev.ra.examples.support.NumberedCalls;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The typed client of a {@link LeasedKvMachine} cluster, from any node (one hosting a member or not): reads are the
 * machine's named queries, answered by the leader (linearizable). Thread-safe; blocking calls.
 *
 * <pre>{@code
 * LeasedKvClient kv = new LeasedKvClient(system, members);
 * try (Lease lease = kv.grant(Duration.ofSeconds(5), () -> log.warn("session lost"))) {
 *     kv.put("/services/api/" + me, address, lease.id());   // gone 5 s after this process stops keeping it alive
 * }
 * }</pre>
 *
 * <p>Writes are numbered ({@link LeasedKvCommand.Numbered}, machine version 4 of {@link LeasedKvMachine}; one
 * numbering per JVM, {@link CommandNumbering#shared()}): puts, conditional puts, deletes, grants and revokes are
 * retried when their outcome is unknown, a retry whose first attempt was applied gets that attempt's reply (a
 * conditional put that wrote answers {@link LeasedKvReply.Written}, a grant gives the one session it opened, a
 * delete or a revoke says what it deleted or released), and a first attempt that lands after this JVM's later
 * writes is refused and changes nothing (a late delete no longer deletes the client's newer put). A cluster at
 * version 3 or older refuses them before the log and is sent the plain commands, handled as before: a put or a grant
 * is not retried when its outcome is unknown (as {@link dev.ra.examples.kv.KvClient}'s on such a cluster); revokes
 * and deletes are; a conditional put is sent again after an unknown outcome, and recognises its own write when that
 * retry fails its compare (see {@link #putIf}). Writes of other JVMs are not compared.
 */
public final class LeasedKvClient
{
    private final ClusterClient cluster;
    private final NumberedCalls calls;

    /**
     * @param system  to send calls through; if it does not know the cluster yet, the client registers it there.
     * @param members of the cluster.
     */
    public LeasedKvClient(final RaSystem system, final List<ServerId> members)
    {
        this(new ClusterClient(system, members));
        system.cluster(members.get(0).name(), new LeasedKvMachine(), Object.class, members);
    }

    /**
     * @param cluster client with its own timeouts.
     */
    public LeasedKvClient(final ClusterClient cluster)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.calls = new NumberedCalls(cluster);
    }

    /**
     * @return the cluster client underneath (for {@link dev.ra.examples.watch.Watcher}s).
     */
    public ClusterClient cluster()
    {
        return cluster;
    }

    /**
     * Open a session and keep it alive from this node until the lease is closed.
     *
     * @param ttl    of the session.
     * @param onLost run once if the session is found ended while kept alive, or a TTL passes without an
     *               acknowledged keep-alive (the client was cut off: see {@link Lease}).
     * @return the lease.
     */
    public Lease grant(final Duration ttl, final Runnable onLost)
    {
        final SessionReply.Granted granted = grant(ttl, (ProcessRef)null);
        return new Lease(cluster, granted.sessionId(), granted.ttlMs(), onLost);
    }

    /**
     * Open a session without keeping it alive (someone else sends its keep-alives).
     *
     * @param ttl   of the session.
     * @param owner process whose end closes the session, or {@code null}.
     * @return the session id and TTL.
     */
    public SessionReply.Granted grant(final Duration ttl, final ProcessRef owner)
    {
        final SessionCommand.Grant grant = new SessionCommand.Grant(ttl.toMillis(), owner);
        return numbered(grant, "grant", () -> cluster.command(grant, false));
    }

    /**
     * End a session now; its keys are deleted. Numbered (see the class's): a retry whose first attempt ended the
     * session says what it released. On a cluster at machine version 3 or older an unknown outcome is handled as
     * {@link Revocation#revoke} says.
     *
     * @param sessionId to end.
     * @return what ended.
     * @throws dev.ra.CommandOutcomeUnknownException if, on an older cluster, the session is ended but whether this call
     *                                               ended it is not known, or the cluster forgot the numbered call.
     */
    public SessionReply.Ended revoke(final long sessionId)
    {
        return numbered(new SessionCommand.Revoke(sessionId), "revoke", () -> Revocation.revoke(cluster, sessionId));
    }

    /**
     * @param key   to write.
     * @param value to store.
     * @return the revision and the previous key.
     */
    public LeasedKvReply put(final String key, final String value)
    {
        return put(key, value, 0);
    }

    /**
     * @param key       to write.
     * @param value     to store.
     * @param sessionId to bind the key to (0: none).
     * @return {@link LeasedKvReply.Written}, or {@link LeasedKvReply.SessionNotFound}.
     */
    public LeasedKvReply put(final String key, final String value, final long sessionId)
    {
        final LeasedKvCommand.Put put = new LeasedKvCommand.Put(key, value, sessionId);
        return numbered(put, "put", () -> cluster.command(put, false));
    }

    /**
     * Put only if the key's mod revision is {@code expectedModRevision} (0: absent); see
     * {@link LeasedKvCommand.PutIf}. Numbered (see the class's), a retry whose first attempt wrote answers that
     * write.
     *
     * <p>On a cluster at machine version 3 or older, when the outcome of the put is unknown (a timeout, a leader
     * lost) it is sent again, and a retry whose compare fails because of this call's own write reports it
     * {@link LeasedKvReply.Written}, at the revision of that write: the key holds {@code value} and
     * {@code sessionId}, was written after {@code expectedModRevision}, and is the key that revision named (created
     * by the write itself when {@code expectedModRevision} is 0). So a session-bound lock taken by a put whose answer
     * was lost is reported taken, not lost to a holder that is this caller. A recognised write's {@code previous} is
     * null: nothing when the key was absent, and not known otherwise. Another client writing the same value with the
     * same session cannot be told from this call.
     *
     * @param key                 to write.
     * @param expectedModRevision required.
     * @param value               to store.
     * @param sessionId           to bind the key to (0: none).
     * @return written, compare failed, or session not found.
     */
    public LeasedKvReply putIf(final String key, final long expectedModRevision, final String value,
        final long sessionId)
    {
        final LeasedKvCommand.PutIf putIf = new LeasedKvCommand.PutIf(key, expectedModRevision, value, sessionId);
        return numbered(putIf, "conditional put", () -> putIfOnOlderCluster(putIf));
    }

    /**
     * A conditional put on a cluster at machine version 3 or older, sent again after an unknown outcome (see
     * {@link #putIf}).
     */
    private LeasedKvReply putIfOnOlderCluster(final LeasedKvCommand.PutIf putIf)
    {
        // One deadline for the put and its retry: the call takes no longer than this client's one timeout.
        final long deadline = cluster.deadline();
        try
        {
            return cluster.command(putIf, false, deadline);
        }
        catch (final RuntimeException ex)
        {
            if (!ClusterClient.outcomeUnknown(ex))
            {
                throw ex;
            }
        }
        // Safe to send again: it writes only if the first did not; a compare it fails may be the first's doing.
        return ownWriteRecognised(putIf, cluster.command(putIf, true, deadline));
    }

    /**
     * @param putIf   sent again after an unknown outcome.
     * @param retried the retry's reply.
     * @return the reply, or {@link LeasedKvReply.Written} if the retry failed its compare on the write of an earlier
     *         attempt of the same put.
     */
    static LeasedKvReply ownWriteRecognised(final LeasedKvCommand.PutIf putIf, final LeasedKvReply retried)
    {
        if (!(retried instanceof LeasedKvReply.CompareFailed failed) || null == failed.current())
        {
            return retried;
        }
        final KeyValue current = failed.current();
        final long expected = putIf.expectedModRevision();
        final boolean sameIncarnation = 0 == expected ? current.createRevision() == current.modRevision() :
            current.createRevision() <= expected;
        final boolean ownWrite = current.value().equals(putIf.value()) && current.sessionId() == putIf.sessionId() &&
            current.modRevision() > expected && sameIncarnation;
        return ownWrite ? new LeasedKvReply.Written(current.modRevision(), null) : retried;
    }

    /**
     * Delete a key. Numbered (see the class's): an attempt whose outcome is unknown is followed by another, whose
     * reply says what the call deleted, and a late attempt deletes nothing written after it.
     *
     * <p>On a cluster at machine version 3 or older an attempt whose outcome is unknown (a timeout, a leader lost) is
     * followed by another, so that the key is gone in the end; the call then throws
     * {@link CommandOutcomeUnknownException}: what the earlier attempt deleted, if it was applied, cannot be known,
     * and the reply of the attempt that answered would tell a caller that nothing was deleted when its own earlier
     * attempt deleted the key.
     *
     * @param key to delete.
     * @return the revision and what was deleted.
     * @throws CommandOutcomeUnknownException if, on an older cluster, an attempt's outcome was unknown (the key is
     *                                        deleted all the same), or the cluster forgot the numbered call.
     */
    public LeasedKvReply.Deleted delete(final String key)
    {
        return delete(new LeasedKvCommand.Delete(key, false));
    }

    /**
     * Delete every key under a prefix; numbered, and on an older cluster an unknown outcome handled, as
     * {@link #delete} says.
     *
     * @param prefix of the keys to delete.
     * @return the revision and what was deleted.
     * @throws CommandOutcomeUnknownException as {@link #delete} says.
     */
    public LeasedKvReply.Deleted deletePrefix(final String prefix)
    {
        return delete(new LeasedKvCommand.Delete(prefix, true));
    }

    private LeasedKvReply.Deleted delete(final LeasedKvCommand.Delete delete)
    {
        return numbered(delete, "delete", () -> deleted(delete, cluster.retriedCommand(delete, cluster.deadline())));
    }

    /**
     * Send a write numbered, retried when its outcome is unknown; to a cluster at machine version 3 or older, which
     * refuses it before the log, the plain write.
     *
     * @param write        a put, conditional put, delete, grant or revoke.
     * @param what         the call is, for the error.
     * @param olderCluster the plain write and its handling, for a cluster at machine version 3 or older, which
     *                     refuses the numbered one before the log.
     * @param <R>          the reply type.
     * @return the reply.
     * @throws CommandOutcomeUnknownException if the cluster no longer knew the call when an attempt of it came (see
     *                                        {@link dev.ra.examples.support.ClientSequences}), or refused it after an
     *                                        attempt whose outcome is unknown ({@link ClusterClient#newerCommand}).
     */
    private <R> R numbered(final LeasedKvMachineCommand write, final String what, final Supplier<R> olderCluster)
    {
        return calls.send("leased KV " + what, number -> new LeasedKvCommand.Numbered(write, number), olderCluster);
    }

    /**
     * @param delete   that was applied.
     * @param answered its reply, and whether an attempt before the one that answered had an unknown outcome.
     * @return the reply, when it says what the delete did.
     * @throws CommandOutcomeUnknownException if it may not.
     */
    static LeasedKvReply.Deleted deleted(final LeasedKvCommand.Delete delete,
        final Answered<LeasedKvReply.Deleted> answered)
    {
        if (!answered.afterUnknownOutcome())
        {
            return answered.reply();
        }
        final LeasedKvReply.Deleted last = answered.reply();
        throw new CommandOutcomeUnknownException("the delete of " + (delete.prefix() ? "the keys under '" : "'") +
            delete.key() + "' was sent again after an attempt whose outcome is unknown; nothing of it is left at " +
            "revision " + last.revision() + " (the last attempt deleted " + last.deleted().size() + " key(s)), " +
            "but what the earlier attempt deleted, if it was applied, is not known", null);
    }

    /**
     * Linearizable read.
     *
     * @param key to read.
     * @return the key, or empty if absent.
     */
    public Optional<KeyValue> get(final String key)
    {
        return Optional.ofNullable(cluster.namedQuery(LeasedKvMachine.GET, key, true));
    }

    /**
     * Linearizable read of a prefix.
     *
     * @param prefix of the keys.
     * @return the keys, in key order.
     */
    public List<KeyValue> range(final String prefix)
    {
        return cluster.namedQuery(LeasedKvMachine.RANGE, prefix, true);
    }

    /**
     * @param sessionId of a session.
     * @return the session, or empty if it is not live.
     */
    public Optional<Session> session(final long sessionId)
    {
        return Optional.ofNullable(cluster.namedQuery(LeasedKvMachine.SESSION, sessionId, true));
    }

    /**
     * @return the store's revision.
     */
    public long revision()
    {
        return cluster.<Long>namedQuery(LeasedKvMachine.REVISION, null, true);
    }
}
