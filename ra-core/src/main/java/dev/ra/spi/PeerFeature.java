package dev.ra.spi;

/**
 * Something a release added to what nodes send each other, which a node may send to another only once that node is
 * known to take it ({@link Transport#supports}): during a rolling upgrade the other node may run an older release,
 * which would not understand it. For each feature the runtime has a way that every release takes, which it uses
 * otherwise.
 */
public enum PeerFeature
{
    /**
     * A linearizable named query in one call ({@link dev.ra.protocol.ServerRequest.ConfirmedNamedQuery}); without
     * it, the caller asks for a read index and then sends the query.
     */
    CONFIRMED_NAMED_QUERY,
    /**
     * The notice that pipelined commands failed ({@link dev.ra.protocol.NodeMessage.FailedNotice}), which tells a
     * process on another node of a command whose {@code apply} threw or that the leader refused; without it, such a
     * notification is not sent (logged), as the releases before did, and the process hears only of the others.
     */
    FAILED_COMMAND_NOTICE
}
