package dev.ra.examples.lease;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.watch.EventBatch;
import dev.ra.examples.watch.EventType;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchEvent;
import dev.ra.examples.watch.WatchHub;
import dev.ra.examples.watch.WatchReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An etcd-v3-like key-value store with sessions (leases) and watches, as one Ra machine.
 *
 * <ul>
 *   <li><b>Keys</b> carry etcd's create revision, mod revision and version; the store's revision is the log index of
 *       the last change. {@link LeasedKvCommand.Put}, {@link LeasedKvCommand.PutIf} (compare the mod revision) and
 *       {@link LeasedKvCommand.Delete} (one key or a prefix) change them; reads are named queries ({@link #GET},
 *       {@link #RANGE}) or query functions on {@link LeasedKvState}.</li>
 *   <li><b>Sessions</b> ({@link SessionCommand}, state in a {@link SessionTable}): a put may bind its key to a
 *       session; when the session ends (revoked, expired, or its owner process ended) every key bound to it is
 *       deleted in the same revision, and watchers see the deletes. Keep-alives never reach the log: they go to the
 *       leader's {@link LessorHost}, which this machine drives with {@link Effect.ModCall}s under the handler name
 *       it is given, and which appends {@link SessionCommand.Expire} when a TTL lapses. An owner reported unreachable
 *       keeps its sessions (their TTLs bound them); its node is watched, and the owner monitored again when the node
 *       is back, so its end on a reachable node still closes its sessions at once.</li>
 *   <li><b>Watches</b> ({@link WatchCommand}, state in a {@link WatchHub}): every change is recorded as a batch of
 *       events at its revision, kept for the last {@code historyLimit} revisions, and sent to the watches that cover
 *       it. A watch whose watcher's node stays unreachable for longer than the unreachable watch expiry (log time,
 *       checked at the {@link WatchHub#EXPIRY_TIMER} timeouts) is dropped, and its watcher told if its node
 *       returns.</li>
 * </ul>
 *
 * <p><b>On becoming leader</b> the machine monitors every session owner and watcher again, tells every watch where
 * it stands ({@link dev.ra.examples.watch.WatchNotification.Resync}), and appends {@link SessionCommand.NewLeader},
 * whose application starts this leader's lessor with a fresh TTL for every session and fences off the previous
 * lessor's expiries (see {@link SessionTable}).
 *
 * <p><b>Settings.</b> The history limit and the unreachable watch expiry decide what entries do, so from version 3
 * they are in the replicated state ({@link LeasedKvState#settings()}) and change only at a
 * {@link LeasedKvCommand.Configure} entry, the same on every member: a member started, restarted or restored from a
 * snapshot with other settings than the rest keeps the same history and watches as they do. The settings a machine
 * is constructed with are what it proposes: on becoming leader it appends a {@link LeasedKvCommand.Configure} with
 * them if they are not those in force (after a rolling restart with new settings, they are in force once a restarted
 * member leads; while members run with different ones, each new leader puts its own in force). Until the first, the
 * defaults apply in a new store; from the switch to version 3 until the leader's, appended behind the entries already
 * in the log, each member goes on with its own. Versions 0 to 2 applied the log with each member's own settings, and
 * members with different ones parted.
 *
 * <p><b>Numbered writes</b> (version 4): {@link LeasedKvCommand.Numbered} carries a put, conditional put, delete,
 * grant or revoke with its client's number ({@link ClientSequences}), so that a retry of a write applied already
 * gets its first reply and a late attempt of one its client has finished is refused without effect. Every write of
 * a client is compared with its others under one placeholder process ({@code ANY_CALLER}): writes name different
 * sessions or none (a delete), and a late delete must not delete the same client's newer put under a session. So
 * a client's entry goes by the time and count bounds of {@link ClientSequences}, not with a session.
 *
 * <p><b>Numbered watch registrations</b> (version 5): {@link WatchCommand.NumberedRegister} carries a register or
 * resume with its client's number, compared with the same client's writes and registrations: a copy of one held up
 * on its way, landing after its retry registered the watch, is refused ({@link dev.ra.examples.support.StaleCommand})
 * without effect. The plain {@link WatchCommand.Register} is applied as before: such a copy registers the watch again
 * from its older start, and ends the live watch if that start was compacted away since.
 *
 * <p>Every node hosting a member must register a {@link LessorHost} under the handler name: without one on the
 * leader's node, no lessor runs there, so no session expires and clients find no lessor to keep sessions alive with.
 *
 * <p>Commands are {@link LeasedKvCommand}s, {@link SessionCommand}s and {@link WatchCommand}s, whose common type
 * {@link LeasedKvMachineCommand} is the machine's {@link #commandType()}: a command of another type is refused with an
 * {@link dev.ra.InvalidCommandException} before it reaches the log. Stateless and thread-safe.
 */
public final class LeasedKvMachine implements StateMachine<LeasedKvMachineCommand, LeasedKvState>
{
    /** The default name of the {@link Effect.ModCall} handler, the node's {@link LessorHost}. */
    public static final String DEFAULT_LESSOR_HANDLER = "dev.ra.examples.lease.lessor";
    /** The default number of revisions kept for watches. */
    public static final int DEFAULT_HISTORY_LIMIT = 1_000;
    /**
     * The default time a watch is kept while its watcher's node is unreachable: long enough to ride out a network
     * partition that heals, a long GC pause or a rolling restart of the watcher's host, short enough that the
     * watches of replaced or decommissioned hosts do not pile up in the state under node churn.
     */
    public static final Duration DEFAULT_UNREACHABLE_WATCH_EXPIRY = Duration.ofMinutes(5);
    /** Named query: the {@link KeyValue} of a key (argument: the key), or null. */
    public static final String GET = "get";
    /** Named query: the {@link KeyValue}s under a prefix (argument: the prefix), in key order. */
    public static final String RANGE = "range";
    /** Named query: the {@link Session} of an id (argument: the id, a Long), or null. */
    public static final String SESSION = "session";
    /** Named query: the current lessor's process (argument ignored), or null while there is none. */
    public static final String LESSOR = "lessor";
    /** Named query: the store's revision (argument ignored). */
    public static final String REVISION = "revision";
    /**
     * The process a client's numbered writes are about, for {@link ClientSequences}: one placeholder for every write,
     * so that each of a client's writes is compared with all its others, whatever session they name (a delete names
     * none, and a late one must not delete the same client's newer put under a session).
     */
    static final ProcessRef ANY_CALLER = new ProcessRef("leased-kv-client", 1);
    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 5;

    /** The snapshots of versions 0 to 2: the state's first five components, without the settings. */
    private static final Codec<LeasedKvState> OLDER_STATE = new FirstComponentsCodec<>(LeasedKvCodec.DECLARED,
        LeasedKvState.class, 5, LeasedKvMachine::olderState, "LeasedKvMachine versions 0 to 2");
    /** The snapshots of version 3: the state's first six components, without the numbered writes. */
    private static final Codec<LeasedKvState> VERSION_THREE_STATE = new FirstComponentsCodec<>(LeasedKvCodec.DECLARED,
        LeasedKvState.class, 6, LeasedKvMachine::versionThreeState, "LeasedKvMachine version 3");

    private final String lessorHandler;
    /** The settings this machine was constructed with: those it proposes as leader (and applies before version 3). */
    private final LeasedKvSettings own;
    private final ReleaseCursorPolicy cursorPolicy;
    /** The version whose logic this instance applies: {@link #version()}, or an older one for {@link #machineFor}. */
    private final int logicVersion;

    /**
     * A machine with the default handler name, history limit, unreachable watch expiry and cursor policy.
     */
    public LeasedKvMachine()
    {
        this(DEFAULT_LESSOR_HANDLER, DEFAULT_HISTORY_LIMIT, ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with the {@link #DEFAULT_UNREACHABLE_WATCH_EXPIRY}, the other settings explicit, the same on every
     * member.
     *
     * @param lessorHandler name the node's {@link LessorHost} is registered under.
     * @param historyLimit  number of revisions with changes kept for watches, at least 1.
     * @param cursorPolicy  deciding when to emit a release cursor.
     */
    public LeasedKvMachine(final String lessorHandler, final int historyLimit, final ReleaseCursorPolicy cursorPolicy)
    {
        this(lessorHandler, historyLimit, DEFAULT_UNREACHABLE_WATCH_EXPIRY, cursorPolicy);
    }

    /**
     * A machine with every setting explicit, the same on every member.
     *
     * @param lessorHandler            name the node's {@link LessorHost} is registered under.
     * @param historyLimit             number of revisions with changes kept for watches, at least 1.
     * @param unreachableWatchExpiry   how long a watch is kept while its watcher's node is unreachable (log time);
     *                                 not negative.
     * @param cursorPolicy             deciding when to emit a release cursor.
     */
    public LeasedKvMachine(final String lessorHandler, final int historyLimit,
        final Duration unreachableWatchExpiry, final ReleaseCursorPolicy cursorPolicy)
    {
        this.lessorHandler = Objects.requireNonNull(lessorHandler, "lessorHandler");
        if (historyLimit < 1)
        {
            throw new IllegalArgumentException("history limit must be >= 1, got " + historyLimit);
        }
        Objects.requireNonNull(unreachableWatchExpiry, "unreachableWatchExpiry");
        if (unreachableWatchExpiry.isNegative())
        {
            throw new IllegalArgumentException("unreachable watch expiry must be >= 0, got " + unreachableWatchExpiry);
        }
        this.own = new LeasedKvSettings(historyLimit, unreachableWatchExpiry.toMillis());
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        this.logicVersion = VERSION;
    }

    private LeasedKvMachine(final LeasedKvMachine newest, final int logicVersion)
    {
        this.lessorHandler = newest.lessorHandler;
        this.own = newest.own;
        this.cursorPolicy = newest.cursorPolicy;
        this.logicVersion = logicVersion;
    }

    /**
     * Version 2 takes {@link WatchCommand.CancelOwn}, which only the watch's own watcher may send, and refuses the
     * {@link WatchCommand.Cancel} that names no watcher ({@link dev.ra.examples.watch.WatchReply.Refused}); version
     * 1 refuses a {@link WatchCommand.Register} of a watch id that another watcher holds; version 0 let such a
     * register replace that watcher's watch. Before version 2 a cancel ended any watch of its id, and answered
     * {@code false} for the tombstone of an expired watch, which it removed. Version 3 keeps the history limit and the
     * unreachable watch expiry in the state; the older versions applied each member's own. Version 4 takes
     * {@link LeasedKvCommand.Numbered} writes, and keeps its clients' numbers in the state. Version 5 takes
     * {@link WatchCommand.NumberedRegister}, numbered with the writes.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<LeasedKvMachineCommand, LeasedKvState> machineFor(final int version)
    {
        return version >= VERSION ? this : new LeasedKvMachine(this, Math.max(0, version));
    }

    /**
     * Versions 0 and 1 refuse {@link WatchCommand.CancelOwn} before the log, versions 0 to 2
     * {@link LeasedKvCommand.Configure}, versions 0 to 3 {@link LeasedKvCommand.Numbered}, and versions 0 to 4
     * {@link WatchCommand.NumberedRegister}: the members of an older build cannot decode them.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<LeasedKvMachineCommand> commandCodec()
    {
        if (logicVersion >= 5)
        {
            return (Codec<LeasedKvMachineCommand>)(Codec<?>)LeasedKvCodec.DECLARED;
        }
        final Codec<Object> older = switch (logicVersion)
        {
            case 4 -> VersionOneCommands.VERSION_FOUR;
            case 3 -> VersionOneCommands.VERSION_THREE;
            case 2 -> VersionOneCommands.VERSION_TWO;
            default -> VersionOneCommands.CODEC;
        };
        return (Codec<LeasedKvMachineCommand>)(Codec<?>)older;
    }

    /**
     * Versions 0 to 3 read and write their snapshots in their own shape: version 3 without the numbered writes,
     * versions 0 to 2 without the settings too. Version 5's are version 4's.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<LeasedKvState> stateCodec()
    {
        if (logicVersion >= 4)
        {
            return (Codec<LeasedKvState>)(Codec<?>)LeasedKvCodec.DECLARED;
        }
        return logicVersion == 3 ? VERSION_THREE_STATE : OLDER_STATE;
    }

    @Override
    public LeasedKvState init(final InitArgs args)
    {
        return LeasedKvState.EMPTY;
    }

    @Override
    public ApplyResult<LeasedKvState> apply(final CommandMeta meta, final LeasedKvMachineCommand command,
        final LeasedKvState state)
    {
        if (command instanceof LeasedKvCommand.Numbered numbered)
        {
            if (logicVersion < 4)
            {
                // Refused by the older versions' codecs before the log; kept out of apply all the same.
                return cursorPolicy.result(meta, state, null, List.of());
            }
            return applyNumbered(meta, numbered.number(), numbered.write(), state);
        }
        if (command instanceof WatchCommand.NumberedRegister numbered)
        {
            if (logicVersion < 5)
            {
                // Refused by the older versions' codecs before the log; kept out of apply all the same.
                return cursorPolicy.result(meta, state, null, List.of());
            }
            return applyNumbered(meta, numbered.number(), numbered.register(), state);
        }
        final Outcome outcome = applyOne(meta, command, state);
        return cursorPolicy.result(meta, outcome.state(), outcome.reply(), outcome.effects());
    }

    /**
     * A client's numbered call: a write, or (version 5) a watch registration, compared with all the client's others.
     */
    private ApplyResult<LeasedKvState> applyNumbered(final CommandMeta meta, final CommandNumber number,
        final LeasedKvMachineCommand call, final LeasedKvState state)
    {
        final ClientSequences.Earlier earlier = state.sequences().earlier(ANY_CALLER, number);
        if (null != earlier)
        {
            // A retry of a call applied already, or a late attempt of one its client finished: nothing is applied.
            return cursorPolicy.result(meta, state, earlier.reply(), List.of());
        }
        final Outcome applied = applyOne(meta, call, state);
        // The reply remembered before the release cursor policy looks, so that a snapshot taken here holds it.
        final LeasedKvState next = applied.state().withSequences(applied.state().sequences().applied(ANY_CALLER,
            number, applied.reply(), meta.systemTimeMs()));
        return cursorPolicy.result(meta, next, applied.reply(), applied.effects());
    }

    /**
     * What one command did, before the release cursor policy looks at the state.
     */
    private record Outcome(LeasedKvState state, Object reply, List<Effect> effects)
    {
    }

    private Outcome applyOne(final CommandMeta meta, final LeasedKvMachineCommand command,
        final LeasedKvState state)
    {
        if (command instanceof LeasedKvCommand.Configure configure)
        {
            // Older versions' codecs keep this command out of their logs.
            return new Outcome(state.withSettings(configure.settings()), settings(state), List.of());
        }
        final Change change = new Change(meta, state);
        final Object reply;
        if (command instanceof LeasedKvCommand kv)
        {
            reply = applyKv(change, kv);
        }
        else if (command instanceof SessionCommand session)
        {
            reply = applySession(change, session);
        }
        else if (command instanceof WatchCommand.Register register)
        {
            final WatchHub.Registration registration = logicVersion >= 1 ?
                change.watches.register(register, state.revision(), change.effects) :
                change.watches.registerReplacingAnyWatcher(register, state.revision(), change.effects);
            change.watches = registration.hub();
            reply = registration.reply();
        }
        else if (command instanceof WatchCommand.CancelOwn cancel)
        {
            if (logicVersion < 2)
            {
                // Refused by the older versions' codec before the log; kept out of apply all the same.
                return new Outcome(state, new WatchReply.Refused(cancel.watchId(), VersionOneCommands.REFUSAL),
                    List.of());
            }
            final WatchHub.Cancellation cancellation = change.watches.cancelOwn(cancel);
            change.watches = cancellation.hub();
            reply = cancellation.reply();
        }
        else if (command instanceof WatchCommand.Cancel cancel)
        {
            if (logicVersion >= 2)
            {
                return new Outcome(state, new WatchReply.Refused(cancel.watchId(), "WatchCommand" +
                    ".Cancel names no watcher, so it could end another client's watch; send WatchCommand.CancelOwn " +
                    "naming the watcher (machine version 2 of LeasedKvMachine on; Watcher does)"), List.of());
            }
            reply = null != change.watches.watch(cancel.watchId());
            change.watches = change.watches.cancel(cancel.watchId());
        }
        else
        {
            throw new IllegalArgumentException("LeasedKvMachine takes LeasedKvCommand, SessionCommand or " +
                "WatchCommand, got " + (null == command ? "null" : command.getClass().getName()));
        }
        return new Outcome(change.finish(), reply, change.effects);
    }

    @Override
    public Class<LeasedKvMachineCommand> commandType()
    {
        return LeasedKvMachineCommand.class;
    }

    @Override
    public ApplyResult<LeasedKvState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final LeasedKvState state)
    {
        final Change change = new Change(meta, state);
        if (command instanceof BuiltinCommand.Down down)
        {
            if (down.reason() != DownReason.NOCONNECTION)
            {
                // The owner ended: it closed its session.
                for (final long id : state.sessions().ownedBy(down.process()))
                {
                    endSession(change, id);
                }
            }
            else
            {
                SessionCommands.ownerUnreachable(change, down.process());
            }
            change.watches = change.watches.down(down.process(), down.reason(), meta.systemTimeMs(),
                settings(state).unreachableWatchExpiryMs(), change.effects);
        }
        else if (command instanceof BuiltinCommand.NodeUp nodeUp)
        {
            SessionCommands.nodeUp(change, nodeUp.node());
            change.watches = change.watches.nodeUp(nodeUp.node(), change.effects);
        }
        else if (command instanceof BuiltinCommand.Timeout timeout && WatchHub.isExpiryTimer(timeout.name()))
        {
            change.watches = change.watches.expire(meta.systemTimeMs(), settings(state).unreachableWatchExpiryMs(),
                change.effects);
        }
        else if (command instanceof BuiltinCommand.MachineVersionChanged changed && changed.from() < 3 &&
            logicVersion >= 3)
        {
            // Each member applied the older versions with its own settings, and goes on doing so until the leader's
            // Configure, appended here behind the entries already in the log: a store whose members all ran with the
            // same settings keeps its history and watches by them, instead of the defaults' (a trimmed history
            // never comes back).
            change.effects.add(new Effect.Append(new LeasedKvCommand.Configure(own)));
            return cursorPolicy.result(meta, change.finish().withSettings(null), null, change.effects);
        }
        return cursorPolicy.result(meta, change.finish(), null, change.effects);
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final LeasedKvState state)
    {
        if (role != RaftRole.LEADER)
        {
            return List.of();
        }
        final List<Effect> effects = SessionCommands.leaderEffects(state.sessions(), state.watches().leaderEffects());
        if (logicVersion < 3 || own.equals(state.settings()))
        {
            return effects;
        }
        // This member's settings are not in force: it puts them in force through the log, for every member at the
        // same entry, rather than apply the log with them.
        final List<Effect> withSettings = new ArrayList<>(effects);
        withSettings.add(new Effect.Append(new LeasedKvCommand.Configure(own)));
        return withSettings;
    }

    /**
     * The settings the entries are applied with: from version 3 those in the state, the same on every member; before,
     * and from the switch to version 3 until the leader's Configure (the state has none), this member's own.
     */
    private LeasedKvSettings settings(final LeasedKvState state)
    {
        return logicVersion >= 3 && null != state.settings() ? state.settings() : own;
    }

    @Override
    public Object query(final String name, final Object argument, final LeasedKvState state)
    {
        switch (name)
        {
            case GET:
                return state.get(requireString(name, argument));
            case RANGE:
                return state.range(requireString(name, argument));
            case SESSION:
                if (!(argument instanceof Number id))
                {
                    throw new IllegalArgumentException("LeasedKvMachine query '" + name + "' takes a session id (a " +
                        "number), got " + argument);
                }
                return state.sessions().session(id.longValue());
            case LESSOR:
                return state.sessions().lessor();
            case REVISION:
                return state.revision();
            default:
                throw new IllegalArgumentException("LeasedKvMachine declares the queries " +
                    List.of(GET, RANGE, SESSION, LESSOR, REVISION) + ", not '" + name + "'");
        }
    }

    @Override
    public Map<String, Object> overview(final LeasedKvState state)
    {
        return Map.of("keys", state.keys().size(), "sessions", state.sessions().sessions().size(),
            "watches", state.watches().watches().size(), "expiredWatches", state.watches().expired().size(),
            "revision", state.revision(),
            "lessorEpoch", state.sessions().lessorEpoch());
    }

    @SuppressWarnings("unchecked")
    private static LeasedKvState versionThreeState(final List<Object> parts)
    {
        return new LeasedKvState((Map<String, KeyValue>)parts.get(0), (SessionTable)parts.get(1),
            (WatchHub)parts.get(2), (Long)parts.get(3), (Long)parts.get(4), (LeasedKvSettings)parts.get(5));
    }

    @SuppressWarnings("unchecked")
    private static LeasedKvState olderState(final List<Object> parts)
    {
        return new LeasedKvState((Map<String, KeyValue>)parts.get(0), (SessionTable)parts.get(1),
            (WatchHub)parts.get(2), (Long)parts.get(3), (Long)parts.get(4));
    }

    private static String requireString(final String name, final Object argument)
    {
        if (!(argument instanceof String text))
        {
            throw new IllegalArgumentException("LeasedKvMachine query '" + name + "' takes a key or prefix (a " +
                "string), got " + argument);
        }
        return text;
    }

    private Object applyKv(final Change change, final LeasedKvCommand command)
    {
        if (command instanceof LeasedKvCommand.Put put)
        {
            if (0 != put.sessionId() && !change.sessions.contains(put.sessionId()))
            {
                return new LeasedKvReply.SessionNotFound(put.sessionId());
            }
            return new LeasedKvReply.Written(change.meta.index(), change.put(put.key(), put.value(), put.sessionId()));
        }
        if (command instanceof LeasedKvCommand.PutIf putIf)
        {
            final KeyValue current = change.keys.get(putIf.key());
            final long modRevision = null == current ? 0 : current.modRevision();
            if (modRevision != putIf.expectedModRevision())
            {
                return new LeasedKvReply.CompareFailed(current);
            }
            if (0 != putIf.sessionId() && !change.sessions.contains(putIf.sessionId()))
            {
                return new LeasedKvReply.SessionNotFound(putIf.sessionId());
            }
            return new LeasedKvReply.Written(change.meta.index(),
                change.put(putIf.key(), putIf.value(), putIf.sessionId()));
        }
        if (command instanceof LeasedKvCommand.Delete delete)
        {
            final List<KeyValue> doomed;
            if (delete.prefix())
            {
                doomed = change.state.range(delete.key());
            }
            else
            {
                final KeyValue one = change.keys.get(delete.key());
                doomed = null == one ? List.of() : List.of(one);
            }
            for (final KeyValue kv : doomed)
            {
                change.delete(kv.key());
            }
            return new LeasedKvReply.Deleted(doomed.isEmpty() ? change.state.revision() : change.meta.index(),
                doomed);
        }
        // Unreachable while LeasedKvCommand is sealed (Configure and Numbered are taken before, and a numbered command
        // never carries a numbered one); LeasedKvMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    private Object applySession(final Change change, final SessionCommand command)
    {
        return SessionCommands.apply(change, command, change.meta.index(), lessorHandler);
    }

    private SessionReply.Ended endSession(final Change change, final long id)
    {
        return SessionCommands.end(change, id, lessorHandler);
    }

    /**
     * The changes one command makes, gathered before the new state is built: keys, sessions, watches, the events of
     * this revision and the effects. Lives only inside one apply.
     */
    private final class Change implements SessionCommands.Scope
    {
        private final CommandMeta meta;
        private final LeasedKvState state;
        private final List<Effect> effects = new ArrayList<>();
        private final List<WatchEvent> events = new ArrayList<>();
        private Map<String, KeyValue> keys;
        private SessionTable sessions;
        private WatchHub watches;

        Change(final CommandMeta meta, final LeasedKvState state)
        {
            this.meta = meta;
            this.state = state;
            this.keys = state.keys();
            this.sessions = state.sessions();
            this.watches = state.watches();
        }

        @Override
        public SessionTable sessions()
        {
            return sessions;
        }

        @Override
        public void sessions(final SessionTable changed)
        {
            sessions = changed;
        }

        @Override
        public List<Effect> effects()
        {
            return effects;
        }

        @Override
        public List<String> release(final Session session)
        {
            final List<String> released = new ArrayList<>();
            for (final String key : session.bound())
            {
                final KeyValue kv = keys.get(key);
                if (null != kv && kv.sessionId() == session.id())
                {
                    delete(key);
                    released.add(key);
                }
            }
            return released;
        }

        KeyValue put(final String key, final String value, final long sessionId)
        {
            final KeyValue previous = keys.get(key);
            final long index = meta.index();
            final KeyValue next = null == previous ?
                new KeyValue(key, value, index, index, 1, sessionId) :
                new KeyValue(key, value, previous.createRevision(), index, previous.version() + 1, sessionId);
            if (null != previous && 0 != previous.sessionId() && previous.sessionId() != sessionId)
            {
                sessions = sessions.unbind(previous.sessionId(), key);
            }
            if (0 != sessionId)
            {
                sessions = sessions.bind(sessionId, key);
            }
            keys = Persistent.put(keys, key, next);
            events.add(new WatchEvent(EventType.PUT, key, value, index, next.createRevision(), next.version()));
            return previous;
        }

        void delete(final String key)
        {
            final KeyValue previous = keys.get(key);
            if (null == previous)
            {
                return;
            }
            if (0 != previous.sessionId())
            {
                sessions = sessions.unbind(previous.sessionId(), key);
            }
            keys = Persistent.remove(keys, key);
            events.add(new WatchEvent(EventType.DELETE, key, null, meta.index(), 0, 0));
        }

        LeasedKvState finish()
        {
            if (!events.isEmpty())
            {
                watches = watches.record(new EventBatch(meta.index(), List.copyOf(events)),
                    settings(state).historyLimit(), effects);
            }
            final long revision = events.isEmpty() ? state.revision() : meta.index();
            if (keys == state.keys() && sessions == state.sessions() && watches == state.watches() &&
                revision == state.revision())
            {
                return state;
            }
            return state.with(keys, sessions, watches, revision);
        }
    }

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link LeasedKvCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return LeasedKvCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return LeasedKvCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return LeasedKvCodec.DECLARED;
    }
}
