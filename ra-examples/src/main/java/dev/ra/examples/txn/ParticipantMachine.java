package dev.ra.examples.txn;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A participant of two-phase commit: a small bank holding accounts, as any KV-like cluster could.
 *
 * <p><b>Semantics.</b>
 * <ul>
 *   <li>{@link ParticipantCommand.Prepare} votes yes only if every account it names exists, every debited account
 *       has the money, and the participant has room for the credits (below); the debits then move from the balance
 *       to the reservation, so no other transaction can spend them. Credits are not applied before the commit. A no
 *       vote aborts the transaction here at once (a voter that says no may forget the transaction, since it can
 *       never commit).</li>
 *   <li>{@link ParticipantCommand.Commit} applies a prepared transaction (reservations leave, credits arrive);
 *       {@link ParticipantCommand.Abort} gives the reservations back. Both are idempotent by transaction id.</li>
 *   <li>An abort of a transaction the participant never saw is remembered, so a prepare that arrives late (sent by a
 *       coordinator that paused) votes no instead of reserving money nobody will release.</li>
 *   <li>Prepared transactions are part of the replicated state, so they survive failovers and restarts: a yes vote
 *       is a promise the cluster keeps.</li>
 *   <li>All accounts together, counting the credits of prepared transactions, hold at most
 *       {@link Long#MAX_VALUE}: a deposit that would go over is {@link Refused}, and so is a prepare (it votes no).
 *       So no balance, reservation or {@link #TOTAL} ever wraps, and a commit always fits.</li>
 * </ul>
 * <p><b>Forgetting (version 1).</b> The coordinator's driver tells each participant a watermark
 * ({@link ParticipantCommand.Forget}): no transaction whose id is stamped ({@link TransferIds}) at or below it is
 * unfinished at the coordinator, and a begin of a new one is refused there, so no vote on one is needed any more. The
 * participant forgets its decisions of those ids and keeps none it makes later; a prepare of one it does not know (a
 * late message of a driver that was replaced) votes no and reserves nothing, an abort of one answers ABORTED, a
 * commit UNKNOWN, as for an id never seen. Ids of other forms are kept for ever. A watermark after the log time
 * ({@link CommandMeta#systemTimeMs()}) is {@link Refused}: the coordinator's is behind its own log time by minutes,
 * and one far ahead (a bad client's) would make every later transfer vote no. Version 0 had no watermark;
 * {@link #machineFor machineFor(0)} applies the log as it did, reads and writes its snapshots, and refuses
 * {@link ParticipantCommand.Forget} before it is appended. {@code apply} never throws for a well-formed command.
 */
public final class ParticipantMachine implements StateMachine<ParticipantCommand, ParticipantState>
{
    /** Named query: the {@link Account} of a name (argument: the name), or null. */
    public static final String ACCOUNT = "account";
    /** Named query: the {@link TxStatus} of a transaction (argument: its id). */
    public static final String STATUS = "status";
    /** Named query: the money held by all accounts, reservations included (argument ignored). */
    public static final String TOTAL = "total";

    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 1;
    /** Why a watermark is refused at version 0. */
    private static final String REFUSAL = "ParticipantCommand.Forget needs machine version 1 of ParticipantMachine; " +
        "the cluster is at version 0 until every member runs a build that has it";
    /** The command codec of version 0, which did not have the watermark. */
    private static final Codec<Object> VERSION_ZERO_COMMANDS = Codecs.refusing(TxnCodecs.PARTICIPANT,
        ParticipantCommand.Forget.class::isInstance, REFUSAL);
    /** The snapshots of version 0: the state's first five components, without the watermark. */
    private static final Codec<ParticipantState> VERSION_ZERO_STATE = new FirstComponentsCodec<>(TxnCodecs.PARTICIPANT,
        ParticipantState.class, 5, ParticipantMachine::versionZeroState, "ParticipantMachine version 0");

    private final ReleaseCursorPolicy cursorPolicy;
    /** Version 1 and later take the watermark. */
    private final boolean forgets;

    /**
     * A machine that offers a snapshot point every {@link ReleaseCursorPolicy#DEFAULT_INTERVAL} entries.
     */
    public ParticipantMachine()
    {
        this(ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own snapshot cadence (the same on every member).
     *
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public ParticipantMachine(final ReleaseCursorPolicy cursorPolicy)
    {
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        this.forgets = true;
    }

    private ParticipantMachine(final ParticipantMachine newest, final int version)
    {
        this.cursorPolicy = newest.cursorPolicy;
        this.forgets = version >= 1;
    }

    /**
     * Version 1 takes the coordinator's watermark and forgets the decisions below it; version 0 kept every one.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<ParticipantCommand, ParticipantState> machineFor(final int version)
    {
        return version >= VERSION ? this : new ParticipantMachine(this, version);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<ParticipantCommand> commandCodec()
    {
        return (Codec<ParticipantCommand>)(Codec<?>)(forgets ? TxnCodecs.PARTICIPANT : VERSION_ZERO_COMMANDS);
    }

    /**
     * Version 0 reads and writes its snapshots in its own shape, without the watermark.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<ParticipantState> stateCodec()
    {
        return forgets ? (Codec<ParticipantState>)(Codec<?>)TxnCodecs.PARTICIPANT : VERSION_ZERO_STATE;
    }

    @SuppressWarnings("unchecked")
    private static ParticipantState versionZeroState(final List<Object> parts)
    {
        return new ParticipantState((Map<String, Account>)parts.get(0), (Map<String, List<Change>>)parts.get(1),
            (Map<String, TxStatus>)parts.get(2), (Long)parts.get(3), (Long)parts.get(4));
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<ParticipantCommand> commandType()
    {
        return ParticipantCommand.class;
    }

    @Override
    public ParticipantState init(final InitArgs args)
    {
        return ParticipantState.EMPTY;
    }

    @Override
    public ApplyResult<ParticipantState> apply(
        final CommandMeta meta, final ParticipantCommand command, final ParticipantState state)
    {
        if (command instanceof ParticipantCommand.Deposit deposit)
        {
            if (deposit.amount() > state.room())
            {
                final Refused refused = new Refused("account '" + deposit.account() + "': a deposit of " +
                    deposit.amount() + " would take the participant over " + Long.MAX_VALUE + " (it holds " +
                    state.total() + ", and prepared transactions credit " + state.incoming() + ")");
                return cursorPolicy.result(meta, state, refused, List.of());
            }
            final Account account = Objects.requireNonNullElse(state.account(deposit.account()), Account.EMPTY);
            final Account next = new Account(Math.addExact(account.balance(), deposit.amount()), account.reserved());
            return cursorPolicy.result(meta, state.withAccount(deposit.account(), next), next.balance(), List.of());
        }
        if (command instanceof ParticipantCommand.Prepare prepare)
        {
            return prepare(meta, prepare, state);
        }
        if (command instanceof ParticipantCommand.Commit commit)
        {
            if (state.status(commit.txId()) != TxStatus.PREPARED)
            {
                return cursorPolicy.result(meta, state, state.status(commit.txId()), List.of());
            }
            // The prepare made room for the credits, so none of this can overflow.
            ParticipantState next = state;
            for (final Change change : state.prepared().get(commit.txId()))
            {
                final Account account = next.account(change.account());
                next = next.withAccount(change.account(), change.delta() < 0 ?
                    new Account(account.balance(), Math.addExact(account.reserved(), change.delta())) :
                    new Account(Math.addExact(account.balance(), change.delta()), account.reserved()));
            }
            return cursorPolicy.result(meta, next.withDecided(commit.txId(), TxStatus.COMMITTED), TxStatus.COMMITTED,
                List.of());
        }
        if (command instanceof ParticipantCommand.Abort abort)
        {
            final TxStatus status = state.status(abort.txId());
            if (status == TxStatus.COMMITTED || status == TxStatus.ABORTED)
            {
                return cursorPolicy.result(meta, state, status, List.of());
            }
            ParticipantState next = state;
            for (final Change change : state.prepared().getOrDefault(abort.txId(), List.of()))
            {
                if (change.delta() < 0)
                {
                    final Account account = next.account(change.account());
                    next = next.withAccount(change.account(),
                        new Account(Math.subtractExact(account.balance(), change.delta()),
                            Math.addExact(account.reserved(), change.delta())));
                }
            }
            return cursorPolicy.result(meta, next.withDecided(abort.txId(), TxStatus.ABORTED), TxStatus.ABORTED,
                List.of());
        }
        if (command instanceof ParticipantCommand.Forget forget)
        {
            if (!forgets)
            {
                // Refused by version 0's command codec before it is appended; were one applied, it changes nothing.
                return cursorPolicy.result(meta, state, null, List.of());
            }
            if (forget.watermark() > meta.systemTimeMs())
            {
                // Never the coordinator's (its watermark is behind its log time by keptFor, minutes): taking it
                // would forget decisions and vote no on every transfer stamped up to it, for as long as that is.
                return cursorPolicy.result(meta, state, new Refused("watermark " + forget.watermark() +
                    " is after this participant's log time " + meta.systemTimeMs() + ": the coordinator's is " +
                    "behind its own log time by the time it keeps finished transfers, so this one is not taken (or " +
                    "the leaders' clocks differ by more than that)"), List.of());
            }
            final ParticipantState next = state.withWatermark(forget.watermark());
            return cursorPolicy.result(meta, next, next.watermark(), List.of());
        }
        // Unreachable while ParticipantCommand is sealed; ParticipantMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    /**
     * The named queries {@link #ACCOUNT}, {@link #STATUS} and {@link #TOTAL}, which work from any node.
     */
    @Override
    public Object query(final String name, final Object argument, final ParticipantState state)
    {
        switch (name)
        {
            case ACCOUNT:
                return state.account(requireString(name, argument));
            case STATUS:
                return state.status(requireString(name, argument));
            case TOTAL:
                return state.total();
            default:
                throw new IllegalArgumentException("ParticipantMachine declares the queries '" + ACCOUNT + "', '" +
                    STATUS + "' and '" + TOTAL + "', not '" + name + "'");
        }
    }

    @Override
    public Map<String, Object> overview(final ParticipantState state)
    {
        return Map.of("accounts", state.accounts().size(), "prepared", state.prepared().size());
    }

    private ApplyResult<ParticipantState> prepare(
        final CommandMeta meta, final ParticipantCommand.Prepare prepare, final ParticipantState state)
    {
        final TxStatus status = state.status(prepare.txId());
        if (status == TxStatus.PREPARED || status == TxStatus.COMMITTED)
        {
            return cursorPolicy.result(meta, state, Vote.YES, List.of());
        }
        if (status == TxStatus.ABORTED)
        {
            return cursorPolicy.result(meta, state, Vote.no("transaction " + prepare.txId() + " was aborted"),
                List.of());
        }
        if (state.belowWatermark(prepare.txId()))
        {
            return cursorPolicy.result(meta, state, Vote.no("transaction " + prepare.txId() + " is stamped no later " +
                "than " + state.watermark() + ", below which the coordinator asks for no vote any more"), List.of());
        }
        // Debits are summed as negative numbers, since a debit of 2^63 (Long.MIN_VALUE) has no positive long, and
        // saturate there: a debit that large is more than any balance, however much more it is.
        final Map<String, Long> debits = new LinkedHashMap<>();
        final long room = state.room();
        long credits = 0;
        for (final Change change : prepare.changes())
        {
            if (null == state.account(change.account()))
            {
                return refuse(meta, state, prepare.txId(), "no account '" + change.account() + "'");
            }
            if (change.delta() < 0)
            {
                debits.merge(change.account(), change.delta(), ParticipantMachine::addDebits);
            }
            else if (change.delta() > room - credits)
            {
                // Refused now rather than wrapping a balance or the total when the commit adds the credits.
                return refuse(meta, state, prepare.txId(), "the transaction credits more than the " + room +
                    " the participant can still take (it holds at most " + Long.MAX_VALUE + ")");
            }
            else
            {
                credits += change.delta();
            }
        }
        ParticipantState next = state;
        for (final Map.Entry<String, Long> debit : debits.entrySet())
        {
            final Account account = state.account(debit.getKey());
            if (account.balance() + debit.getValue() < 0)
            {
                return refuse(meta, state, prepare.txId(), "account '" + debit.getKey() + "' has " +
                    account.balance() + " available, the transaction debits " + (Long.MIN_VALUE == debit.getValue() ?
                    "more than " + Long.MAX_VALUE : Long.toString(-debit.getValue())));
            }
            next = next.withAccount(debit.getKey(),
                new Account(account.balance() + debit.getValue(), account.reserved() - debit.getValue()));
        }
        return cursorPolicy.result(meta, next.withPrepared(prepare.txId(), prepare.changes()), Vote.YES, List.of());
    }

    private static long addDebits(final long debits, final long debit)
    {
        return debits < Long.MIN_VALUE - debit ? Long.MIN_VALUE : debits + debit;
    }

    private ApplyResult<ParticipantState> refuse(
        final CommandMeta meta, final ParticipantState state, final String txId, final String reason)
    {
        return cursorPolicy.result(meta, state.withDecided(txId, TxStatus.ABORTED), Vote.no(reason), List.of());
    }

    private static String requireString(final String query, final Object argument)
    {
        if (argument instanceof String text)
        {
            return text;
        }
        throw new IllegalArgumentException("ParticipantMachine query '" + query + "' takes a string, got " + argument);
    }

    /**
     * Replies, messages and named query values are of the machine's declared types ({@link TxnCodecs}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return TxnCodecs.PARTICIPANT;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return TxnCodecs.PARTICIPANT;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return TxnCodecs.PARTICIPANT;
    }
}
