package dev.ra.examples.lock;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.Persistent;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 *       fencing for safety. A lock that tolerates short disconnections is {@link dev.ra.examples.sessionlock}.</li>
 *   <li>On becoming leader the machine monitors every holder and waiter again, and re-sends {@link LockGranted} to
 *       every holder, since a grant sent by a failed leader may have been lost. Grants are therefore
 *       at-least-once.</li>
 * </ul>
 *
 * <p><b>Versions.</b> Version 1 adds {@link LockCommand.ReleaseOnce}, which carries a request id: the state remembers
 * the replies of the last {@link dev.ra.examples.support.RememberedReplies#KEPT} of them, and a retry of one gets its
 * first attempt's reply. {@link #machineFor machineFor(0)} applies the log as version 0 did and reads and writes
 * version 0's snapshots.
 *
 * <p><b>Limit.</b> Tokens are raw log indexes: a cluster re-formed from empty disks starts again at low indexes, and
 * a resource that remembers old tokens would reject the new holders. portunus packs an epoch into the token for this;
 * here, reset the validators when the lock cluster is re-created.
 */
public final class LockMachine implements StateMachine<LockCommand, LockState>
{
    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 1;
    /** Why a release carrying a request id is refused at version 0. */
    private static final String REFUSAL = "LockCommand.ReleaseOnce needs machine version 1 of LockMachine; the " +
        "cluster is at version 0 until every member runs a build that has it";
    /** The command codec of version 0, which did not have the release carrying a request id. */
    private static final Codec<Object> VERSION_ZERO_COMMANDS = Codecs.refusing(Codecs.generic(),
        LockCommand.ReleaseOnce.class::isInstance, REFUSAL);
    /** The snapshots of version 0: the state's first two components, without the replies remembered. */
    private static final Codec<LockState> VERSION_ZERO_STATE = new FirstComponentsCodec<>(LockState.class, 2,
        LockMachine::versionZeroState, "LockMachine version 0");

    private final ReleaseCursorPolicy cursorPolicy;
    /** Version 1 and later take the release carrying a request id, and remember its reply. */
    private final boolean answersOnce;

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
    }

    private LockMachine(final LockMachine newest, final int version)
    {
        this.cursorPolicy = newest.cursorPolicy;
        this.answersOnce = version >= 1;
    }

    /**
     * Version 1 takes {@link LockCommand.ReleaseOnce}; version 0 did not know it.
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
        return answersOnce ? StateMachine.super.commandCodec() : (Codec<LockCommand>)(Codec<?>)VERSION_ZERO_COMMANDS;
    }

    /**
     * Version 0 reads and writes its snapshots in its own shape, without the replies remembered.
     */
    @Override
    public Codec<LockState> stateCodec()
    {
        return answersOnce ? StateMachine.super.stateCodec() : VERSION_ZERO_STATE;
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
            return acquire(meta, acquire, state);
        }
        else if (command instanceof LockCommand.Release release)
        {
            return release(meta, state, release.key(), release.owner(), null);
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
                release(meta, state, release.key(), release.owner(), release.requestId());
        }
        else if (command instanceof LockCommand.Cancel cancel)
        {
            final LockEntry entry = state.lock(cancel.key());
            if (null == entry || !entry.waiters().contains(cancel.owner()))
            {
                return cursorPolicy.result(meta, state, false, List.of());
            }
            final LockState next = state.with(cancel.key(), new LockEntry(entry.holder(), entry.token(),
                Persistent.removeIf(entry.waiters(), cancel.owner()::equals)));
            final List<Effect> effects = next.involves(cancel.owner()) ?
                List.of() : List.of(new Effect.Demonitor(cancel.owner()));
            return cursorPolicy.result(meta, next, true, effects);
        }
        // Unreachable while LockCommand is sealed to the records above; LockMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
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
            return cursorPolicy.result(meta, next, null, effects);
        }
        // NodeUp/NodeDown/Timeout: this machine monitors no nodes and sets no timers.
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

    private ApplyResult<LockState> acquire(
        final CommandMeta meta, final LockCommand.Acquire acquire, final LockState state)
    {
        final List<Effect> monitor = List.of(new Effect.Monitor(acquire.owner()));
        final LockEntry entry = state.lock(acquire.key());
        if (null == entry)
        {
            final LockState next = state.with(acquire.key(), new LockEntry(acquire.owner(), meta.index(), List.of()));
            return cursorPolicy.result(meta, next, new LockReply.Acquired(meta.index()), monitor);
        }
        if (entry.holder().equals(acquire.owner()))
        {
            return cursorPolicy.result(meta, state, new LockReply.Acquired(entry.token()), monitor);
        }
        final int position = entry.waiters().indexOf(acquire.owner());
        if (position >= 0)
        {
            return cursorPolicy.result(meta, state, new LockReply.Queued(position + 1), monitor);
        }
        final LockState next = state.with(acquire.key(),
            new LockEntry(entry.holder(), entry.token(), Persistent.append(entry.waiters(), acquire.owner())));
        return cursorPolicy.result(meta, next, new LockReply.Queued(entry.waiters().size() + 1), monitor);
    }

    /**
     * @param requestId to remember the reply under, or null.
     */
    private ApplyResult<LockState> release(final CommandMeta meta, final LockState state, final String key,
        final ProcessRef owner, final String requestId)
    {
        final LockEntry entry = state.lock(key);
        if (null == entry || !entry.holder().equals(owner))
        {
            return cursorPolicy.result(meta, null == requestId ? state : state.answered(requestId, false), false,
                List.of());
        }
        final List<Effect> effects = new ArrayList<>();
        final LockState released = state.with(key, handOff(meta, key, entry, effects));
        if (!released.involves(owner))
        {
            effects.add(new Effect.Demonitor(owner));
        }
        return cursorPolicy.result(meta, null == requestId ? released : released.answered(requestId, true), true,
            effects);
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
}
