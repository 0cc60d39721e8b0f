package dev.ra.transport.netty;

import dev.ra.protocol.NodeMessage;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps a thread's synchronous call on its caller connection from overtaking what the same thread sent to the same
 * node just before over the peer link (a pipelined command, a process message): the node reads the two connections on
 * different threads, so the call would be handled first. A call from a thread that has sent such a message to the node
 * since its last call there goes over the peer link too, behind it; once that call is answered everything before it
 * has been handled, so the thread's next call may take its caller connection again. Calls sent over the peer link
 * (requests, starts) do not count: a synchronous one was answered, so handled, before its thread went on; an
 * asynchronous call is not ordered with a later synchronous one. Neither do Raft messages, replies and notices, which
 * servers send from event loops.
 */
final class CallerOrder
{
    /** Per thread: the nodes it sent a message other than a call to over the peer link since its last call to them. */
    private final ThreadLocal<Set<String>> sentTo = ThreadLocal.withInitial(HashSet::new);

    /**
     * The calling thread queued {@code message} for {@code node} on the peer link. Only what an application's thread
     * sends counts (a pipelined command, a process message, a monitor): what servers send (Raft messages, replies,
     * notices) goes from event loops, which never make a synchronous call, so the hot path pays no look-up for them.
     */
    void sentOnPeerLink(final String node, final NodeMessage message)
    {
        if (message instanceof NodeMessage.CommandCast || message instanceof NodeMessage.ProcessMessage ||
            message instanceof NodeMessage.MonitorProcess || message instanceof NodeMessage.DemonitorProcess)
        {
            sentTo.get().add(node);
        }
    }

    /**
     * @return whether the calling thread's call to {@code node} must go over the peer link, behind what it sent there
     *         before.
     */
    boolean mustFollowPeerLink(final String node)
    {
        return sentTo.get().remove(node);
    }
}
