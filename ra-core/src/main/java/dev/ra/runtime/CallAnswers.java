package dev.ra.runtime;

import dev.ra.RaEvent;
import dev.ra.ServerId;
import dev.ra.core.CallError;
import dev.ra.core.MachineFailure;
import dev.ra.core.RaftAction;
import dev.ra.core.ReplyMode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers a {@link ServerProcess} gives the calls its core reports on: replies to commands (held until the rest of
 * the step's actions ran), completed and failed calls, read indexes ready, and commands the core did not take
 * (redirected, rejected to the process to notify, or passed on to the leader). The other half of {@link ServerCalls},
 * which takes the calls. Confined to the server's loop.
 */
final class CallAnswers
{
    private static final Logger LOG = LoggerFactory.getLogger(CallAnswers.class);

    private final ServerProcess server;
    private final MessageRouter router;
    private final List<RaftAction.ReplyToCaller> deferred = new ArrayList<>();

    /**
     * @param server whose calls these answer.
     * @param router of its node, for commands passed on and rejections to notify.
     */
    CallAnswers(final ServerProcess server, final MessageRouter router)
    {
        this.server = server;
        this.router = router;
    }

    /**
     * A command's reply, given once the step's other actions ran ({@link #deliverDeferred}), so that a caller who sees
     * it knows that the command's effects (a monitor, a message) have been carried out.
     */
    void defer(final RaftAction.ReplyToCaller reply)
    {
        deferred.add(reply);
    }

    /**
     * Give the replies held back during the step, in order.
     */
    void deliverDeferred()
    {
        if (deferred.isEmpty())
        {
            return;
        }
        for (int i = 0, n = deferred.size(); i < n; i++)
        {
            final RaftAction.ReplyToCaller reply = deferred.get(i);
            final ServerCallLedger.Entry p = server.ledger.take(reply.callId());
            if (null != p)
            {
                if (reply.reply() instanceof MachineFailure failure)
                {
                    p.origin().commandFailed(failure, server.id);
                }
                else
                {
                    p.origin().applied(reply.reply(), server.machineOf(reply.machineVersion()).replyCodec(),
                        server.id);
                }
            }
        }
        deferred.clear();
    }

    void completed(final RaftAction.CallCompleted completed)
    {
        if (LeadershipHandOver.isOwnCall(completed.callId()))
        {
            return;
        }
        final ServerCallLedger.Entry p = server.ledger.take(completed.callId());
        if (null == p)
        {
            return;
        }
        switch (p.kind())
        {
            case MEMBER_CHANGE:
                server.refreshMembers();
                p.origin().ok(List.of(completed.index(), completed.term()), server.id);
                break;
            case READ_INDEX:
                p.origin().ok(server.core.lastApplied(), server.id);
                break;
            default:
                p.origin().ok(null, server.id);
                break;
        }
    }

    void failed(final RaftAction.CallFailed failed)
    {
        if (LeadershipHandOver.isOwnCall(failed.callId()))
        {
            return;
        }
        final ServerCallLedger.Entry p = server.ledger.take(failed.callId());
        if (null == p)
        {
            return;
        }
        if (failed.error() == CallError.NOT_LEADER)
        {
            p.origin().redirect(failed.leaderHint());
        }
        else
        {
            p.origin().failed(failed.error(), failed.leaderHint(), null == failed.detail() ? "" : failed.detail());
        }
    }

    void queryReady(final RaftAction.QueryReady ready)
    {
        final ServerCallLedger.Entry p = server.ledger.take(ready.queryId());
        if (null != p)
        {
            p.origin().ok(server.core.lastApplied(), server.id);
        }
    }

    /**
     * @param notTaken a command this member did not append (it does not lead).
     * @param castHops how often the command, if pipelined, was passed on already.
     */
    void notTaken(final RaftAction.CommandNotTaken notTaken, final int castHops)
    {
        final ReplyMode mode = notTaken.replyMode();
        final ServerId hint = server.id.equals(notTaken.leaderHint()) ? null : notTaken.leaderHint();
        if (mode instanceof ReplyMode.AwaitConsensus await)
        {
            final ServerCallLedger.Entry p = server.ledger.take(await.callId());
            if (null != p)
            {
                p.origin().redirect(hint);
            }
        }
        else if (mode instanceof ReplyMode.Notify notify)
        {
            router.sendEvent(notify.to(), new RaEvent.Rejected(server.id, hint, notify.correlation()));
        }
        else if (null != hint && castHops < MessageRouter.MAX_CAST_HOPS)
        {
            router.castCommand(hint, notTaken.command(), null, null, castHops + 1);
        }
        else
        {
            LOG.warn("{}: dropping a pipelined command: no leader known", server.id);
        }
    }
}
