package dev.ra.examples.tree;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.examples.lease.LeasedKvMachine;
import dev.ra.examples.lease.Session;
import dev.ra.examples.lease.SessionCommand;
import dev.ra.examples.lease.SessionCommands;
import dev.ra.examples.lease.SessionReply;
import dev.ra.examples.lease.SessionTable;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A ZooKeeper-like tree as one Ra machine.
 *
 * <ul>
 *   <li><b>Nodes</b> ({@link ZNode}) carry data and a {@link Stat} whose zxids are log indexes. Writes are
 *       {@link TreeOp}s (create, delete, setData with an expected version, check), alone or in an all-or-nothing
 *       {@link TreeCommand.Multi}; errors are ZooKeeper's codes ({@link TreeReply.Failure}) and change nothing.
 *       Plain reads are named queries ({@link #GET_DATA}, {@link #EXISTS}, {@link #GET_CHILDREN}).</li>
 *   <li><b>Sessions</b> ({@link SessionCommand}, state in a {@link SessionTable}): an ephemeral node is bound to a
 *       session, and deleted, with its events, when the session is closed, expires, or its owner process ends. The
 *       leader's {@link dev.ra.examples.lease.LessorHost}, registered under the handler name this machine is given,
 *       keeps the sessions' clocks and appends the expiries; clients keep sessions alive with a
 *       {@link dev.ra.examples.lease.Lease}.</li>
 *   <li><b>Watches</b> ({@link TreeWatches}): the reads that set a watch are logged commands, so the read and the
 *       watch happen at one zxid; events go to the watching process as {@link TreeWatchMessage.Event}s from the
 *       leader. A new leader sends every watcher a {@link TreeWatchMessage.Resync}, and the watcher re-registers
 *       what it holds ({@link TreeCommand.Reregister}): a one-shot watch whose path changed meanwhile fires then. A
 *       watcher whose node stays unreachable longer than the unreachable watch expiry (log time, default 5 minutes)
 *       loses its watches; if its node comes back it is told to re-register them (see {@link TreeWatches}). From
 *       version 5 a re-registration or a removal of watches may come numbered, in a {@link NumberedWrite}, so
 *       that a copy of it landing late changes nothing.</li>
 * </ul>
 *
 * <p><b>The unreachable watch expiry</b> decides what entries do, so from version 2 it is in the replicated state
 * ({@link TreeState#unreachableWatchExpiryMs()}) and changes only at a {@link TreeCommand.Configure} entry, the same
 * on every member: a member started, restarted or restored from a snapshot with another expiry than the rest keeps
 * the same watches as they do. The expiry a machine is constructed with is what it proposes: on becoming leader it
 * appends a {@link TreeCommand.Configure} with it if it is not the one in force (after a rolling restart with a new
 * expiry, it is in force once a restarted member leads; while members run with different ones, each new leader puts
 * its own in force). Until the first, the default applies in a new tree; from the switch to version 2 until the
 * leader's, appended behind the entries already in the log, each member goes on with its own. Versions 0 and 1
 * applied each member's own expiry, and members with different ones parted.
 *
 * <p>Commands are {@link TreeMachineCommand}s, the machine's {@link #commandType()}: a command of another type is
 * refused with an {@link dev.ra.InvalidCommandException} before it reaches the log; a malformed path is a
 * {@link TreeReply.BadArguments} reply. Stateless and thread-safe.
 */
public final class TreeMachine implements StateMachine<TreeMachineCommand, TreeState>
{
    /** The default name of the {@link Effect.ModCall} handler, the node's lessor host for this machine. */
    public static final String DEFAULT_LESSOR_HANDLER = "dev.ra.examples.tree.lessor";
    /** Named query: the {@link ZNode} at a path (argument: the path), or null. */
    public static final String GET_DATA = "getData";
    /** Named query: the {@link Stat} of a path (argument: the path), or null. */
    public static final String EXISTS = "exists";
    /** Named query: the sorted child names of a path (argument: the path), or null if it does not exist. */
    public static final String GET_CHILDREN = "getChildren";
    /** Named query: the tree's zxid (argument ignored). */
    public static final String ZXID = "zxid";
    /** Named query: the {@link Session} of an id (argument: a Long), or null; the name a Lease asks. */
    public static final String SESSION = LeasedKvMachine.SESSION;
    /** Named query: the current lessor's process, or null; the name a Lease asks. */
    public static final String LESSOR = LeasedKvMachine.LESSOR;
    /**
     * The default time a watcher keeps its watches while its node is unreachable: long enough to ride out a partition
     * that heals or a restart of the watcher's host, short enough that the watches of replaced hosts do not pile up.
     */
    public static final Duration DEFAULT_UNREACHABLE_WATCH_EXPIRY = LeasedKvMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY;

    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 5;
    /** The snapshots of versions 0 and 1: the state's first five components, without the expiry. */
    private static final Codec<TreeState> OLDER_STATE = new FirstComponentsCodec<>(TreeCodec.DECLARED, TreeState.class,
        5, TreeMachine::olderState, "TreeMachine versions 0 and 1");
    /** The snapshots of versions 2 and 3: the state's first six components, without the numbered writes. */
    private static final Codec<TreeState> VERSION_TWO_STATE = new FirstComponentsCodec<>(TreeCodec.DECLARED,
        TreeState.class, 6, TreeMachine::versionTwoState, "TreeMachine versions 2 and 3");

    private final String lessorHandler;
    /** The expiry this machine was constructed with: the one it proposes as leader (and applies before version 2). */
    private final long unreachableWatchExpiryMs;
    private final ReleaseCursorPolicy cursorPolicy;
    /**
     * Version 1 and later take {@link TreeOp.DeleteCreated}, the delete guarded by the node's creation zxid. Version 0
     * did not have it: its codec refuses it, so that a leader at version 0 never appends what a member of the older
     * build cannot decode.
     */
    private final boolean guardedDeletes;
    /** Version 2 and later: the unreachable watch expiry in force is in the state, not this machine's own. */
    private final boolean expiryInState;
    /** Version 3 and later take {@link TreeOp.CheckChildren}; older versions' codecs refuse it. */
    private final boolean childChecks;
    /** Version 4 and later take {@link NumberedWrite}; older versions' codecs refuse it. */
    private final boolean numbers;
    /**
     * Version 5 and later take a {@link NumberedWrite} carrying a {@link TreeCommand.Reregister} or a
     * {@link TreeCommand.RemoveWatches}; version 4's codec refuses it.
     */
    private final boolean numberedWatchCalls;

    /**
     * A machine with the default handler name, unreachable watch expiry and cursor policy.
     */
    public TreeMachine()
    {
        this(DEFAULT_LESSOR_HANDLER, ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with the {@link #DEFAULT_UNREACHABLE_WATCH_EXPIRY}, the same on every member.
     *
     * @param lessorHandler name the node's {@link dev.ra.examples.lease.LessorHost} is registered under.
     * @param cursorPolicy  deciding when to emit a release cursor.
     */
    public TreeMachine(final String lessorHandler, final ReleaseCursorPolicy cursorPolicy)
    {
        this(lessorHandler, DEFAULT_UNREACHABLE_WATCH_EXPIRY, cursorPolicy);
    }

    /**
     * A machine with every setting explicit, the same on every member.
     *
     * @param lessorHandler          name the node's {@link dev.ra.examples.lease.LessorHost} is registered under.
     * @param unreachableWatchExpiry how long a watcher keeps its watches while its node is unreachable (log time);
     *                               not negative.
     * @param cursorPolicy           deciding when to emit a release cursor.
     */
    public TreeMachine(final String lessorHandler, final Duration unreachableWatchExpiry,
        final ReleaseCursorPolicy cursorPolicy)
    {
        this.lessorHandler = Objects.requireNonNull(lessorHandler, "lessorHandler");
        Objects.requireNonNull(unreachableWatchExpiry, "unreachableWatchExpiry");
        if (unreachableWatchExpiry.isNegative())
        {
            throw new IllegalArgumentException("unreachable watch expiry must be >= 0, got " + unreachableWatchExpiry);
        }
        this.unreachableWatchExpiryMs = unreachableWatchExpiry.toMillis();
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        this.guardedDeletes = true;
        this.expiryInState = true;
        this.childChecks = true;
        this.numbers = true;
        this.numberedWatchCalls = true;
    }

    private TreeMachine(final TreeMachine newest, final int version)
    {
        this.lessorHandler = newest.lessorHandler;
        this.unreachableWatchExpiryMs = newest.unreachableWatchExpiryMs;
        this.cursorPolicy = newest.cursorPolicy;
        this.guardedDeletes = version >= 1;
        this.expiryInState = version >= 2;
        this.childChecks = version >= 3;
        this.numbers = version >= 4;
        this.numberedWatchCalls = version >= 5;
    }

    /**
     * Version 1 takes {@link TreeOp.DeleteCreated}; version 0 did not know it. Version 2 keeps the unreachable watch
     * expiry in the state; versions 0 and 1 applied each member's own. Version 3 takes {@link TreeOp.CheckChildren},
     * version 4 {@link NumberedWrite} (and keeps the clients' numbered calls in the state), version 5 a
     * {@link NumberedWrite} carrying a {@link TreeCommand.Reregister} or a {@link TreeCommand.RemoveWatches}.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<TreeMachineCommand, TreeState> machineFor(final int version)
    {
        return version >= VERSION ? this : new TreeMachine(this, version);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<TreeMachineCommand> commandCodec()
    {
        if (numberedWatchCalls)
        {
            return (Codec<TreeMachineCommand>)(Codec<?>)TreeCodec.DECLARED;
        }
        if (numbers)
        {
            return (Codec<TreeMachineCommand>)(Codec<?>)VersionZeroCommands.VERSION_FOUR;
        }
        if (childChecks)
        {
            return (Codec<TreeMachineCommand>)(Codec<?>)VersionZeroCommands.VERSION_THREE;
        }
        if (expiryInState)
        {
            return (Codec<TreeMachineCommand>)(Codec<?>)VersionZeroCommands.VERSION_TWO;
        }
        return (Codec<TreeMachineCommand>)(Codec<?>)(guardedDeletes ? VersionZeroCommands.VERSION_ONE :
            VersionZeroCommands.CODEC);
    }

    /**
     * Versions 0 to 3 read and write their snapshots in their own shapes: without the expiry (0 and 1), without the
     * numbered writes (2 and 3).
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<TreeState> stateCodec()
    {
        if (numbers)
        {
            return (Codec<TreeState>)(Codec<?>)TreeCodec.DECLARED;
        }
        return expiryInState ? VERSION_TWO_STATE : OLDER_STATE;
    }

    @Override
    public TreeState init(final InitArgs args)
    {
        return TreeState.EMPTY;
    }

    @Override
    public ApplyResult<TreeState> apply(final CommandMeta meta, final TreeMachineCommand command,
        final TreeState state)
    {
        if (command instanceof TreeCommand.Configure configure)
        {
            // Older versions' codecs keep this command out of their logs.
            return cursorPolicy.result(meta, state.withUnreachableWatchExpiryMs(configure.unreachableWatchExpiryMs()),
                expiry(state), List.of());
        }
        if (command instanceof NumberedWrite numbered)
        {
            return numbered(meta, numbered, state);
        }
        final Change change = new Change(meta, state);
        final Object reply;
        if (!guardedDeletes && VersionZeroCommands.guardedDelete(command))
        {
            // Refused by version 0's codec before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, new TreeReply.BadArguments(VersionZeroCommands.REFUSAL),
                List.of());
        }
        if (!childChecks && VersionZeroCommands.childCheck(command))
        {
            // Refused by the older versions' codecs before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state,
                new TreeReply.BadArguments(VersionZeroCommands.CHECK_CHILDREN_REFUSAL), List.of());
        }
        if (command instanceof TreeCommand write && NumberedWrite.isWrite(write))
        {
            final Outcome written = write(meta, write, state);
            return cursorPolicy.result(meta, written.state(), written.reply(), written.effects());
        }
        else if (command instanceof TreeCommand treeCommand)
        {
            reply = applyWatchCommand(change, treeCommand);
        }
        else if (command instanceof SessionCommand session)
        {
            reply = applySession(change, session);
        }
        else
        {
            throw new IllegalArgumentException("TreeMachine takes TreeCommand or SessionCommand, got " +
                (null == command ? "null" : command.getClass().getName()));
        }
        return cursorPolicy.result(meta, change.finish(), reply, change.effects);
    }

    /**
     * A numbered write: applied if new, its reply (a failure too) remembered; otherwise its earlier reply, or the
     * stale refusal, with nothing applied.
     */
    private ApplyResult<TreeState> numbered(final CommandMeta meta, final NumberedWrite numbered,
        final TreeState state)
    {
        if (!numbers)
        {
            // Refused by the older versions' codecs before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, new TreeReply.BadArguments(VersionZeroCommands.NUMBERED_REFUSAL),
                List.of());
        }
        if (!numberedWatchCalls && NumberedWrite.isWatchCall(numbered.write()))
        {
            // Refused by version 4's codec before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state,
                new TreeReply.BadArguments(VersionZeroCommands.NUMBERED_WATCH_CALL_REFUSAL), List.of());
        }
        final ClientSequences.Earlier earlier = state.sequences().earlier(numbered.caller(), numbered.number());
        if (null != earlier)
        {
            return cursorPolicy.result(meta, state, earlier.reply(), List.of());
        }
        final Outcome written = NumberedWrite.isWatchCall(numbered.write()) ?
            watchCall(meta, numbered.write(), state) : write(meta, numbered.write(), state);
        final ClientSequences sequences = written.state().sequences().applied(numbered.caller(), numbered.number(),
            written.reply(), meta.systemTimeMs());
        return cursorPolicy.result(meta, written.state().withSequences(sequences), written.reply(),
            written.effects());
    }

    /**
     * A re-registration or a removal of watches (version 5, numbered): what it changed, as the plain one does.
     */
    private static Outcome watchCall(final CommandMeta meta, final TreeCommand call, final TreeState state)
    {
        final Change change = new Change(meta, state);
        final Object reply = applyWatchCommand(change, call);
        return new Outcome(change.finish(), reply, change.effects);
    }

    /**
     * A {@link TreeOp} or a {@link TreeCommand.Multi}: what it changed, or the state as it was if it failed.
     */
    private static Outcome write(final CommandMeta meta, final TreeCommand write, final TreeState state)
    {
        final Change change = new Change(meta, state);
        if (write instanceof TreeOp op)
        {
            final TreeReply result = change.apply(op);
            return result.ok() ? new Outcome(change.finish(), result, change.effects) :
                new Outcome(state, result, List.of());
        }
        final TreeReply.MultiResult result = multi(change, ((TreeCommand.Multi)write).ops());
        return result.committed() ? new Outcome(change.finish(), result, change.effects) :
            new Outcome(state, result, List.of());
    }

    /**
     * What a write did, before the release cursor policy looks at the state.
     */
    private record Outcome(TreeState state, Object reply, List<Effect> effects)
    {
    }

    @Override
    public Class<TreeMachineCommand> commandType()
    {
        return TreeMachineCommand.class;
    }

    @Override
    public ApplyResult<TreeState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final TreeState state)
    {
        final Change change = new Change(meta, state);
        if (command instanceof BuiltinCommand.Down down && down.reason() != DownReason.NOCONNECTION)
        {
            // The process ended (an unreachable one lives on): its sessions close, its watches go.
            for (final long id : state.sessions().ownedBy(down.process()))
            {
                endSession(change, id);
            }
            change.watches = change.watches.down(down.process());
        }
        else if (command instanceof BuiltinCommand.Down down)
        {
            // Cut off: a session owner's sessions live on, bound by their TTLs, and its node is watched so that it
            // is monitored again when back; a watcher's watches wait for its node, for the expiry bound at most.
            SessionCommands.ownerUnreachable(change, down.process());
            change.watches = change.watches.unreachable(down.process(), meta.systemTimeMs(), expiry(state),
                change.effects);
        }
        else if (command instanceof BuiltinCommand.NodeUp nodeUp)
        {
            SessionCommands.nodeUp(change, nodeUp.node());
            change.watches = change.watches.nodeUp(nodeUp.node(), state.zxid(), change.effects);
        }
        else if (command instanceof BuiltinCommand.Timeout timeout && TreeWatches.isExpiryTimer(timeout.name()))
        {
            change.watches = change.watches.expire(meta.systemTimeMs(), expiry(state), change.effects);
        }
        else if (command instanceof BuiltinCommand.MachineVersionChanged changed && changed.from() < 2 &&
            expiryInState)
        {
            // Each member applied the older versions with its own expiry, and goes on doing so until the leader's
            // Configure, appended here behind the entries already in the log: a cluster whose members all ran with
            // one expiry keeps the watches it kept, instead of dropping them by the default's.
            change.effects.add(new Effect.Append(new TreeCommand.Configure(unreachableWatchExpiryMs)));
            return cursorPolicy.result(meta,
                change.finish().withUnreachableWatchExpiryMs(TreeState.EXPIRY_OF_EACH_MEMBER), null, change.effects);
        }
        // The numbered writes of a client whose watch process ended are kept (they go by the time and count bounds of
        // ClientSequences): its attempts still on their way are then refused as they were before its end. Forgotten,
        // a late create made again the node the client deleted before it closed; nothing here handles an ended
        // process's late write as the lock handles its late acquire.
        return cursorPolicy.result(meta, change.finish(), null, change.effects);
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final TreeState state)
    {
        if (role != RaftRole.LEADER)
        {
            return List.of();
        }
        final List<Effect> effects =
            SessionCommands.leaderEffects(state.sessions(), state.watches().leaderEffects(state.zxid()));
        if (!expiryInState || unreachableWatchExpiryMs == state.unreachableWatchExpiryMs())
        {
            return effects;
        }
        // This member's expiry is not in force: it puts it in force through the log, for every member at the same
        // entry, rather than apply the log with it.
        final List<Effect> withExpiry = new ArrayList<>(effects);
        withExpiry.add(new Effect.Append(new TreeCommand.Configure(unreachableWatchExpiryMs)));
        return withExpiry;
    }

    /**
     * The unreachable watch expiry the entries are applied with: from version 2 the one in the state, the same on
     * every member; before, and from the switch to version 2 until the leader's Configure, this member's own.
     */
    private long expiry(final TreeState state)
    {
        return expiryInState && TreeState.EXPIRY_OF_EACH_MEMBER != state.unreachableWatchExpiryMs() ?
            state.unreachableWatchExpiryMs() : unreachableWatchExpiryMs;
    }

    @SuppressWarnings("unchecked")
    private static TreeState versionTwoState(final List<Object> parts)
    {
        return new TreeState((Map<String, ZNode>)parts.get(0), (SessionTable)parts.get(1),
            (TreeWatches)parts.get(2), (Long)parts.get(3), (Long)parts.get(4), (Long)parts.get(5));
    }

    @SuppressWarnings("unchecked")
    private static TreeState olderState(final List<Object> parts)
    {
        return new TreeState((Map<String, ZNode>)parts.get(0), (SessionTable)parts.get(1),
            (TreeWatches)parts.get(2), (Long)parts.get(3), (Long)parts.get(4));
    }

    @Override
    public Object query(final String name, final Object argument, final TreeState state)
    {
        switch (name)
        {
            case GET_DATA:
                return state.node(requirePath(name, argument));
            case EXISTS:
            {
                final ZNode node = state.node(requirePath(name, argument));
                return null == node ? null : node.stat();
            }
            case GET_CHILDREN:
                return state.children(requirePath(name, argument));
            case ZXID:
                return state.zxid();
            case SESSION:
                if (!(argument instanceof Number id))
                {
                    throw new IllegalArgumentException("TreeMachine query '" + name + "' takes a session id (a " +
                        "number), got " + argument);
                }
                return state.sessions().session(id.longValue());
            case LESSOR:
                return state.sessions().lessor();
            default:
                throw new IllegalArgumentException("TreeMachine declares the queries " +
                    List.of(GET_DATA, EXISTS, GET_CHILDREN, ZXID, SESSION, LESSOR) + ", not '" + name + "'");
        }
    }

    @Override
    public Map<String, Object> overview(final TreeState state)
    {
        return Map.of("nodes", state.nodes().size(), "sessions", state.sessions().sessions().size(),
            "watches", state.watches().watches().size(), "expiredWatchers", state.watches().expired().size(),
            "zxid", state.zxid(), "lessorEpoch", state.sessions().lessorEpoch(), "unreachableWatchExpiryMs",
            expiry(state));
    }

    private static String requirePath(final String name, final Object argument)
    {
        final String problem = argument instanceof String path ? TreePaths.problem(path) : "not a string";
        if (null != problem)
        {
            throw new IllegalArgumentException("TreeMachine query '" + name + "' takes a path: " + problem +
                " (argument " + argument + ")");
        }
        return (String)argument;
    }

    private static TreeReply.MultiResult multi(final Change change, final List<TreeOp> ops)
    {
        final List<TreeReply> results = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++)
        {
            final TreeReply result = change.apply(ops.get(i));
            if (!result.ok())
            {
                final List<TreeReply> failed = new ArrayList<>(ops.size());
                for (int j = 0; j < ops.size(); j++)
                {
                    failed.add(j < i ? new TreeReply.RolledBack() : j == i ? result : new TreeReply.NotRun());
                }
                return new TreeReply.MultiResult(false, failed);
            }
            results.add(result);
        }
        return new TreeReply.MultiResult(true, results);
    }

    private static TreeReply applyWatchCommand(final Change change, final TreeCommand command)
    {
        final long zxid = change.meta.index();
        if (command instanceof TreeCommand.Reregister reregister)
        {
            for (final TreeCommand.HeldWatch held : reregister.watches())
            {
                if (null == TreePaths.problem(held.path()))
                {
                    change.reregister(new TreeWatch(reregister.watcher(), held.path(), held.mode()), held.zxid());
                }
            }
            return new TreeReply.WatchSet(zxid);
        }
        final String path = watchPath(command);
        final String problem = TreePaths.problem(path);
        if (null != problem)
        {
            return new TreeReply.BadArguments(problem);
        }
        final ZNode node = change.node(path);
        if (command instanceof TreeCommand.GetData getData)
        {
            if (null == node)
            {
                return new TreeReply.NoNode(path);
            }
            change.watch(new TreeWatch(getData.watcher(), path, WatchMode.DATA));
            return new TreeReply.NodeData(node.data(), node.stat(), zxid);
        }
        if (command instanceof TreeCommand.Exists exists)
        {
            change.watch(new TreeWatch(exists.watcher(), path, null == node ? WatchMode.EXIST : WatchMode.DATA));
            return new TreeReply.Existence(null == node ? null : node.stat(), zxid);
        }
        if (command instanceof TreeCommand.GetChildren getChildren)
        {
            if (null == node)
            {
                return new TreeReply.NoNode(path);
            }
            change.watch(new TreeWatch(getChildren.watcher(), path, WatchMode.CHILD));
            return new TreeReply.Children(change.state.children(path), node.stat(), zxid);
        }
        if (command instanceof TreeCommand.AddWatch addWatch)
        {
            change.watch(new TreeWatch(addWatch.watcher(), path,
                addWatch.recursive() ? WatchMode.PERSISTENT_RECURSIVE : WatchMode.PERSISTENT));
            return new TreeReply.WatchSet(zxid);
        }
        if (command instanceof TreeCommand.RemoveWatches remove)
        {
            final int before = change.watches.watches().size();
            change.watches = change.watches.remove(remove.watcher(), path, remove.mode());
            return new TreeReply.WatchesRemoved(before - change.watches.watches().size());
        }
        // Unreachable while TreeCommand is sealed; TreeMachineModelTest sends every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    private static String watchPath(final TreeCommand command)
    {
        if (command instanceof TreeCommand.GetData c)
        {
            return c.path();
        }
        if (command instanceof TreeCommand.Exists c)
        {
            return c.path();
        }
        if (command instanceof TreeCommand.GetChildren c)
        {
            return c.path();
        }
        if (command instanceof TreeCommand.AddWatch c)
        {
            return c.path();
        }
        if (command instanceof TreeCommand.RemoveWatches c)
        {
            return c.path();
        }
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
     * The changes one command makes, gathered before the new state is built: nodes (copied on the first write),
     * sessions, watches, the events at this zxid and the effects. Lives only inside one apply; discarded when a write
     * or a multi fails, which is what makes a multi all-or-nothing.
     */
    private static final class Change implements SessionCommands.Scope
    {
        private final CommandMeta meta;
        private final TreeState state;
        private final List<Effect> effects = new ArrayList<>();
        private final List<TreeWatchMessage.Event> events = new ArrayList<>();
        private Map<String, ZNode> nodes;
        private boolean copied;
        private SessionTable sessions;
        private TreeWatches watches;

        Change(final CommandMeta meta, final TreeState state)
        {
            this.meta = meta;
            this.state = state;
            this.nodes = state.nodes();
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
            for (final String path : session.bound())
            {
                final ZNode node = node(path);
                if (null != node && node.stat().ephemeralOwner() == session.id())
                {
                    remove(node);
                    released.add(path);
                }
            }
            return released;
        }

        ZNode node(final String path)
        {
            return nodes.get(path);
        }

        void watch(final TreeWatch watch)
        {
            watches = watches.set(watch, effects);
        }

        TreeReply apply(final TreeOp op)
        {
            final String problem =
                TreePaths.problem(op.path(), op instanceof TreeOp.Create c && c.mode().isSequential());
            if (null != problem)
            {
                return new TreeReply.BadArguments(problem);
            }
            if (op instanceof TreeOp.Create create)
            {
                return create(create);
            }
            final ZNode node = nodes.get(op.path());
            final boolean delete = op instanceof TreeOp.Delete || op instanceof TreeOp.DeleteCreated;
            if (delete && TreePaths.ROOT.equals(op.path()))
            {
                return new TreeReply.BadArguments("the root cannot be deleted");
            }
            if (null == node || op instanceof TreeOp.DeleteCreated guarded && guarded.czxid() != node.stat().czxid())
            {
                // A guarded delete's node was created at another zxid: the one it names is gone.
                return new TreeReply.NoNode(op.path());
            }
            if (op instanceof TreeOp.CheckChildren check)
            {
                return check.cversion() == node.stat().cversion() ? new TreeReply.Checked(op.path()) :
                    new TreeReply.BadVersion(op.path(), check.cversion(), node.stat().cversion());
            }
            final int expected = expectedVersion(op);
            if (TreeOp.ANY_VERSION != expected && expected != node.stat().version())
            {
                return new TreeReply.BadVersion(op.path(), expected, node.stat().version());
            }
            if (delete)
            {
                if (node.stat().numChildren() > 0)
                {
                    return new TreeReply.NotEmpty(op.path());
                }
                remove(node);
                return new TreeReply.Deleted(op.path());
            }
            if (op instanceof TreeOp.SetData setData)
            {
                final Stat s = node.stat();
                final Stat stat = new Stat(s.czxid(), meta.index(), s.pzxid(), s.version() + 1, s.cversion(),
                    s.ephemeralOwner(), s.numChildren());
                put(new ZNode(node.path(), setData.data(), stat, node.children()));
                events.add(new TreeWatchMessage.Event(TreeEventType.NODE_DATA_CHANGED, node.path(), meta.index()));
                return new TreeReply.DataSet(node.path(), stat);
            }
            return new TreeReply.Checked(op.path());
        }

        private static int expectedVersion(final TreeOp op)
        {
            if (op instanceof TreeOp.Delete delete)
            {
                return delete.version();
            }
            if (op instanceof TreeOp.DeleteCreated delete)
            {
                return delete.version();
            }
            if (op instanceof TreeOp.SetData setData)
            {
                return setData.version();
            }
            return ((TreeOp.Check)op).version();
        }

        private TreeReply create(final TreeOp.Create create)
        {
            final boolean sequential = create.mode().isSequential();
            if (!sequential && TreePaths.ROOT.equals(create.path()))
            {
                return new TreeReply.NodeExists(TreePaths.ROOT);
            }
            // A sequential prefix ending in '/' ("/q/") names children of that path, not siblings.
            final String parentPath = TreePaths.parent(sequential ? create.path() + "0" : create.path());
            final ZNode parent = nodes.get(parentPath);
            if (null == parent)
            {
                return new TreeReply.NoNode(parentPath);
            }
            if (0 != parent.stat().ephemeralOwner())
            {
                return new TreeReply.NoChildrenForEphemerals(parentPath);
            }
            final String path = sequential ?
                create.path() + String.format("%010d", parent.stat().cversion()) : create.path();
            if (nodes.containsKey(path))
            {
                return new TreeReply.NodeExists(path);
            }
            long owner = 0;
            if (create.mode().isEphemeral())
            {
                if (create.sessionId() <= 0)
                {
                    return new TreeReply.BadArguments("an ephemeral node needs a session, got session id " +
                        create.sessionId() + " for '" + create.path() + "'");
                }
                if (!sessions.contains(create.sessionId()))
                {
                    return new TreeReply.SessionExpired(create.sessionId());
                }
                owner = create.sessionId();
                sessions = sessions.bind(owner, path);
            }
            final long zxid = meta.index();
            final Stat stat = new Stat(zxid, zxid, zxid, 0, 0, owner, 0);
            put(new ZNode(path, create.data(), stat, List.of()));
            final Stat p = parent.stat();
            final List<String> siblings = new ArrayList<>(parent.children());
            siblings.add(TreePaths.name(path));
            put(new ZNode(parentPath, parent.data(), new Stat(p.czxid(), p.mzxid(), zxid, p.version(),
                p.cversion() + 1, p.ephemeralOwner(), p.numChildren() + 1), List.copyOf(siblings)));
            events.add(new TreeWatchMessage.Event(TreeEventType.NODE_CREATED, path, zxid));
            events.add(new TreeWatchMessage.Event(TreeEventType.NODE_CHILDREN_CHANGED, parentPath, zxid));
            return new TreeReply.Created(path, stat);
        }

        void remove(final ZNode node)
        {
            final long zxid = meta.index();
            final String parentPath = TreePaths.parent(node.path());
            final ZNode parent = nodes.get(parentPath);
            copy();
            nodes.remove(node.path());
            if (0 != node.stat().ephemeralOwner())
            {
                sessions = sessions.unbind(node.stat().ephemeralOwner(), node.path());
            }
            final Stat p = parent.stat();
            final String name = TreePaths.name(node.path());
            final List<String> siblings = new ArrayList<>(parent.children());
            siblings.remove(name);
            put(new ZNode(parentPath, parent.data(), new Stat(p.czxid(), p.mzxid(), zxid, p.version(),
                p.cversion() + 1, p.ephemeralOwner(), p.numChildren() - 1), List.copyOf(siblings)));
            events.add(new TreeWatchMessage.Event(TreeEventType.NODE_DELETED, node.path(), zxid));
            events.add(new TreeWatchMessage.Event(TreeEventType.NODE_CHILDREN_CHANGED, parentPath, zxid));
        }

        /**
         * A re-registered watch: fire it now if its path changed after {@code since} (its event may have been lost;
         * when in doubt it fires, since a spurious event costs a re-read and a lost one a stuck waiter); set it
         * otherwise. The event carries the zxid of the change, or for a node that is gone the {@code pzxid} of its
         * nearest existing ancestor (at or after the deletion): never a later zxid, which would also fire, on the
         * client, a watch set on that path after the change.
         */
        void reregister(final TreeWatch watch, final long since)
        {
            final ZNode node = nodes.get(watch.path());
            final TreeEventType missed;
            long zxid = 0;
            switch (watch.mode())
            {
                case DATA ->
                {
                    if (null == node)
                    {
                        missed = TreeEventType.NODE_DELETED;
                        zxid = nearestAncestor(watch.path()).stat().pzxid();
                    }
                    else
                    {
                        missed = node.stat().mzxid() > since ? TreeEventType.NODE_DATA_CHANGED : null;
                        zxid = node.stat().mzxid();
                    }
                }
                case EXIST ->
                {
                    if (null != node)
                    {
                        missed = TreeEventType.NODE_CREATED;
                        zxid = Math.max(node.stat().czxid(), since + 1);
                    }
                    else if (nearestAncestor(watch.path()).stat().pzxid() > since)
                    {
                        // Created and deleted again meanwhile, perhaps: report it, the watcher reads again.
                        missed = TreeEventType.NODE_DELETED;
                        zxid = nearestAncestor(watch.path()).stat().pzxid();
                    }
                    else
                    {
                        missed = null;
                    }
                }
                case CHILD ->
                {
                    if (null == node)
                    {
                        missed = TreeEventType.NODE_DELETED;
                        zxid = nearestAncestor(watch.path()).stat().pzxid();
                    }
                    else
                    {
                        missed = node.stat().pzxid() > since ? TreeEventType.NODE_CHILDREN_CHANGED : null;
                        zxid = node.stat().pzxid();
                    }
                }
                default -> missed = null;
            }
            if (null == missed)
            {
                watch(watch);
            }
            else
            {
                watches = watches.fireNow(watch, missed, zxid, effects);
            }
        }

        /** The closest existing ancestor of a missing path (the root at worst): its pzxid moves when the path could
         * have come and gone. */
        private ZNode nearestAncestor(final String path)
        {
            String ancestor = TreePaths.parent(path);
            while (!nodes.containsKey(ancestor))
            {
                ancestor = TreePaths.parent(ancestor);
            }
            return nodes.get(ancestor);
        }

        private void put(final ZNode node)
        {
            copy();
            nodes.put(node.path(), node);
        }

        private void copy()
        {
            if (!copied)
            {
                nodes = new LinkedHashMap<>(nodes);
                copied = true;
            }
        }

        TreeState finish()
        {
            for (final TreeWatchMessage.Event event : events)
            {
                watches = watches.fire(event.type(), event.path(), event.zxid(), effects);
            }
            final long zxid = events.isEmpty() ? state.zxid() : meta.index();
            if (!copied && sessions == state.sessions() && watches == state.watches() && zxid == state.zxid())
            {
                return state;
            }
            final Map<String, ZNode> nextNodes = copied ? java.util.Collections.unmodifiableMap(nodes) : nodes;
            return state.with(nextNodes, sessions, watches, zxid);
        }
    }

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link TreeCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return TreeCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return TreeCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return TreeCodec.DECLARED;
    }
}
