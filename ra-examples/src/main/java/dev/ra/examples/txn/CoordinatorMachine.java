package dev.ra.examples.txn;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The coordinator of two-phase commit across clusters, as a replicated log of each transaction's begin, decision and
 * end. The work of talking to the participants is done by a {@link TransferDriver} on the leader's node; this machine
 * only records what the driver may rely on after a crash.
 *
 * <p><b>Protocol.</b>
 * <ol>
 *   <li>A client logs {@link CoordinatorCommand.Begin} with the legs; the transaction is PREPARING and remembers the
 *       current driver EPOCH.</li>
 *   <li>The driver asks each participant to prepare its legs. If all vote yes it logs
 *       {@link CoordinatorCommand.Decide} commit, otherwise abort. The decision is the commit point: once logged,
 *       it is final (the first decision wins).</li>
 *   <li>The driver tells each participant the decision (commit or abort, idempotent), then logs
 *       {@link CoordinatorCommand.Finish}; the client gets {@link TransferFinished}.</li>
 * </ol>
 *
 * <p><b>Failover.</b> On becoming leader a member appends {@link CoordinatorCommand.Claim}; when applied, its log index
 * is the new epoch and the leader's node is asked ({@link Effect.ModCall} with {@link DriverSignal}) to run a driver
 * for it. That driver resumes every unfinished transaction: a logged decision is re-sent to the participants (they
 * apply it once); a transaction still PREPARING from an OLDER epoch is aborted (presumed abort), because the driver
 * that was asking for votes is gone and its prepares may be half done. Participants that voted yes keep their
 * reservations in their own replicated state until then, so nothing is lost and nothing stays reserved once a driver
 * runs again. A driver that was replaced but still runs (a paused process) cannot do harm: its decision loses to the
 * one already logged, and participants refuse to prepare a transaction they were told to abort.
 *
 * <p><b>Forgetting (version 1).</b> Stamps ({@link TransferIds}) are made by clients' clocks, so they are judged
 * against the LOG TIME ({@link CommandMeta#systemTimeMs()}, the leader's clock when it appended the entry): a begin of
 * an unknown stamped id whose stamp is further than {@code maxStampSkew} from it, either way, is {@link Refused},
 * naming the skew and the bound. The coordinator keeps the unfinished transactions, every transaction of an id that
 * is not stamped, the {@code keptFinished} finished ones of stamped ids with the latest stamps (default
 * {@link #DEFAULT_KEPT_FINISHED}), and every finished one stamped less than {@code keptFor} before the log time
 * (default {@link #DEFAULT_KEPT_FOR}, longer than {@code maxStampSkew}, default {@link #DEFAULT_MAX_STAMP_SKEW}):
 * when a finish takes it beyond both, it forgets the oldest stamps first and raises its HORIZON to the stamps it
 * forgot. While a transaction is remembered, a begin retried under its id begins nothing new. A begin of an unknown
 * stamped id whose stamp is not after the horizon is {@link Refused}: it may name a forgotten transaction, and
 * beginning it again would not be sure to end as the first did (a second run that aborts for a failover would report
 * "aborted" for money that moved). So a retry of a forgotten transfer is refused, never redone. Since the horizon
 * stays {@code keptFor} behind the log time, no client's clock moves it: a new stamp within {@code maxStampSkew} of
 * the log time is after it, unless a new leader's clock is behind the last one's by more than
 * {@code keptFor - maxStampSkew}. Version 0 forgets nothing and places a finished transaction where it began;
 * {@link #machineFor machineFor(0)} applies the log as it did and reads and writes its snapshots. The switch to
 * version 1 forgets at once beyond the bounds. The bounds must be the same on every member, like the cursor policy.
 *
 * <p>This machine instance is per node and knows its local member, like
 * {@link dev.ra.examples.leader.FollowTheLeaderMachine}.
 */
public final class CoordinatorMachine implements StateMachine<CoordinatorCommand, CoordinatorState>
{
    /** The default name of the {@link Effect.ModCall} handler that runs drivers ({@link DriverHost}). */
    public static final String DEFAULT_HANDLER = "dev.ra.examples.txn.driver";
    /** Named query: the {@link Transaction} of an id (argument: the id), or null. */
    public static final String TRANSACTION = "transaction";
    /** How many finished transactions of stamped ids are kept by default. */
    public static final int DEFAULT_KEPT_FINISHED = 10_000;
    /** How far by default a new stamp may be from the log time, either way. */
    public static final Duration DEFAULT_MAX_STAMP_SKEW = Duration.ofMinutes(1);
    /** How long by default, after its stamp in log time, a finished transaction is kept at least. */
    public static final Duration DEFAULT_KEPT_FOR = Duration.ofMinutes(3);
    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 1;
    /** The snapshots of version 0: the state's first four components, without the horizon. */
    private static final Codec<CoordinatorState> VERSION_ZERO_STATE = new FirstComponentsCodec<>(TxnCodecs.COORDINATOR,
        CoordinatorState.class, 4, CoordinatorMachine::versionZeroState, "CoordinatorMachine version 0");

    private final ServerId localServer;
    private final String handler;
    private final ReleaseCursorPolicy cursorPolicy;
    private final int keptFinished;
    /** A begin of a new stamped id is refused if its stamp is further than this from the log time. */
    private final long maxStampSkewMs;
    /** A finished transaction of a stamped id is forgotten only once the log time is this far after its stamp. */
    private final long keptForMs;
    /** Version 1 and later forget finished transactions of stamped ids beyond {@link #keptFinished}. */
    private final boolean forgets;

    /**
     * A machine for the member {@code localServer}, with the {@link #DEFAULT_HANDLER} and a default cursor policy.
     *
     * @param localServer the member of the coordinator cluster on this node (any member, on a node hosting none).
     */
    public CoordinatorMachine(final ServerId localServer)
    {
        this(localServer, DEFAULT_HANDLER, ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with every setting explicit.
     *
     * @param localServer  the member of the coordinator cluster on this node.
     * @param handler      name under which the {@link DriverHost} is registered for {@link Effect.ModCall}.
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public CoordinatorMachine(final ServerId localServer, final String handler, final ReleaseCursorPolicy cursorPolicy)
    {
        this(localServer, handler, cursorPolicy, DEFAULT_KEPT_FINISHED);
    }

    /**
     * A machine with the default time bounds.
     *
     * @param localServer  the member of the coordinator cluster on this node.
     * @param handler      name under which the {@link DriverHost} is registered for {@link Effect.ModCall}.
     * @param cursorPolicy deciding when to emit a release cursor.
     * @param keptFinished how many finished transactions of stamped ids to keep, at least 1; the same on every member.
     */
    public CoordinatorMachine(final ServerId localServer, final String handler, final ReleaseCursorPolicy cursorPolicy,
        final int keptFinished)
    {
        this(localServer, handler, cursorPolicy, keptFinished, DEFAULT_MAX_STAMP_SKEW, DEFAULT_KEPT_FOR);
    }

    /**
     * A machine with every setting explicit.
     *
     * @param localServer  the member of the coordinator cluster on this node.
     * @param handler      name under which the {@link DriverHost} is registered for {@link Effect.ModCall}.
     * @param cursorPolicy deciding when to emit a release cursor.
     * @param keptFinished how many finished transactions of stamped ids to keep, at least 1; the same on every member.
     * @param maxStampSkew how far a new stamp may be from the log time, either way, at least 1 ms; the same on every
     *                     member.
     * @param keptFor      how long after its stamp, in log time, a finished transaction is kept at least: longer than
     *                     {@code maxStampSkew}; the same on every member.
     */
    public CoordinatorMachine(final ServerId localServer, final String handler, final ReleaseCursorPolicy cursorPolicy,
        final int keptFinished, final Duration maxStampSkew, final Duration keptFor)
    {
        this.localServer = Objects.requireNonNull(localServer, "localServer");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        if (keptFinished < 1)
        {
            throw new IllegalArgumentException("keptFinished must be >= 1, got " + keptFinished);
        }
        this.keptFinished = keptFinished;
        this.maxStampSkewMs = Objects.requireNonNull(maxStampSkew, "maxStampSkew").toMillis();
        this.keptForMs = Objects.requireNonNull(keptFor, "keptFor").toMillis();
        if (maxStampSkewMs < 1 || keptForMs <= maxStampSkewMs)
        {
            // A stamp within the skew of the log time must be after every stamp forgotten (the horizon), which is
            // older than the log time by keptFor when it is forgotten.
            throw new IllegalArgumentException("need 1 ms <= maxStampSkew < keptFor, got maxStampSkew " +
                maxStampSkew + " and keptFor " + keptFor);
        }
        this.forgets = true;
    }

    private CoordinatorMachine(final CoordinatorMachine newest, final int version)
    {
        this.localServer = newest.localServer;
        this.handler = newest.handler;
        this.cursorPolicy = newest.cursorPolicy;
        this.keptFinished = newest.keptFinished;
        this.maxStampSkewMs = newest.maxStampSkewMs;
        this.keptForMs = newest.keptForMs;
        this.forgets = version >= 1;
    }

    /**
     * Version 1 forgets the oldest finished transactions of stamped ids; version 0 kept every transaction.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<CoordinatorCommand, CoordinatorState> machineFor(final int version)
    {
        return version >= VERSION ? this : new CoordinatorMachine(this, version);
    }

    /**
     * Version 0 reads and writes its snapshots in its own shape, without the horizon.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<CoordinatorState> stateCodec()
    {
        return forgets ? (Codec<CoordinatorState>)(Codec<?>)TxnCodecs.COORDINATOR : VERSION_ZERO_STATE;
    }

    @SuppressWarnings("unchecked")
    private static CoordinatorState versionZeroState(final List<Object> parts)
    {
        return new CoordinatorState((ServerId)parts.get(0), (Long)parts.get(1),
            (Map<String, Transaction>)parts.get(2), (Long)parts.get(3));
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<CoordinatorCommand> commandType()
    {
        return CoordinatorCommand.class;
    }

    @Override
    public CoordinatorState init(final InitArgs args)
    {
        return CoordinatorState.EMPTY;
    }

    @Override
    public ApplyResult<CoordinatorState> apply(
        final CommandMeta meta, final CoordinatorCommand command, final CoordinatorState state)
    {
        if (command instanceof CoordinatorCommand.Claim claim)
        {
            final CoordinatorState next = state.withDriver(claim.leader(), meta.index());
            return cursorPolicy.result(meta, next, meta.index(),
                List.of(new Effect.ModCall(handler, new DriverSignal(claim.leader(), meta.index()))));
        }
        if (command instanceof CoordinatorCommand.Begin begin)
        {
            final Transaction existing = state.transaction(begin.txId());
            if (null != existing)
            {
                return cursorPolicy.result(meta, state, existing.phase(), List.of());
            }
            final long stamp = TransferIds.stampOf(begin.txId());
            if (forgets && stamp > 0 && Math.abs(stamp - meta.systemTimeMs()) > maxStampSkewMs)
            {
                return cursorPolicy.result(meta, state,
                    skewRefusal(begin.txId(), stamp, meta.systemTimeMs(), maxStampSkewMs), List.of());
            }
            if (forgets && stamp > 0 && stamp <= state.horizon())
            {
                return cursorPolicy.result(meta, state, forgottenRefusal(begin.txId(), stamp, state.horizon()),
                    List.of());
            }
            final CoordinatorState next = state.withTransaction(begin.txId(),
                new Transaction(begin.legs(), state.epoch(), Phase.PREPARING, begin.client(), ""));
            return cursorPolicy.result(meta, next, Phase.PREPARING, wakeDriver(state));
        }
        if (command instanceof CoordinatorCommand.Decide decide)
        {
            final Transaction tx = state.transaction(decide.txId());
            if (null == tx || tx.phase().isDecided())
            {
                return cursorPolicy.result(meta, state, null == tx ? null : tx.phase(), List.of());
            }
            final Phase decision = decide.commit() ? Phase.COMMITTING : Phase.ABORTING;
            final CoordinatorState next = state.withTransaction(decide.txId(), tx.decided(decision, decide.reason()));
            return cursorPolicy.result(meta, next, decision, List.of());
        }
        if (command instanceof CoordinatorCommand.Finish finish)
        {
            final Transaction tx = state.transaction(finish.txId());
            if (null == tx || !tx.phase().isDecided() || tx.phase().isFinal())
            {
                return cursorPolicy.result(meta, state, null == tx ? null : tx.phase(), List.of());
            }
            final Phase end = tx.phase().commits() ? Phase.COMMITTED : Phase.ABORTED;
            final TransferFinished finished = new TransferFinished(finish.txId(), end.commits(), tx.reason());
            final CoordinatorState next = forgets ? state.withFinished(finish.txId(), tx.in(end), keptFinished,
                meta.systemTimeMs() - keptForMs) :
                state.withTransaction(finish.txId(), tx.in(end));
            return cursorPolicy.result(meta, next, end, List.of(new Effect.SendMsg(tx.client(), finished)));
        }
        // Unreachable while CoordinatorCommand is sealed; CoordinatorMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    /**
     * At the switch to version 1, the finished transactions of stamped ids beyond the bound are forgotten at once
     * (in the order they began, which is where version 0 placed them).
     */
    @Override
    public ApplyResult<CoordinatorState> applyBuiltin(final CommandMeta meta, final BuiltinCommand command,
        final CoordinatorState state)
    {
        if (forgets && command instanceof BuiltinCommand.MachineVersionChanged changed && changed.from() < 1)
        {
            return ApplyResult.of(state.forgettingBeyond(keptFinished, meta.systemTimeMs() - keptForMs));
        }
        return ApplyResult.of(state);
    }

    /**
     * @return the refusal of a begin of a new id stamped too far from the log time: told at once, rather than the id
     *     taken and forgotten too soon (a clock behind) or raising the horizon above other clients' stamps (ahead).
     */
    static Refused skewRefusal(final String txId, final long stamp, final long logTimeMs, final long maxSkewMs)
    {
        final long skew = stamp - logTimeMs;
        return new Refused("transaction " + txId + " is not known and its stamp " + stamp + " is " +
            Math.abs(skew) + " ms " + (skew > 0 ? "ahead of" : "behind") + " the coordinator's log time " +
            logTimeMs + ", more than the " + maxSkewMs + " ms allowed either way: " + (skew > 0 ?
            "the clock of the process that stamped it is ahead" : "the clock of the process that stamped it is " +
            "behind, or this is a retry, later than that, of a transfer that may have ended and been forgotten") +
            "; a new transfer needs a new id (TransferIds.next()) made where the clock is right");
    }

    /**
     * @return the refusal of a begin whose stamped id may name a transaction forgotten.
     */
    static Refused forgottenRefusal(final String txId, final long stamp, final long horizon)
    {
        return new Refused("transaction " + txId + " is not known and its stamp " + stamp + " is not after " +
            horizon + ", the newest stamp of the finished transactions the coordinator forgot: it may be one of " +
            "them, so it is not begun again (nor is its outcome known any more); a new transfer needs a new id " +
            "(TransferIds.next())");
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final CoordinatorState state)
    {
        return role == RaftRole.LEADER ? List.of(new Effect.Append(new CoordinatorCommand.Claim(localServer))) :
            List.of();
    }

    /**
     * The named query {@link #TRANSACTION}, which works from any node.
     */
    @Override
    public Object query(final String name, final Object argument, final CoordinatorState state)
    {
        if (!TRANSACTION.equals(name))
        {
            throw new IllegalArgumentException("CoordinatorMachine declares the query '" + TRANSACTION + "', not '" +
                name + "'");
        }
        if (!(argument instanceof String txId))
        {
            throw new IllegalArgumentException("CoordinatorMachine query '" + name +
                "' takes a transaction id (a string), got " + argument);
        }
        return state.transaction(txId);
    }

    @Override
    public Map<String, Object> overview(final CoordinatorState state)
    {
        return Map.of("driver", String.valueOf(state.driver()), "epoch", state.epoch(),
            "unfinished", state.unfinished().size());
    }

    private List<Effect> wakeDriver(final CoordinatorState state)
    {
        return null == state.driver() ? List.of() :
            List.of(new Effect.ModCall(handler, new DriverSignal(state.driver(), state.epoch())));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<CoordinatorCommand> commandCodec()
    {
        return (Codec<CoordinatorCommand>)(Codec<?>)TxnCodecs.COORDINATOR;
    }

    /**
     * Replies, messages and named query values are of the machine's declared types ({@link TxnCodecs}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return TxnCodecs.COORDINATOR;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return TxnCodecs.COORDINATOR;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return TxnCodecs.COORDINATOR;
    }
}
