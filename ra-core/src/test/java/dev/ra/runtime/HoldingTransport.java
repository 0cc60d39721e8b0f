package dev.ra.runtime;

import dev.ra.protocol.NodeMessage;
import dev.ra.spi.Transport;
import dev.ra.spi.TransportListener;
import java.util.function.Predicate;

/**
 * A node's transport that holds back, when told to, the next call the node sends that matches (as a slow link would)
 * or the reply to it, until the test releases it: a test orders a call's answers against what happens meanwhile.
 */
final class HoldingTransport extends ForwardingTransport
{
    private TransportListener listener;
    private Predicate<NodeMessage.ServerCall> callToHold;
    private String heldCallTo;
    private NodeMessage.ServerCall heldCall;
    private Predicate<NodeMessage.ServerCall> replyToHold;
    private boolean awaitingReply;
    private long replyCallId;
    private String heldReplyFrom;
    private NodeMessage.CallReply heldReply;
    private boolean asFromOlderReleases;

    HoldingTransport(final Transport delegate)
    {
        super(delegate);
    }

    @Override
    public void start(final String localNode, final TransportListener listener)
    {
        synchronized (this)
        {
            this.listener = listener;
        }
        super.start(localNode, new ForwardingTransportListener(listener)
        {
            @Override
            public void onMessage(final String fromNode, final NodeMessage message)
            {
                if (!(message instanceof NodeMessage.CallReply reply && held(fromNode, reply)))
                {
                    super.onMessage(fromNode, withoutMemberAfter(message));
                }
            }
        });
    }

    /**
     * Take the answers that a server was deleted as a node of an older release sends them: naming no member of its
     * last configuration to ask instead.
     */
    synchronized void asFromOlderReleases()
    {
        asFromOlderReleases = true;
    }

    private synchronized NodeMessage withoutMemberAfter(final NodeMessage message)
    {
        return asFromOlderReleases && message instanceof NodeMessage.CallReply reply &&
            NodeMessage.CallStatus.NO_SERVER == reply.status() ? new NodeMessage.CallReply(reply.callId(),
            reply.status(), reply.value(), null, reply.error(), reply.message()) : message;
    }

    /**
     * Hold the next call sent that matches.
     */
    synchronized void holdNextCall(final Predicate<NodeMessage.ServerCall> which)
    {
        callToHold = which;
    }

    /**
     * Send the next call that matches, but hold its reply.
     */
    synchronized void holdReplyToNextCall(final Predicate<NodeMessage.ServerCall> which)
    {
        replyToHold = which;
    }

    synchronized boolean holdsCall()
    {
        return null != heldCall;
    }

    synchronized boolean holdsReply()
    {
        return null != heldReply;
    }

    /**
     * Send the held call now.
     */
    void releaseCall()
    {
        final String to;
        final NodeMessage.ServerCall call;
        synchronized (this)
        {
            to = heldCallTo;
            call = heldCall;
            heldCall = null;
        }
        super.send(to, call);
    }

    /**
     * Hand the held reply to the node now.
     */
    void releaseReply()
    {
        final TransportListener to;
        final String from;
        final NodeMessage.CallReply reply;
        synchronized (this)
        {
            to = listener;
            from = heldReplyFrom;
            reply = heldReply;
            heldReply = null;
        }
        to.onMessage(from, withoutMemberAfter(reply));
    }

    @Override
    public void send(final String node, final NodeMessage message)
    {
        synchronized (this)
        {
            if (message instanceof NodeMessage.ServerCall call)
            {
                if (null != replyToHold && replyToHold.test(call))
                {
                    replyToHold = null;
                    awaitingReply = true;
                    replyCallId = call.callId();
                }
                if (null != callToHold && callToHold.test(call))
                {
                    callToHold = null;
                    heldCallTo = node;
                    heldCall = call;
                    return;
                }
            }
        }
        super.send(node, message);
    }

    private synchronized boolean held(final String fromNode, final NodeMessage.CallReply reply)
    {
        if (!awaitingReply || reply.callId() != replyCallId)
        {
            return false;
        }
        awaitingReply = false;
        heldReplyFrom = fromNode;
        heldReply = reply;
        return true;
    }
}
