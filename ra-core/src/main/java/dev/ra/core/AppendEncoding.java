package dev.ra.core;

import dev.ra.StateMachine;
import dev.ra.protocol.UserCommand;

/**
 * The codec a leader encodes what it appends with: that of the machine version the entry is applied with. Between
 * appending a switch to a newer version and applying it, that is the version switched to, not the one in force: every
 * member decodes the bytes of an entry after the switch with the newer version's codec, so the leader checks and
 * encodes commands with it, and applies what those bytes decode to rather than an object the older version made.
 */
final class AppendEncoding
{
    private AppendEncoding()
    {
    }

    /**
     * @param core of the leader.
     * @return the machine of the version a client command appended now is applied with: what the runtime checks it
     *     with and the leader encodes it with.
     */
    static StateMachine<Object, Object> machineForCommands(final ServerCore core)
    {
        return core.mutation == Mutation.SWITCH_WINDOW_COMMAND_WITH_VERSION_IN_FORCE ? core.versions.machine() :
            core.versions.machineForAppend();
    }

    /**
     * A client command as the leader appends it, to be encoded with {@code appliedBy}'s codec. In a switch window it
     * is encoded again from the caller's object, not kept with the bytes the runtime checked and encoded it with (the
     * version in force's, before the window), or the caller's object, which the leader applies, would not be what
     * the others decode; a command that came as bytes keeps them (the runtime checked them with that version).
     *
     * @param core      of the leader.
     * @param command   as taken.
     * @param appliedBy {@link #machineForCommands}.
     * @return the command to encode and append.
     */
    static UserCommand clientCommand(final ServerCore core, final UserCommand command,
        final StateMachine<Object, Object> appliedBy)
    {
        return appliedBy != core.versions.machine() && null != command.valueIfDecoded() ?
            UserCommand.ofValue(command.valueIfDecoded()) : command;
    }

    /**
     * The command of a machine's {@code Append} effect, encoded and checked like a client's. In a switch window it is
     * appended as bytes only, so that the leader too applies what they decode to, not the older version's object.
     *
     * @param core    of the leader.
     * @param command the machine asked to append.
     * @return the command to append, or null if it cannot be (reported by {@link MachineGuard#appendable}).
     */
    static UserCommand appendEffect(final ServerCore core, final Object command)
    {
        final StateMachine<Object, Object> appliedBy =
            core.mutation == Mutation.SWITCH_WINDOW_APPEND_EFFECT_WITH_VERSION_IN_FORCE ? core.versions.machine() :
                core.versions.machineForAppend();
        final UserCommand encoded = core.guard.appendable(command, appliedBy.commandCodec(),
            core.config.maxCommandBytes(), core.lastApplied);
        return null == encoded || appliedBy == core.versions.machine() ? encoded :
            UserCommand.ofData(encoded.dataIfEncoded());
    }
}
