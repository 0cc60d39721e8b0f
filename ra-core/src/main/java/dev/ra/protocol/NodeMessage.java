package dev.ra.protocol;

import dev.ra.ServerId;
import java.util.Objects;

/**
 * Everything one node sends another through a {@link dev.ra.spi.Transport}. Raft RPCs are one kind; the runtime's
 * client calls, replies, process messages and monitors are the others.
 */
public sealed interface NodeMessage
{
    /**
     * A Raft RPC from one server to another.
     *
     * @param from sending server.
     * @param to   receiving server.
     * @param rpc  the message.
     */
    record RaftMessage(ServerId from, ServerId to, RaftRpc rpc) implements NodeMessage
    {
        /**
         * Validates the components.
         */
        public RaftMessage
        {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(rpc, "rpc");
        }
    }
}
