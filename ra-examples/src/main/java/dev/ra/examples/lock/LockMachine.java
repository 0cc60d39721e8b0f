package dev.ra.examples.lock;

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
import dev.ra.codec.Codecs;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.ForgottenProcesses;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.RememberedReplies;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A lock server with fencing tokens, the "lock" of the ra-toolbox talk without its bugs.
 *
 * <p><b>Fencing.</b> Each tenure gets a token: the Raft log index of the entry that granted it (the acquire, or the
 * release or {@code Down} that passed the lock on). Indexes only grow, so every new holder gets a strictly larger
 * token than all before it, across leader changes too. A lock cannot promise mutual exclusion to processes that pause
 * or lose their network (Kleppmann; Jepsen on etcd); it promises ORDER, and a protected resource enforces it by
 * rejecting tokens lower than the highest it has seen ({@link FencingTokenValidator}), as Chubby sequencers and
 * Hazelcast's {@code FencedLock} do.
 *
 * <p><b>Semantics.</b>
 * <ul>
 *   <li>Acquire of a free lock grants it. Acquire by the holder is idempotent: same token, no count (a retried
 *       acquire must not need two releases; Consul and portunus behave the same, Hazelcast counts).</li>
 *   <li>Acquire of a held lock queues the caller once (a retry keeps its place) and replies its position. Waiters are
 *       served in FIFO order, like ZooKeeper's sequential-node recipe and Hazelcast; the new holder is told with
 *       {@link LockGranted} carrying its token.</li>
 *   <li>Release by the holder passes the lock to the next waiter at once (holder AND token are updated, the bug of the
 *       Erlang original). Release by anyone else changes nothing and replies false (Hazelcast throws
 *       {@code IllegalMonitorStateException}; a replicated machine must not throw).</li>
 *   <li>{@link LockCommand.Cancel} lets a waiter leave the queue (a timed-out try-lock, as Curator and Hazelcast
 *       offer).</li>
 *   <li>Every holder and waiter is monitored. When one goes {@code Down} for ANY reason, including
 *       {@code NOCONNECTION}, it loses its lock and its places in line: this lock favours liveness and relies on
 *       fencing for safety. A lock that tolerates short disconnections is {@link dev.ra.examples.sessionlock}. An
 *       owner cut off whose numbered calls are remembered (version 2) has its node watched and is monitored again
 *       when the node is back, so that its end still forgets them.</li>
 *   <li>On becoming leader the machine monitors every holder and waiter again, and re-sends {@link LockGranted} to
 *       every holder, since a grant sent by a failed leader may have been lost. Grants are therefore
 *       at-least-once.</li>
 * </ul>
 *
 * <p><b>Versions.</b> Version 1 adds {@link LockCommand.ReleaseOnce}, which carries a request id: the state remembers
 * the replies of the last {@link dev.ra.examples.support.RememberedReplies#KEPT} of them, and a retry of one gets its
 * first attempt's reply. Version 2 adds {@link LockCommand.NumberedAcquire}, {@link LockCommand.NumberedRelease} and
 * {@link LockCommand.NumberedCancel}, numbered per client ({@link ClientSequences}): a retry gets its first reply,
 * and a late attempt of a call its client has since finished (an acquire overtaken by its retry, then released) is
 * refused as stale and takes nothing. {@link #machineFor machineFor(0)} and {@code machineFor(1)} apply the log as
 * those versions did and read and write their snapshots.
 *
 * <p><b>Limit.</b> Tokens are raw log indexes: a cluster re-formed from empty disks starts again at low indexes, and
 * a resource that remembers old tokens would reject the new holders. portunus packs an epoch into the token for this;
 * here, reset the validators when the lock cluster is re-created.
 */
public final class LockMachine implements StateMachine<LockCommand, LockState>
{
    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 2;
    /** Why a release carrying a request id is refused at version 0. */
    private static final String REFUSAL = "LockCommand.ReleaseOnce needs machine version 1 of LockMachine; the " +
        "cluster is at version 0 until every member runs a build that has it";
    /** Why a numbered command is refused before version 2. */
    private static final String NUMBERED_REFUSAL = "numbered lock commands need machine version 2 of LockMachine; " +
        "the cluster is at an older version until every member runs a build that has it";
    /** The command codec of version 1, which did not have the numbered commands. */
    private static final Codec<Object> VERSION_ONE_COMMANDS = Codecs.refusing(LockCodec.DECLARED,
        LockMachine::numbered, NUMBERED_REFUSAL);
    /** The command codec of version 0, which did not have the release carrying a request id either. */
    private static final Codec<Object> VERSION_ZERO_COMMANDS = Codecs.refusing(VERSION_ONE_COMMANDS,
        LockCommand.ReleaseOnce.class::isInstance, REFUSAL);
    /** The snapshots of version 0: the state's first two components, without the replies remembered. */
    private static final Codec<LockState> VERSION_ZERO_STATE = new FirstComponentsCodec<>(LockCodec.DECLARED,
        LockState.class, 2, LockMachine::versionZeroState, "LockMachine version 0");
    /** The snapshots of version 1: the state's first three components, without the clients' numbered calls. */
    private static final Codec<LockState> VERSION_ONE_STATE = new FirstComponentsCodec<>(LockCodec.DECLARED,
        LockState.class, 3, LockMachine::versionOneState, "LockMachine version 1");

    private final ReleaseCursorPolicy cursorPolicy;
    /** Version 1 and later take the release carrying a request id, and remember its reply. */
    private final boolean answersOnce;
    /** Version 2 and later take the numbered commands. */
    private final boolean numbers;

    /**
     * A machine that offers a snapshot point every {@link ReleaseCursorPolicy#DEFAULT_INTERVAL} entries.
     */
    public LockMachine()
    {
        this(ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own snapshot cadence (the same on every member).
     *
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public LockMachine(final ReleaseCursorPolicy cursorPolicy)
    {
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        this.answersOnce = true;
        this.numbers = true;
    }

    private LockMachine(final LockMachine newest, final int version)
    {
        this.cursorPolicy = newest.cursorPolicy;
        this.answersOnce = version >= 1;
        this.numbers = version >= 2;
    }

    /**
     * Version 2 takes the numbered commands, version 1 {@link LockCommand.ReleaseOnce}; version 0 knew neither.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<LockCommand, LockState> machineFor(final int version)
    {
        return version >= VERSION ? this : new LockMachine(this, version);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<LockCommand> commandCodec()
    {
        if (numbers)
        {
            return (Codec<LockCommand>)(Codec<?>)LockCodec.DECLARED;
        }
        return (Codec<LockCommand>)(Codec<?>)(answersOnce ? VERSION_ONE_COMMANDS : VERSION_ZERO_COMMANDS);
    }

    /**
     * Versions 0 and 1 read and write their snapshots in their own shapes, without what later versions added.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<LockState> stateCodec()
    {
        if (numbers)
        {
            return (Codec<LockState>)(Codec<?>)LockCodec.DECLARED;
        }
        return answersOnce ? VERSION_ONE_STATE : VERSION_ZERO_STATE;
    }

    private static boolean numbered(final Object command)
    {
        return command instanceof LockCommand.NumberedAcquire || command instanceof LockCommand.NumberedRelease ||
            command instanceof LockCommand.NumberedCancel;
    }

    @SuppressWarnings("unchecked")
    private static LockState versionOneState(final List<Object> parts)
    {
        return new LockState((Map<String, LockEntry>)parts.get(0), (Long)parts.get(1),
            (RememberedReplies)parts.get(2));
    }

    @SuppressWarnings("unchecked")
    private static LockState versionZeroState(final List<Object> parts)
    {
        return new LockState((Map<String, LockEntry>)parts.get(0), (Long)parts.get(1));
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<LockCommand> commandType()
    {
        return LockCommand.class;
    }

    @Override
    public LockState init(final InitArgs args)
    {
        return LockState.EMPTY;
    }

    @Override
    public ApplyResult<LockState> apply(final CommandMeta meta, final LockCommand command, final LockState state)
    {
        if (command instanceof LockCommand.Acquire acquire)
        {
            return result(meta, acquire(meta, acquire.key(), acquire.owner(), state));
        }
        else if (command instanceof LockCommand.Release release)
        {
            return result(meta, release(meta, state, release.key(), release.owner(), null));
        }
        else if (command instanceof LockCommand.ReleaseOnce release)
        {
            if (!answersOnce)
            {
                // Refused by version 0's codec before the log; kept out of apply all the same.
                return cursorPolicy.result(meta, state, false, List.of());
            }
            final Boolean answered = state.replies().of(release.requestId());
            // A retry whose first attempt was applied: its reply again, and nothing released twice.
            return null != answered ? cursorPolicy.result(meta, state, answered, List.of()) :
                result(meta, release(meta, state, release.key(), release.owner(), release.requestId()));
        }
        else if (command instanceof LockCommand.Cancel cancel)
        {
            return result(meta, cancel(state, cancel.key(), cancel.owner()));
        }
        else if (command instanceof LockCommand.NumberedAcquire acquire)
        {
            return inOrder(meta, state, acquire.owner(), acquire.number(),
                () -> acquire(meta, acquire.key(), acquire.owner(), state));
        }
        else if (command instanceof LockCommand.NumberedRelease release)
        {
            return inOrder(meta, state, release.owner(), release.number(),
                () -> release(meta, state, release.key(), release.owner(), null));
        }
        else if (command instanceof LockCommand.NumberedCancel cancel)
        {
            return inOrder(meta, state, cancel.owner(), cancel.number(),
                () -> cancel(state, cancel.key(), cancel.owner()));
        }
        // Unreachable while LockCommand is sealed to the records above; LockMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    /**
     * A numbered command: applied if new, its reply remembered; otherwise its earlier reply, or the stale refusal,
     * with nothing applied.
     */
    private ApplyResult<LockState> inOrder(final CommandMeta meta, final LockState state, final ProcessRef owner,
        final CommandNumber number, final Supplier<Outcome> apply)
    {
        if (!numbers)
        {
            // Refused by the older versions' codecs before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, false, List.of());
        }
        final ClientSequences.Earlier earlier = state.sequences().earlier(owner, number);
        if (null != earlier)
        {
            return cursorPolicy.result(meta, state, earlier.reply(), List.of());
        }
        final Outcome applied = apply.get();
        final ClientSequences before = applied.state().sequences();
        final ClientSequences after = before.applied(owner, number, applied.reply(), meta.systemTimeMs());
        final LockState next = applied.state().withSequences(after);
        final List<Effect> effects = keepMonitored(owner, applied.effects());
        final List<ProcessRef> forgotten = ForgottenProcesses.of(before, after, owner);
        if (forgotten.isEmpty())
        {
            return cursorPolicy.result(meta, next, applied.reply(), effects);
        }
        // Their calls are no longer remembered (the idle time, the bound): monitored for nothing else, they are
        // demonitored, as a new leader would not monitor them (stateEnter).
        final List<Effect> withDemonitors = new ArrayList<>(effects);
        for (final ProcessRef process : forgotten)
        {
            if (!next.involves(process))
            {
                withDemonitors.add(new Effect.Demonitor(process));
            }
        }
        return cursorPolicy.result(meta, next, applied.reply(), withDemonitors);
    }

    /**
     * An owner whose calls are remembered stays monitored after it holds and awaits nothing: its end (a
     * {@code tryLock}'s owner ends with its tenure) is what forgets its calls, rather than the bound on the clients
     * remembered, which a busy lock's ended owners would otherwise fill, pushing out the long-lived owners' calls
     * (one {@code Down} per tenure).
     */
    private static List<Effect> keepMonitored(final ProcessRef owner, final List<Effect> effects)
    {
        if (!effects.contains(new Effect.Demonitor(owner)))
        {
            return effects;
        }
        final List<Effect> kept = new ArrayList<>(effects);
        kept.remove(new Effect.Demonitor(owner));
        return kept;
    }

    private ApplyResult<LockState> result(final CommandMeta meta, final Outcome outcome)
    {
        return cursorPolicy.result(meta, outcome.state(), outcome.reply(), outcome.effects());
    }

    /**
     * What a command did, before the release cursor policy looks at the state.
     */
    private record Outcome(LockState state, Object reply, List<Effect> effects)
    {
    }

    private static Outcome cancel(final LockState state, final String key, final ProcessRef owner)
    {
        final LockEntry entry = state.lock(key);
        if (null == entry || !entry.waiters().contains(owner))
        {
            return new Outcome(state, false, List.of());
        }
        final LockState next = state.with(key, new LockEntry(entry.holder(), entry.token(),
            Persistent.removeIf(entry.waiters(), owner::equals)));
        final List<Effect> effects = next.involves(owner) ? List.of() : List.of(new Effect.Demonitor(owner));
        return new Outcome(next, true, effects);
    }

    @Override
    public ApplyResult<LockState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final LockState state)
    {
        if (command instanceof BuiltinCommand.Down down)
        {
            final ProcessRef gone = down.process();
            final List<Effect> effects = new ArrayList<>();
            LockState next = state;
            for (final Map.Entry<String, LockEntry> e : state.locks().entrySet())
            {
                final LockEntry entry = e.getValue();
                if (entry.holder().equals(gone))
                {
                    // Drop the dead process from the line first so the lock can never be handed back to it.
                    final LockEntry withoutGone = new LockEntry(gone, entry.token(),
                        Persistent.removeIf(entry.waiters(), gone::equals));
                    next = next.with(e.getKey(), handOff(meta, e.getKey(), withoutGone, effects));
                }
                else if (entry.waiters().contains(gone))
                {
                    next = next.with(e.getKey(), new LockEntry(entry.holder(), entry.token(),
                        Persistent.removeIf(entry.waiters(), gone::equals)));
                }
            }
            if (down.reason() != DownReason.NOCONNECTION)
            {
                // An owner that ended makes no more calls; one merely cut off may, so its numbers are kept.
                next = next.withSequences(next.sequences().forget(gone));
            }
            else if (next.sequences().forget(gone) != next.sequences())
            {
                // Its monitor is gone with the connection: its node is watched, to monitor it again when it is back
                // (keepMonitored), as a new leader would.
                effects.add(new Effect.MonitorNode(gone.node()));
            }
            return cursorPolicy.result(meta, next, null, effects);
        }
        if (command instanceof BuiltinCommand.NodeUp nodeUp)
        {
            // The owners cut off whose calls are remembered, monitored again (their locks went with the cut).
            final Set<ProcessRef> back = new LinkedHashSet<>();
            for (final ClientSequences.Entry remembered : state.sequences().entries())
            {
                if (remembered.caller().process().node().equals(nodeUp.node()))
                {
                    back.add(remembered.caller().process());
                }
            }
            final List<Effect> effects = new ArrayList<>();
            for (final ProcessRef process : back)
            {
                effects.add(new Effect.Monitor(process));
            }
            return cursorPolicy.result(meta, state, null, effects);
        }
        // NodeDown/Timeout: the owners' own monitors decide; this machine sets no timers.
        return cursorPolicy.result(meta, state, null, List.of());
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final LockState state)
    {
        if (role != RaftRole.LEADER)
        {
            return List.of();
        }
        final Set<ProcessRef> watched = new LinkedHashSet<>();
        final List<Effect> grants = new ArrayList<>();
        for (final Map.Entry<String, LockEntry> e : state.locks().entrySet())
        {
            watched.add(e.getValue().holder());
            watched.addAll(e.getValue().waiters());
            grants.add(new Effect.SendMsg(e.getValue().holder(), new LockGranted(e.getKey(), e.getValue().token())));
        }
        if (numbers)
        {
            // Kept monitored while their calls are remembered, so that their end forgets them (keepMonitored).
            for (final ClientSequences.Entry remembered : state.sequences().entries())
            {
                watched.add(remembered.caller().process());
            }
        }
        final List<Effect> effects = new ArrayList<>();
        for (final ProcessRef process : watched)
        {
            effects.add(new Effect.Monitor(process));
        }
        effects.addAll(grants);
        return effects;
    }

    @Override
    public Map<String, Object> overview(final LockState state)
    {
        return Map.of("locks", state.locks().size());
    }

    private static Outcome acquire(final CommandMeta meta, final String key, final ProcessRef owner,
        final LockState state)
    {
        final List<Effect> monitor = List.of(new Effect.Monitor(owner));
        final LockEntry entry = state.lock(key);
        if (null == entry)
        {
            final LockState next = state.with(key, new LockEntry(owner, meta.index(), List.of()));
            return new Outcome(next, new LockReply.Acquired(meta.index()), monitor);
        }
        if (entry.holder().equals(owner))
        {
            return new Outcome(state, new LockReply.Acquired(entry.token()), monitor);
        }
        final int position = entry.waiters().indexOf(owner);
        if (position >= 0)
        {
            return new Outcome(state, new LockReply.Queued(position + 1), monitor);
        }
        final LockState next = state.with(key,
            new LockEntry(entry.holder(), entry.token(), Persistent.append(entry.waiters(), owner)));
        return new Outcome(next, new LockReply.Queued(entry.waiters().size() + 1), monitor);
    }

    /**
     * @param requestId to remember the reply under, or null.
     */
    private static Outcome release(final CommandMeta meta, final LockState state, final String key,
        final ProcessRef owner, final String requestId)
    {
        final LockEntry entry = state.lock(key);
        if (null == entry || !entry.holder().equals(owner))
        {
            return new Outcome(null == requestId ? state : state.answered(requestId, false), false, List.of());
        }
        final List<Effect> effects = new ArrayList<>();
        final LockState released = state.with(key, handOff(meta, key, entry, effects));
        if (!released.involves(owner))
        {
            effects.add(new Effect.Demonitor(owner));
        }
        return new Outcome(null == requestId ? released : released.answered(requestId, true), true, effects);
    }

    /**
     * The lock after its holder gives it up: the first waiter becomes holder with the token of THIS entry, or the
     * lock disappears ({@code null}) when nobody waits.
     */
    private static LockEntry handOff(
        final CommandMeta meta, final String key, final LockEntry entry, final List<Effect> effects)
    {
        if (entry.waiters().isEmpty())
        {
            return null;
        }
        final ProcessRef next = entry.waiters().get(0);
        effects.add(new Effect.SendMsg(next, new LockGranted(key, meta.index())));
        return new LockEntry(next, meta.index(), Persistent.tail(entry.waiters()));
    }

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link LockCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return LockCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return LockCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return LockCodec.DECLARED;
    }
}
