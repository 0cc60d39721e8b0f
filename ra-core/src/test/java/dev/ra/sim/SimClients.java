package dev.ra.sim;

import dev.ra.ServerId;
import dev.ra.core.MachineFailure;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.ReplyMode;
import dev.ra.lincheck.History;
import dev.ra.lincheck.OperationHandle;
import dev.ra.protocol.UserCommand;
import dev.ra.sim.Simulation.Node;
import java.util.HashMap;
import java.util.Map;

/**
 * The clients of a {@link Simulation} and their history: each client runs one register operation at a time (a read,
 * a write or a compare-and-set of one of a few keys), sends it to the member it last found leading (or any member),
 * follows the hints of members that are not leading, gives up on it after a timeout, and records every invocation
 * and outcome in the {@link History} whose linearizability the run checks at the end. An operation whose outcome
 * the client cannot know (timed out, or appended by a leader that then lost its leadership) is recorded as unknown.
 */
final class SimClients
{
    private static final String[] KEYS = {"a", "b", "c"};
    private static final long OP_TIMEOUT_MS = 1_500;

    private final Simulation sim;
    private final History history;
    private int failedOperations;
    private final Map<Long, PendingOp> pendingOps = new HashMap<>();
    private int valueCounter;
    private final Map<Integer, ServerId> lastKnownLeader = new HashMap<>();

    SimClients(final Simulation sim)
    {
        this.sim = sim;
        this.history = new History(sim::now);
    }

    /**
     * @return the operations of every client, as invoked and as they ended.
     */
    History history()
    {
        return history;
    }

    /**
     * @return client commands that failed because the machine threw on them (a definite outcome).
     */
    int failedOperations()
    {
        return failedOperations;
    }

    /**
     * Each client starts its first operation within 20 ms.
     */
    void start()
    {
        for (int c = 0; c < sim.options.clients(); c++)
        {
            final int clientId = c;
            sim.schedule(sim.random.nextInt(20), () -> nextOp(clientId));
        }
    }

    private final class PendingOp
    {
        final int clientId;
        final OperationHandle handle;
        final String key;
        final SimKv.Command command;
        ServerId target;

        PendingOp(final int clientId, final OperationHandle handle, final String key, final SimKv.Command command)
        {
            this.clientId = clientId;
            this.handle = handle;
            this.key = key;
            this.command = command;
        }
    }

    private void nextOp(final int clientId)
    {
        if (sim.now() > sim.options.durationMs() + 2_000)
        {
            return;
        }
        final String key = KEYS[sim.random.nextInt(KEYS.length)];
        final long callId = sim.newCallId();
        final int kind = sim.random.nextInt(3);
        final PendingOp op;
        if (kind == 0)
        {
            op = new PendingOp(clientId, history.invokeRead(clientId, key), key, null);
        }
        else if (kind == 1)
        {
            final String value = "v" + (++valueCounter);
            op = new PendingOp(clientId, history.invokeWrite(clientId, key, value), key, new SimKv.Put(key, value));
        }
        else
        {
            final String expected = sim.random.nextBoolean() ? null :
                "v" + sim.random.nextInt(Math.max(1, valueCounter + 1));
            final String value = "v" + (++valueCounter);
            op = new PendingOp(clientId, history.invokeCas(clientId, key, expected, value), key,
                new SimKv.Cas(key, expected, value));
        }
        // Clients mostly go where they last found a leader, as real clients cache it: that is how a deposed
        // leader gets asked, which is what a stale read needs.
        final ServerId cached = lastKnownLeader.get(clientId);
        op.target = null != cached && sim.random.nextInt(4) != 0 ? cached :
            sim.nodes[sim.random.nextInt(sim.nodes.length)].id;
        pendingOps.put(callId, op);
        submit(callId, op);
        sim.schedule(OP_TIMEOUT_MS, () ->
        {
            final PendingOp timedOut = pendingOps.remove(callId);
            if (null != timedOut)
            {
                history.unknown(timedOut.handle);
                sim.schedule(sim.random.nextInt(20), () -> nextOp(clientId));
            }
        });
    }

    private void submit(final long callId, final PendingOp op)
    {
        final Node target = sim.node(op.target);
        final long incarnation = target.incarnation;
        sim.schedule(1 + sim.random.nextInt(5), () ->
        {
            if (!pendingOps.containsKey(callId) || target.incarnation != incarnation || !target.alive)
            {
                return;
            }
            if (null == op.command)
            {
                sim.deliver(target, new RaftEvent.ConsistentQuery(callId));
            }
            else
            {
                sim.deliver(target, new RaftEvent.ClientCommand(UserCommand.ofValue(op.command),
                    new ReplyMode.AwaitConsensus(callId)));
            }
            if (target.alive)
            {
                sim.scheduleFlush(target);
            }
        });
    }

    void rememberLeader(final long callId, final ServerId leader)
    {
        final PendingOp op = pendingOps.get(callId);
        if (null != op)
        {
            lastKnownLeader.put(op.clientId, leader);
        }
    }

    /**
     * A consistent query is ready on {@code member}: the client's read returns the value in {@code state}.
     */
    void queryReady(final long queryId, final ServerId member, final SimKv.State state)
    {
        final PendingOp op = pendingOps.get(queryId);
        if (null != op)
        {
            rememberLeader(queryId, member);
            completeOp(queryId, state.data().get(op.key));
        }
    }

    void completeOp(final long callId, final Object reply)
    {
        final PendingOp op = pendingOps.remove(callId);
        if (null == op)
        {
            return;
        }
        if (null == op.command)
        {
            history.ok(op.handle, (String)reply);
        }
        else if (reply instanceof MachineFailure)
        {
            // The machine threw on every member alike: the command is applied as a no-op, definitely.
            history.fail(op.handle);
            failedOperations++;
        }
        else if (op.command instanceof SimKv.Cas)
        {
            history.ok(op.handle, (Boolean)reply);
        }
        else
        {
            history.ok(op.handle);
        }
        sim.schedule(sim.random.nextInt(20), () -> nextOp(op.clientId));
    }

    void retryOp(final long callId, final ServerId hint)
    {
        final PendingOp op = pendingOps.get(callId);
        if (null == op)
        {
            return;
        }
        op.target = null != hint ? hint : sim.nodes[sim.random.nextInt(sim.nodes.length)].id;
        final long delay = null != hint ? 0 : 20;
        sim.schedule(delay, () ->
        {
            if (pendingOps.containsKey(callId))
            {
                submit(callId, op);
            }
        });
    }

    void onCallFailed(final RaftAction.CallFailed failed)
    {
        final PendingOp op = pendingOps.get(failed.callId());
        if (null == op)
        {
            return;
        }
        if (null == op.command)
        {
            retryOp(failed.callId(), failed.leaderHint());
        }
        else
        {
            // Appended, then leadership was lost: it may or may not commit later.
            pendingOps.remove(failed.callId());
            history.unknown(op.handle);
            sim.schedule(sim.random.nextInt(20), () -> nextOp(op.clientId));
        }
    }
}
