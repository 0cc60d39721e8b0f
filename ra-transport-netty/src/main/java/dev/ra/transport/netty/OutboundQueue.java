package dev.ra.transport.netty;

import dev.ra.protocol.NodeMessage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The messages waiting to be written to one node since it last went down (its last connection closed, it left, or a
 * down was reported while another connection stayed open). Each down replaces the link's queue with a new one and
 * discards the old one, so that a message sent just as the node went down, which lands in the old queue after it was
 * emptied, is found there by its sender and dropped: it is never written on a later connection, which may reach a
 * restarted node that must not get messages meant for its previous run (Erlang drops them too). Lock-free: any thread
 * enqueues, the active connection's event loop drains.
 */
final class OutboundQueue
{
    final ConcurrentLinkedQueue<NodeMessage> messages = new ConcurrentLinkedQueue<>();
    /** How many messages are in {@link #messages}, kept apart because counting a concurrent queue walks it. */
    final AtomicInteger size = new AtomicInteger();
}
