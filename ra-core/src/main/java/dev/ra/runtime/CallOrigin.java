package dev.ra.runtime;

import dev.ra.ServerId;
import dev.ra.codec.Codec;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;

/**
 * Where the answer to a call goes: a {@link ClientCall} on this node, or a {@link RemoteOrigin} that sends it back
 * to the calling node. Called on the server's event loop; implementations must not block.
 */
interface CallOrigin
{
    /**
     * The call succeeded.
     *
     * @param value  the result (the machine's reply for a command; see {@link ServerProcess} for the others).
     * @param leader the leader that answered.
     */
    void ok(Object value, ServerId leader);

    /**
     * A command was applied: its reply, for a caller on another node encoded with the given codec.
     *
     * @param reply      the machine's reply.
     * @param replyCodec the reply codec of the machine version that applied the command (not necessarily this
     *                   build's newest: during a rolling upgrade, the older builds read what their version writes).
     * @param leader     the leader that applied it.
     */
    default void applied(final Object reply, final Codec<Object> replyCodec, final ServerId leader)
    {
        ok(reply, leader);
    }

    /**
     * The addressed member is not the leader: try the hint, or again later when it is null.
     *
     * @param leaderHint the leader the member knows, or null.
     */
    void redirect(ServerId leaderHint);

    /**
     * The call was refused.
     *
     * @param error      why.
     * @param leaderHint the leader known, or null.
     */
    default void failed(final CallError error, final ServerId leaderHint)
    {
        failed(error, leaderHint, "");
    }

    /**
     * The call was refused, with the details for the caller.
     *
     * @param error      why.
     * @param leaderHint the leader known, or null.
     * @param detail     what exactly was wrong, naming the cluster and any limit; empty if nothing more is known.
     */
    void failed(CallError error, ServerId leaderHint, String detail);

    /**
     * The command was committed and applied, but the machine's {@code apply} threw: a definite outcome.
     *
     * @param failure what the machine threw.
     * @param leader  the leader that applied it.
     */
    void commandFailed(MachineFailure failure, ServerId leader);

    /**
     * The addressed server does not run on its node.
     *
     * @param server that does not run.
     */
    void noServer(ServerId server);

    /**
     * The addressed server does not run on its node because it was deleted there (with its cluster, or alone).
     *
     * @param server      that was deleted.
     * @param reason      how, for the caller's error.
     * @param memberAfter a member of the last configuration the server held, if it was removed from a cluster that
     *                    runs on (or deleted alone): the caller may ask it instead; null if it was deleted with its
     *                    cluster, or none is known.
     */
    void deleted(ServerId server, String reason, ServerId memberAfter);

    /**
     * The server stopped while the call was pending.
     *
     * @param server that stopped.
     * @param cause  of the stop, or null for an orderly stop.
     */
    void stopped(ServerId server, Throwable cause);
}
