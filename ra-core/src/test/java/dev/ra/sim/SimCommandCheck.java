package dev.ra.sim;

import dev.ra.RaftRole;
import dev.ra.codec.Bytes;
import dev.ra.core.RaftEvent;
import dev.ra.core.ReplyMode;
import dev.ra.core.ServerCore;
import dev.ra.protocol.UserCommand;

/**
 * What the runtime does to a client's command on the server's loop, just before its core takes it, in a versioned
 * run: it checks the command by encoding it with the command codec of the version the command is applied with if
 * appended now ({@link ServerCore#machineForCommands}, the version a switch appended and not yet applied moves to),
 * and the core gets the command with those bytes. A caller in the leader's JVM hands over its object, which the bytes
 * join; a remote caller's command arrives as bytes only (here the callers of even call ids). Other members leave the
 * check to the leader they redirect to. Checked when the core takes the command, not when the client sends it: a
 * paused member takes what reached it only once it resumes, maybe after a switch.
 */
final class SimCommandCheck
{
    private SimCommandCheck()
    {
    }

    /**
     * @param core  that takes the event now.
     * @param event reaching it.
     * @return the event as the core gets it: a client's command checked, anything else as it is.
     */
    static RaftEvent checked(final ServerCore core, final RaftEvent event)
    {
        if (!(event instanceof RaftEvent.ClientCommand client) || core.role() != RaftRole.LEADER ||
            !(client.replyMode() instanceof ReplyMode.AwaitConsensus await) ||
            null == client.command().valueIfDecoded())
        {
            return event;
        }
        final UserCommand local = UserCommand.ofValue(client.command().valueIfDecoded());
        final Bytes data = local.data(core.machineForCommands().commandCodec());
        return new RaftEvent.ClientCommand(await.callId() % 2 == 0 ? UserCommand.ofData(data) : local,
            client.replyMode());
    }
}
