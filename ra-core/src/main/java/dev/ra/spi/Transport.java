package dev.ra.spi;

import dev.ra.protocol.NodeMessage;
import java.time.Duration;
import java.util.List;

/**
 * Carries messages between the nodes ({@link dev.ra.RaSystem}s) of a deployment: Raft RPCs, client calls and replies,
 * process messages and monitors. One transport per node multiplexes every server of every cluster.
 *
 * <p>Sending never blocks and may drop messages (Raft tolerates loss); delivery between two nodes is in order while
 * a connection lasts. Node liveness is reported through {@link TransportListener#onNodeUp}/{@code onNodeDown}.
 */
public interface Transport extends AutoCloseable
{
    /**
     * Start the transport.
     *
     * @param localNode id of this node.
     * @param listener  to hand inbound messages and node events to; called from transport threads.
     */
    void start(String localNode, TransportListener listener);

    /**
     * Threads the runtime may run its event loops on instead of its own (see {@link LoopHost}). Called at most once,
     * before {@link #start}; the hosts must accept work from then until {@link #close}.
     *
     * @param localNode id of this node.
     * @param wanted    how many event loops the runtime has (a hint; it spreads them over what it gets).
     * @return the hosts, or an empty list (the default) if this transport lends no threads.
     */
    default List<LoopHost> loopHosts(final String localNode, final int wanted)
    {
        return List.of();
    }

    /**
     * Ask the transport to report, through {@link TransportListener#onNodeSilent}, a connected node from which no
     * frame at all (no message, no heartbeat) has arrived for {@code silence}, and the first frame after that through
     * {@link TransportListener#onNodeHeard}. The runtime derives it from the election timeout, far below the time a
     * transport takes to declare a silent connection dead: it lets followers campaign within an election timeout of
     * their leader's node going quiet (paused, or cut off without the connection noticing) while idle clusters
     * exchange nothing, since one node pair's heartbeats serve every cluster the two nodes share. Called at most once,
     * before {@link #start}. Optional: the default never reports silence, and followers then wait for the node to be
     * reported down.
     *
     * @param silence how long a connected node may send nothing before it is reported.
     */
    default void reportSilenceAfter(final Duration silence)
    {
    }

    /**
     * Send a message to a node; drops it (without throwing) if the node is unknown, unreachable or back-pressured.
     *
     * @param node    id of the destination node.
     * @param message to send.
     */
    void send(String node, NodeMessage message);

    /**
     * Send a client call and receive its reply on the calling thread, which would otherwise only park until another
     * thread hands the reply over: the caller writes the request and reads the answer itself, as a blocking client
     * would, saving the wake-ups of a transport thread on the way out and of the caller on the way back. The reply
     * (and only the reply) goes to the {@link TransportListener} on the calling thread before this returns. Optional:
     * the default sends nothing.
     *
     * @param node          id of the destination node.
     * @param call          to send.
     * @param deadlineNanos ({@link System#nanoTime()} based) after which to stop waiting.
     * @return how it ended; with {@link CallerReceive#NOT_SENT} the caller sends the call with {@link #send}.
     */
    default CallerReceive sendAndReceiveOnCaller(final String node, final NodeMessage.ServerCall call,
        final long deadlineNanos)
    {
        return CallerReceive.NOT_SENT;
    }

    /**
     * @param node id of a node.
     * @return true if the node is currently considered reachable.
     */
    boolean isReachable(String node);

    /**
     * Whether a node takes messages that use a feature added after the first release, so that the runtime may send
     * them there now; called before each such send. A transport that agrees a protocol version with each node answers
     * from the version agreed on its last connection to the node. The default, for a transport that knows nothing of
     * its peers' releases, is false: the runtime then sends only what every release takes.
     *
     * @param node    id of the destination node.
     * @param feature the message uses.
     * @return true if the node takes it.
     */
    default boolean supports(final String node, final PeerFeature feature)
    {
        return false;
    }

    /**
     * The largest message this transport carries (a frame limit); larger ones are dropped. The runtime keeps commands
     * and replication messages under it. The default is unlimited.
     *
     * @return the limit in bytes.
     */
    default int maxMessageBytes()
    {
        return Integer.MAX_VALUE;
    }

    /**
     * Whether the calling thread is one this transport reads, delivers or writes messages on (a callback of a call
     * whose answer it delivered runs there). The runtime does not wait on such a thread for what needs the transport
     * (a closing node's leadership hand-over): the messages that would end the wait could not go through meanwhile.
     * The default, for a transport with no threads of its own, is false.
     *
     * @return true on one of the transport's threads.
     */
    default boolean onTransportThread()
    {
        return false;
    }

    /**
     * Stop the transport, leaving in order: everything already sent is delivered, then each peer is told that this
     * node left ({@link TransportListener#onNodeLeft}), and nothing a peer sends after that is handled. The runtime
     * closes it after its servers stopped, so a peer may send on every call this node had not answered.
     */
    @Override
    void close();
}
