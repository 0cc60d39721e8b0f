package dev.ra.sim;

import dev.ra.codec.CodecException;
import dev.ra.core.CallError;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.ReplyMode;
import dev.ra.protocol.Member;
import dev.ra.sim.Simulation.Node;
import java.util.List;

/**
 * What the actions a member's core returns do in a {@link Simulation}: messages go to the network, entries to the
 * log (synced a little later), term and vote to durable storage, timers to the scheduler, replies to the clients,
 * snapshots to the snapshot store, and each is checked against the safety properties first where one applies. The
 * member the nemesis picked may crash part way through the actions of one step.
 */
final class SimActions
{
    private final Simulation sim;
    private final SimClients clients;
    private final SimNemesis nemesis;
    private int midStepCrashCount;

    SimActions(final Simulation sim, final SimClients clients, final SimNemesis nemesis)
    {
        this.sim = sim;
        this.clients = clients;
        this.nemesis = nemesis;
    }

    /**
     * @return how many times a member crashed part way through the actions of one step.
     */
    int midStepCrashCount()
    {
        return midStepCrashCount;
    }

    void execute(final Node node, final List<RaftAction> reused)
    {
        if (reused.isEmpty())
        {
            return;
        }
        final List<RaftAction> actions = List.copyOf(reused);
        if (null != node.core)
        {
            sim.require(sim.safety.checkNewLeaderReplicates(node.core, actions));
        }
        final long incarnation = node.incarnation;
        final int crashAfter = nemesis.midStepCrashPoint(node, actions.size());
        for (int i = 0; i < actions.size(); i++)
        {
            if (!node.alive || node.incarnation != incarnation)
            {
                return;
            }
            if (i == crashAfter)
            {
                // The process dies between two actions of one step: only a prefix of them took effect.
                sim.traceEvent(node, "CRASH after " + i + " of " + actions.size() + " actions");
                midStepCrashCount++;
                nemesis.crashAndRestart(node);
                return;
            }
            executeOne(node, actions.get(i));
        }
    }

