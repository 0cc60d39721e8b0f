package dev.ra.examples.kv;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.FirstComponentsCodec;
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
 * <p><b>Versions.</b> Version 1 adds {@link KvCommand.Numbered}, numbered per client ({@link ClientSequences}): a
 * retry gets its first reply, and a late attempt of a call its client has since finished (a put overtaken by its
 * retry and the client's next put) is refused as stale and writes nothing. {@link #machineFor machineFor(0)} applies
 * the log as version 0 did and reads and writes version 0's snapshots.
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
    /**
     * The process a client's numbered writes are about, for {@link ClientSequences}: a KV call is about no process,
     * so every call of a client (one numbering, per JVM for {@link KvClient}) is compared with every other.
     */
    static final ProcessRef ANY_CALLER = new ProcessRef("kv-client", 1);

    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 1;
    /** Why a numbered command is refused at version 0. */
    private static final String NUMBERED_REFUSAL = "KvCommand.Numbered needs machine version 1 of KvMachine; the " +
        "cluster is at version 0 until every member runs a build that has it";
    /** The command codec of version 0, which did not have the numbered command. */
    private static final Codec<Object> VERSION_ZERO_COMMANDS = Codecs.refusing(KvCodec.DECLARED,
        KvCommand.Numbered.class::isInstance, NUMBERED_REFUSAL);
    /** The snapshots of version 0: the state's first two components, without the numbered writes. */
    private static final Codec<KvState> VERSION_ZERO_STATE = new FirstComponentsCodec<>(KvCodec.DECLARED, KvState.class,
        2, KvMachine::versionZeroState, "KvMachine version 0");

    private final ReleaseCursorPolicy cursorPolicy;
    /** Version 1 and later take {@link KvCommand.Numbered}. */
    private final boolean numbers;

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
        this.numbers = true;
    }

    private KvMachine(final KvMachine newest, final int version)
    {
        this.cursorPolicy = newest.cursorPolicy;
        this.numbers = version >= 1;
    }

    /**
     * Version 1 takes {@link KvCommand.Numbered}; version 0 did not know it.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<KvCommand, KvState> machineFor(final int version)
    {
        return version >= VERSION ? this : new KvMachine(this, version);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<KvCommand> commandCodec()
    {
        return (Codec<KvCommand>)(Codec<?>)(numbers ? KvCodec.DECLARED : VERSION_ZERO_COMMANDS);
    }

    /**
     * Version 0 reads and writes its snapshots in its own shape, without the numbered writes.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<KvState> stateCodec()
    {
        return numbers ? (Codec<KvState>)(Codec<?>)KvCodec.DECLARED : VERSION_ZERO_STATE;
    }

    /**
     * Replies (remembered in the state too) are of the machine's declared types: see {@link KvCodec}.
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return KvCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return KvCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return KvCodec.DECLARED;
    }

    @SuppressWarnings("unchecked")
    private static KvState versionZeroState(final List<Object> parts)
    {
        return new KvState((Map<String, KvEntry>)parts.get(0), (Long)parts.get(1));
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
        if (command instanceof KvCommand.Numbered numbered)
        {
            return numbered(meta, numbered, state);
        }
        final Outcome written = write(meta, command, state);
        return cursorPolicy.result(meta, written.state(), written.reply(), List.of());
    }

    /**
     * A numbered write: applied if new, its reply remembered; otherwise its earlier reply, or the stale refusal, with
     * nothing applied.
     */
    private ApplyResult<KvState> numbered(final CommandMeta meta, final KvCommand.Numbered numbered,
        final KvState state)
    {
        if (!numbers)
        {
            // Refused by version 0's codec before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, null, List.of());
        }
        final ClientSequences.Earlier earlier = state.sequences().earlier(ANY_CALLER, numbered.number());
        if (null != earlier)
        {
            return cursorPolicy.result(meta, state, earlier.reply(), List.of());
        }
        final Outcome written = write(meta, numbered.write(), state);
        return cursorPolicy.result(meta, written.state().withSequences(written.state().sequences().applied(
            ANY_CALLER, numbered.number(), written.reply(), meta.systemTimeMs())), written.reply(), List.of());
    }

    /**
     * What a write did, before the release cursor policy looks at the state.
     */
    private record Outcome(KvState state, KvReply reply)
    {
    }

    private static Outcome write(final CommandMeta meta, final KvCommand command, final KvState state)
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
            // Unreachable while KvCommand is sealed to the records above (a numbered one never carries a numbered
            // one); KvMachineTest checks every permitted type.
            throw new IllegalStateException("unhandled command " + command);
        }
        return new Outcome(next, reply);
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
