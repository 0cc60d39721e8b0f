package dev.ra.examples.txn;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.InitArgs;
import dev.ra.StateMachine;
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
 * Every decided transaction id is kept (a production version would let the coordinator say which ids it will never
 * send again). {@code apply} never throws for a well-formed command.
 */
public final class ParticipantMachine implements StateMachine<ParticipantCommand, ParticipantState>
{
    /** Named query: the {@link Account} of a name (argument: the name), or null. */
    public static final String ACCOUNT = "account";
    /** Named query: the {@link TxStatus} of a transaction (argument: its id). */
    public static final String STATUS = "status";
    /** Named query: the money held by all accounts, reservations included (argument ignored). */
    public static final String TOTAL = "total";

    private final ReleaseCursorPolicy cursorPolicy;

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
}