    private void executeOne(final Node node, final RaftAction action)
    {
        if (action instanceof RaftAction.Send send)
        {
            sim.require(sim.safety.checkSent(sim.view(node), node.term, node.votedFor, send.to(), send.rpc()));
            sim.coverage().sent(send.rpc(), node.core);
            sim.sendRpc(node, send.to(), sim.builds.upgrading() ? SimWire.asReceived(send.rpc()) : send.rpc());
        }
        else if (action instanceof RaftAction.AppendToLog append)
        {
            node.log.append(append.entries());
            scheduleSync(node);
        }
        else if (action instanceof RaftAction.PersistTermAndVote persist)
        {
            node.term = persist.term();
            node.votedFor = persist.votedFor();
            sim.require(sim.safety.votePersisted(node.index, node.id, persist.term(), persist.votedFor()));
        }
        else if (action instanceof RaftAction.StorageRecovered)
        {
            node.damagedAcknowledged = 0;
            node.termAndVoteLost = false;
            sim.damage().recovered();
        }
        else if (action instanceof RaftAction.SetElectionTimer timer)
        {
            final long generation = ++node.timerGeneration;
            sim.scheduleTimer(node, timer.delayMs(), () -> node.timerGeneration == generation,
                new RaftEvent.ElectionTimeout());
        }
        else if (action instanceof RaftAction.CancelElectionTimer)
        {
            node.timerGeneration++;
        }
        else if (action instanceof RaftAction.SetCommitNoticeTimer timer)
        {
            final long generation = ++node.commitNoticeGeneration;
            sim.scheduleTimer(node, timer.delayMs(), () -> node.commitNoticeGeneration == generation,
                new RaftEvent.CommitNoticeDue());
        }
        else if (action instanceof RaftAction.ReplyToCaller reply)
        {
            clients.rememberLeader(reply.callId(), node.id);
            clients.completeOp(reply.callId(), reply.reply());
        }
        else if (action instanceof RaftAction.CommandNotTaken notTaken)
        {
            if (notTaken.replyMode() instanceof ReplyMode.AwaitConsensus await)
            {
                clients.retryOp(await.callId(), notTaken.leaderHint());
            }
        }
        else if (action instanceof RaftAction.QueryReady ready)
        {
            final SimKv.State state = (SimKv.State)node.core.machineState();
            sim.require(sim.safety.queryAnswered(node.index, node.core, ready.queryId()));
            clients.queryReady(ready.queryId(), node.id, state);
        }
        else if (action instanceof RaftAction.CallFailed failed)
        {
            // The simulation's load is far below the default limit of what a leader holds not yet applied: an
            // overload refusal would mean the count leaks (never taken from, or counted twice).
            sim.require(CallError.OVERLOADED == failed.error() ? "overload: " + node.id + " refused a command: " +
                failed.detail() : null);
            nemesis.callFailed(failed.callId());
            clients.onCallFailed(failed);
        }
        else if (action instanceof RaftAction.CallCompleted completed)
        {
            nemesis.callCompleted(completed);
        }
        else if (action instanceof RaftAction.WriteSnapshot write)
        {
            sim.require(sim.safety.snapshotRequested(sim.view(node), write.meta()));
            final byte[] data = sim.stateCodec.toBytes(write.machineState());
            final long incarnation = node.incarnation;
            sim.schedule(sim.random.nextInt(5), () ->
            {
                if (node.alive && node.incarnation == incarnation)
                {
                    node.snapshots.write(write.meta(), dev.ra.codec.Bytes.wrap(data));
                    sim.deliver(node, new RaftEvent.SnapshotWritten(write.meta()));
                }
            });
        }
        else if (action instanceof RaftAction.TruncateLogUpTo truncate)
        {
            node.log.truncateUpTo(truncate.index());
        }
        else if (action instanceof RaftAction.InstallSnapshot install)
        {
            final Object state = sim.stateCodec.fromBytes(install.data().unsafeArray());
            node.snapshots.write(install.meta(), install.data());
            node.log.resetTo(install.meta().index(), install.meta().term());
            sim.deliver(node, new RaftEvent.SnapshotInstalled(install.meta(), state));
        }
        else if (action instanceof RaftAction.Terminate)
        {
            sim.traceEvent(node, "TERMINATE");
            node.alive = false;
            node.member = false;
        }
        else if (action instanceof RaftAction.MachineVersionUnsupported unsupported)
        {
            // As documented (docs/UPGRADES.md): a non-voter whose build is older than a switch stops applying there,
            // and the operator restarts it with a newer build. A voter never may: the leader waits for every voter.
            // A voter of the newest configuration, that of the most up-to-date log among the live members (where
            // configurations take effect once appended), whose voters a leader waits for: one that stops before it
            // has the entry that added it (on the snapshot it is sent) does not know it is one yet. Its own
            // configuration can be older, as can a stale leader's: a server removed and added back as promotable (its
            // build older than the log's version) can install a snapshot whose members list it as the voter it was
            // before its removal (simulation seed 411272 of the voters-added mode, a leader of term 1 cut off and the
            // leader of term 3 crashed a moment before).
            final boolean voter = isVoter(mostUpToDate(node).core.members(), node);
            // Unless it was rolled back to the older build after the switch (SimBuilds.rollBackSome): only it.
            sim.require(voter && !node.rolledBack ? "machine versions: a voter stopped applying: " +
                unsupported.message() : null);
            sim.builds.votersStopped += voter ? 1 : 0;
            sim.upgradeByOperator(node, 100 + sim.random.nextInt(400), -1);
        }
        else if (action instanceof RaftAction.RetireMember retire)
        {
            // The nemesis retires (or keeps) removed members itself; the retirement is checked after the step.
            sim.retirements.asked(node.core, retire, sim.safety.maxCommitted());
        }
        else if (action instanceof RaftAction.MachineFailed failed)
        {
            // Only the poisoned values make the register machine throw: a command that does not decode with the
            // version it is applied with was encoded with another version's codec (see SimKvCommandCodec).
            sim.require(CodecException.class.getName().equals(failed.failure().exceptionClass()) ?
                "command codec: " + node.core + " cannot decode the command at index " + failed.failure().index() +
                " with machine version " + node.core.effectiveMachineVersion() + ": " + failed.failure().message() :
                null);
        }
        else if (action instanceof RaftAction.RoleChanged || action instanceof RaftAction.MachineEffects ||
            action instanceof RaftAction.NotifyApplied)
        {
            // Nothing to do in the simulation: the register machine has no effects beyond release cursors.
            return;
        }
        else
        {
            throw new IllegalStateException("unhandled action " + action);
        }
    }

    private Node mostUpToDate(final Node fallback)
    {
        Node best = fallback;
        for (final Node candidate : sim.nodes)
        {
            if (!candidate.alive || null == candidate.core)
            {
                continue;
            }
            final boolean laterTerm = candidate.core.lastTerm() > best.core.lastTerm();
            final boolean longerInTerm = candidate.core.lastTerm() == best.core.lastTerm() &&
                candidate.core.lastIndex() > best.core.lastIndex();
            if (laterTerm || longerInTerm)
            {
                best = candidate;
            }
        }
        return best;
    }

    private static boolean isVoter(final List<Member> members, final Node node)
    {
        return members.stream().anyMatch(m -> m.id().equals(node.id) && m.isVoter());
    }

    private void scheduleSync(final Node node)
    {
        if (node.syncScheduled)
        {
            return;
        }
        node.syncScheduled = true;
        final long incarnation = node.incarnation;
        sim.schedule(1 + sim.random.nextInt(sim.random.nextInt(4) == 0 ? 30 : 4), () ->
        {
            if (!node.alive || node.incarnation != incarnation)
            {
                return;
            }
            node.syncScheduled = false;
            final long durable = sim.options.lyingDisk() ? node.log.lastIndex() : node.log.sync();
            sim.deliver(node, new RaftEvent.LogWritten(durable, node.log.term(durable)));
        });
    }
}
