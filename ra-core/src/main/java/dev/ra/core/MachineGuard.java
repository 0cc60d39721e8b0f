package dev.ra.core;

import dev.ra.ApplyFailureMode;
import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.RaftRole;
import dev.ra.codec.Bytes;
import dev.ra.codec.Codec;
import dev.ra.protocol.UserCommand;
import java.util.List;

/**
 * Every call the core makes into the machine (the machine of the effective version, see {@link MachineVersions}), with
 * the rule for a machine that throws.
 *
 * <p>{@code apply} is a pure function of the state and the command, so what it throws is as deterministic as what it
 * returns: every member throws on the same entry. With {@link ApplyFailureMode#FAIL_COMMAND} the exception is
 * therefore the command's outcome: the state stays as it was, the entry counts as applied, the failure is counted and
 * reported (a {@link RaftAction.MachineFailed} for the log, the {@link MachineFailure} as the caller's reply), and the
 * member carries on. {@code stateEnter} and {@code tick} that throw, or return a null effect, run no effects and are
 * counted the same way. With {@link ApplyFailureMode#STOP_SERVER} the exception propagates out of the core and the
 * runtime stops the member (Ra's behaviour). Only {@link RuntimeException}s are caught: an {@link Error} says the
 * JVM, not the command, is in trouble.
 */
final class MachineGuard
{
    private final MachineVersions versions;
    private final ApplyFailureMode mode;
    private final CoreCounters counters;
    private final List<RaftAction> actions;
    private MachineFailure lastFailure;

    MachineGuard(final MachineVersions versions, final ApplyFailureMode mode, final CoreCounters counters,
        final List<RaftAction> actions)
    {
        this.versions = versions;
        this.mode = mode;
        this.counters = counters;
        this.actions = actions;
    }

    /**
     * @return the failure reported by the last call that returned null.
     */
    MachineFailure lastFailure()
    {
        return lastFailure;
    }

    /**
     * Decode and apply a command.
     *
     * @param report whether to emit a {@link RaftAction.MachineFailed} (not while replaying: it was reported then).
     * @return the result, or null if the machine threw (see {@link #lastFailure()}).
     */
    ApplyResult<Object> apply(final CommandMeta meta, final UserCommand command, final Codec<Object> codec,
        final Object state, final boolean report)
    {
        try
        {
            // A command may hold its caller's object, or one the leader's runtime decoded with this build's newest
            // codec: an older version's machine gets what its own codec decodes from the bytes, as every member does.
            final Object value = versions.appliesOlderMachine() ? command.decodedWith(codec) : command.value(codec);
            final ApplyResult<Object> result = versions.machine().apply(meta, value, state);
            return null != result ? result :
                applyFailed("apply", meta.index(), new NullPointerException("apply returned null"), report);
        }
        catch (final RuntimeException ex)
        {
            return applyFailed("apply", meta.index(), ex, report);
        }
    }

    /**
     * Apply a built-in command.
     *
     * @return the result, or null if the machine threw.
     */
    ApplyResult<Object> applyBuiltin(final CommandMeta meta, final BuiltinCommand command, final Object state,
        final boolean report)
    {
        try
        {
            final ApplyResult<Object> result = versions.machine().applyBuiltin(meta, command, state);
            return null != result ? result :
                applyFailed("applyBuiltin", meta.index(), new NullPointerException("applyBuiltin returned null"),
                    report);
        }
        catch (final RuntimeException ex)
        {
            return applyFailed("applyBuiltin", meta.index(), ex, report);
        }
    }

    /**
     * @return the machine's effects on entering a role, or none if it threw.
     */
    List<Effect> stateEnter(final RaftRole role, final Object state, final long lastApplied)
    {
        if (versions.stopped())
        {
            // Its state may be of a version this build cannot read (or absent): the machine is not called.
            return List.of();
        }
        try
        {
            return checked("stateEnter", versions.machine().stateEnter(role, state));
        }
        catch (final RuntimeException ex)
        {
            return callbackFailed("stateEnter", lastApplied, ex);
        }
    }

    /**
     * @return the machine's effects on a leader tick, or none if it threw.
     */
    List<Effect> tick(final long nowMs, final Object state, final long lastApplied)
    {
        if (versions.stopped())
        {
            return List.of();
        }
        try
        {
            return checked("tick", versions.machine().tick(nowMs, state));
        }
        catch (final RuntimeException ex)
        {
            return callbackFailed("tick", lastApplied, ex);
        }
    }

    /**
     * A callback's effects are held to the rule of {@link dev.ra.ApplyResult}'s: a null effect makes the whole list
     * invalid, so the callback counts as having thrown and none of its effects runs (rather than some, in an order
     * the machine did not ask for).
     *
     * @return the effects, none for a null list.
     * @throws NullPointerException naming the callback and the position of a null effect.
     */
    private static List<Effect> checked(final String callback, final List<Effect> effects)
    {
        if (null == effects)
        {
            return List.of();
        }
        for (int i = 0; i < effects.size(); i++)
        {
            if (null == effects.get(i))
            {
                throw new NullPointerException(callback + " returned a null effect at position " + i + " of " +
                    effects.size());
            }
        }
        return effects;
    }

    /**
     * The command of an {@link Effect.Append}, encoded and checked against the size limit like a client's.
     *
     * @return the command to append, or null if it cannot be encoded or is too large (reported, never appended).
     */
    UserCommand appendable(final Object value, final Codec<Object> codec, final int maxCommandBytes,
        final long lastApplied)
    {
        final UserCommand command;
        try
        {
            command = UserCommand.ofValue(value);
            final Bytes data = command.data(codec);
            if (data.length() > maxCommandBytes)
            {
                callbackFailed("append", lastApplied, new IllegalArgumentException("an Append effect's command of " +
                    data.length() + " bytes exceeds the maximum command size of " + maxCommandBytes + " bytes"));
                return null;
            }
            return command;
        }
        catch (final RuntimeException ex)
        {
            callbackFailed("append", lastApplied, ex);
            return null;
        }
    }

    private ApplyResult<Object> applyFailed(final String callback, final long index, final RuntimeException ex,
        final boolean report)
    {
        if (mode == ApplyFailureMode.STOP_SERVER)
        {
            throw ex;
        }
        counters.applyFailures++;
        lastFailure = MachineFailure.of(callback, index, ex);
        if (report)
        {
            actions.add(new RaftAction.MachineFailed(lastFailure));
        }
        return null;
    }

    private List<Effect> callbackFailed(final String callback, final long index, final RuntimeException ex)
    {
        if (mode == ApplyFailureMode.STOP_SERVER)
        {
            throw ex;
        }
        counters.machineCallbackFailures++;
        actions.add(new RaftAction.MachineFailed(MachineFailure.of(callback, index, ex)));
        return List.of();
    }
}
