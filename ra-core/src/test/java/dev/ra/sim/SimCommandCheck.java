package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.codec.Bytes;
import dev.ra.core.ServerCore;
import dev.ra.protocol.UserCommand;

/**
 * What the runtime does to a client's command before a leader's core takes it, in a versioned run: it checks the
 * command by encoding it with the command codec of the version the command is applied with if appended now
 * ({@link ServerCore#machineForCommands}, the version a switch appended and not yet applied moves to), and the core
 * gets the command with those bytes. A caller in the leader's JVM hands over its object, which the bytes join; a
 * remote caller's command arrives as bytes only. Other members leave the check to the leader they redirect to.
 */
final class SimCommandCheck
{
    private SimCommandCheck()
    {
    }

    /**
     * @param core    the command reaches.
     * @param command the caller's.
     * @param remote  whether the caller is on another node.
     * @return the command as the core gets it.
     */
    static UserCommand checked(final ServerCore core, final SimKv.Command command, final boolean remote)
    {
        final UserCommand local = UserCommand.ofValue(command);
        if (core.role() != RaftRole.LEADER)
        {
            return local;
        }
        final Bytes data = local.data(core.machineForCommands().commandCodec());
        return remote ? UserCommand.ofData(data) : local;
    }
}
