package dev.ra.examples.kv;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A replicated key-value store of string keys and string values: the first tool of the ra-toolbox talk, plus the
 * compare-and-set that Ra's Jepsen harness (ra-kv-store) tests.
 *
 * <p><b>Semantics.</b>
 * <ul>
 *   <li>{@link KvCommand.Put} always succeeds and replies the revision (its log index) and the previous value, like
 *       etcd's put with {@code prev_kv}.</li>
 *   <li>{@link KvCommand.Delete} of an absent key succeeds and changes nothing (etcd, not ZooKeeper, which fails with
 *       NoNode): a retried delete must not look like a failure.</li>
 *   <li>{@link KvCommand.Cas} compares values, not versions (ra-kv-store's register), with {@code null} standing for
 *       "absent" on both sides, so it also expresses create-if-absent and delete-if-equal.</li>
 *   <li>Reads are not commands: clients read {@link KvState} through a consistent query (linearizable) or a local
 *       query (possibly stale, never blocks on a quorum), the two read levels etcd calls linearizable and
 *       serializable.</li>
 * </ul>
 *
 * <p>Each entry records its create and modify indexes and a version (etcd's {@code create_revision},
 * {@code mod_revision} and {@code version}), so applications can tell a re-created key from an old one.
 *
 * <p>The machine has no effects except a regular {@link dev.ra.Effect.ReleaseCursor}. It is stateless and
 * thread-safe; the whole store lives in memory and in snapshots.
 */
public final class KvMachine implements StateMachine<KvCommand, KvState>
{
    /** Named query: the value of a key (argument: the key), or null. */
    public static final String GET = "get";
    /** Named query: the {@link KvEntry} of a key (argument: the key), or null. */
    public static final String ENTRY = "entry";

    private final ReleaseCursorPolicy cursorPolicy;

    /**
     * A machine that offers a snapshot point every {@link ReleaseCursorPolicy#DEFAULT_INTERVAL} entries.
     */
    public KvMachine()
    {
        this(ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own snapshot cadence (the same on every member).
     *
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public KvMachine(final ReleaseCursorPolicy cursorPolicy)
    {
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<KvCommand> commandType()
    {
        return KvCommand.class;
    }

    @Override
    public KvState init(final InitArgs args)
    {
        return KvState.EMPTY;
    }

    @Override
    public ApplyResult<KvState> apply(final CommandMeta meta, final KvCommand command, final KvState state)
    {
        final KvState next;
        final KvReply reply;
        if (command instanceof KvCommand.Put put)
        {
            final KvEntry previous = state.entry(put.key());
            next = state.with(put.key(), written(meta, previous, put.value()));
            reply = new KvReply.Written(meta.index(), valueOf(previous));
        }
        else if (command instanceof KvCommand.Delete delete)
        {
            final KvEntry previous = state.entry(delete.key());
            next = state.without(delete.key());
            reply = new KvReply.Deleted(meta.index(), valueOf(previous));
        }
        else if (command instanceof KvCommand.Cas cas)
        {
            final KvEntry previous = state.entry(cas.key());
            final String current = valueOf(previous);
            if (Objects.equals(current, cas.expected()))
            {
                next = null == cas.update() ? state.without(cas.key()) :
                    state.with(cas.key(), written(meta, previous, cas.update()));
                reply = new KvReply.CasResult(true, current, meta.index());
            }
            else
            {
                next = state;
                reply = new KvReply.CasResult(false, current, meta.index());
            }
        }
        else
        {
            // Unreachable while KvCommand is sealed to the records above; KvMachineTest checks every permitted type.
            throw new IllegalStateException("unhandled command " + command);
        }
        return cursorPolicy.result(meta, next, reply, List.of());
    }

    /**
     * The named queries {@link #GET} and {@link #ENTRY}, which work from any node, including one hosting no member.
     */
    @Override
    public Object query(final String name, final Object argument, final KvState state)
    {
        if (!(argument instanceof String key))
        {
            throw new IllegalArgumentException("KvMachine query '" + name + "' takes a key (a string), got " +
                argument);
        }
        switch (name)
        {
            case GET:
                return state.get(key);
            case ENTRY:
                return state.entry(key);
            default:
                throw new IllegalArgumentException("KvMachine declares the queries '" + GET + "' and '" + ENTRY +
                    "', not '" + name + "'");
        }
    }

    @Override
    public Map<String, Object> overview(final KvState state)
    {
        return Map.of("keys", state.size());
    }

    private static KvEntry written(final CommandMeta meta, final KvEntry previous, final String value)
    {
        return null == previous ?
            new KvEntry(value, meta.index(), meta.index(), 1) :
            new KvEntry(value, previous.createIndex(), meta.index(), previous.version() + 1);
    }

    private static String valueOf(final KvEntry entry)
    {
        return null == entry ? null : entry.value();
    }
}
