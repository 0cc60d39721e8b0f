package dev.ra.examples.latch;

import dev.ra.ProcessRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plain sequential model the {@link LatchMachine} is checked against: mutable maps and lists, no log, no
 * effects, no codecs; just what a single-threaded latch and barrier would do, plus the retry rules (request ids,
 * remembered generations) written the obvious way.
 */
final class LatchModel
{
    // Insertion-ordered, as the machine's maps are: a process down at several barriers is told in that order.
    private final Map<String, ModelLatch> latches = new LinkedHashMap<>();
    private final Map<String, ModelBarrier> barriers = new LinkedHashMap<>();
    private final List<Sent> sent = new ArrayList<>();

    /**
     * A message the model expects the machine to send.
     */
    record Sent(ProcessRef to, Object message)
    {
    }

    /**
     * @return the messages sent by the last step, and forgets them.
     */
    List<Sent> drainSent()
    {
        final List<Sent> drained = List.copyOf(sent);
        sent.clear();
        return drained;
    }

    /**
     * @return every process that waits and so must be monitored by the leader.
     */
    Set<ProcessRef> watched()
    {
        final Set<ProcessRef> watched = new HashSet<>();
        latches.values().forEach(l -> watched.addAll(l.waiters));
        barriers.values().stream().filter(b -> !b.broken).forEach(b -> watched.addAll(b.waiting));
        return watched;
    }

    Object apply(final LatchCommand command)
    {
        if (command instanceof LatchCommand.TrySetCount set)
        {
            final ModelLatch latch = latches.computeIfAbsent(set.name(), n -> new ModelLatch());
            if (latch.setters.contains(set.requestId()))
            {
                return true;
            }
            if (latch.count > 0)
            {
                return false;
            }
            latch.count = set.count();
            latch.round++;
            latch.setters.addLast(set.requestId());
            if (latch.setters.size() > LatchMachine.SETTERS_KEPT)
            {
                latch.setters.removeFirst();
            }
            latch.counted.clear();
            return true;
        }
        if (command instanceof LatchCommand.CountDown down)
        {
            final ModelLatch latch = latches.get(down.name());
            if (null == latch)
            {
                return 0L;
            }
            if (latch.round == down.expectedRound() && latch.count > 0 && latch.counted.add(down.requestId()))
            {
                latch.count--;
                if (0 == latch.count)
                {
                    latch.waiters.forEach(w -> sent.add(new Sent(w, new LatchOpened(down.name(), latch.round))));
                    latch.waiters.clear();
                }
            }
            return latch.count;
        }
        if (command instanceof LatchCommand.Await await)
        {
            final ModelLatch latch = latches.computeIfAbsent(await.name(), n -> new ModelLatch());
            if (0 == latch.count)
            {
                return new LatchReply.Opened(latch.round);
            }
            latch.waiters.add(await.waiter());
            return new LatchReply.Waiting(latch.round, latch.count);
        }
        if (command instanceof LatchCommand.CancelAwait cancel)
        {
            final ModelLatch latch = latches.get(cancel.name());
            return null != latch && latch.waiters.remove(cancel.waiter());
        }
        if (command instanceof LatchCommand.BarrierAwait await)
        {
            return barrierAwait(await);
        }
        if (command instanceof LatchCommand.BarrierLeave leave)
        {
            return barrierLeave(leave);
        }
        final LatchCommand.BarrierReset reset = (LatchCommand.BarrierReset)command;
        final ModelBarrier barrier = barriers.get(reset.name());
        if (null == barrier)
        {
            return 0L;
        }
        final Ended retried = barrier.ended.stream().filter(e -> e.resetBy().equals(reset.requestId())).findFirst()
            .orElse(null);
        if (null != retried)
        {
            return retried.generation() + 1;
        }
        if (!barrier.broken)
        {
            barrier.waiting.forEach(p -> sent.add(new Sent(p, new BarrierBroken(reset.name(), barrier.generation))));
        }
        barrier.end(false, reset.requestId());
        return barrier.generation;
    }

    void down(final ProcessRef process)
    {
        latches.values().forEach(latch -> latch.waiters.remove(process));
        barriers.forEach((name, barrier) ->
        {
            if (!barrier.broken && barrier.waiting.contains(process))
            {
                breakFor(name, barrier, process);
            }
        });
    }

    private Object barrierAwait(final LatchCommand.BarrierAwait await)
    {
        final ModelBarrier barrier = barriers.computeIfAbsent(await.name(), n -> new ModelBarrier(await.parties()));
        if (barrier.parties != await.parties())
        {
            return new BarrierReply.Rejected("barrier '" + await.name() + "' has " + barrier.parties +
                " parties, not " + await.parties());
        }
        final Ended ended = barrier.endedWith(await.party());
        if (null != ended)
        {
            return ended.reply();
        }
        if (barrier.broken)
        {
            return new BarrierReply.Broken(barrier.generation);
        }
        if (!barrier.waiting.contains(await.party()))
        {
            barrier.waiting.add(await.party());
        }
        if (barrier.waiting.size() < barrier.parties)
        {
            return new BarrierReply.Waiting(barrier.generation, barrier.waiting.size());
        }
        final long tripped = barrier.generation;
        barrier.waiting.forEach(p -> sent.add(new Sent(p, new BarrierTripped(await.name(), tripped))));
        barrier.end(true, "");
        return new BarrierReply.Tripped(tripped);
    }

    private Object barrierLeave(final LatchCommand.BarrierLeave leave)
    {
        final ModelBarrier barrier = barriers.get(leave.name());
        final BarrierReply notWaiting =
            new BarrierReply.Rejected(leave.party() + " does not wait at barrier '" + leave.name() + "'");
        if (null == barrier)
        {
            return notWaiting;
        }
        final Ended ended = barrier.endedWith(leave.party());
        if (null != ended)
        {
            return ended.reply();
        }
        if (!barrier.waiting.contains(leave.party()))
        {
            return notWaiting;
        }
        if (!barrier.broken)
        {
            breakFor(leave.name(), barrier, leave.party());
        }
        return new BarrierReply.Broken(barrier.generation);
    }

    private void breakFor(final String name, final ModelBarrier barrier, final ProcessRef cause)
    {
        barrier.broken = true;
        barrier.waiting.stream().filter(p -> !p.equals(cause))
            .forEach(p -> sent.add(new Sent(p, new BarrierBroken(name, barrier.generation))));
    }

    /**
     * A latch: count, round, who set its recent rounds, who counted down this round, who waits.
     */
    private static final class ModelLatch
    {
        private long count;
        private long round;
        private final Deque<String> setters = new ArrayDeque<>();
        private final Set<String> counted = new HashSet<>();
        private final Set<ProcessRef> waiters = new LinkedHashSet<>();
    }

    /**
     * A generation that ended, with its parties.
     */
    private record Ended(long generation, boolean tripped, Set<ProcessRef> parties, String resetBy)
    {
        BarrierReply reply()
        {
            return tripped ? new BarrierReply.Tripped(generation) : new BarrierReply.Broken(generation);
        }
    }

    /**
     * A barrier: parties, generation, broken flag, who waits, and the generations it still remembers.
     */
    private static final class ModelBarrier
    {
        private final int parties;
        private long generation = 1;
        private boolean broken;
        private final List<ProcessRef> waiting = new ArrayList<>();
        private final Deque<Ended> ended = new ArrayDeque<>();

        ModelBarrier(final int parties)
        {
            this.parties = parties;
        }

        Ended endedWith(final ProcessRef party)
        {
            return ended.stream().filter(e -> e.parties().contains(party)).findFirst().orElse(null);
        }

        void end(final boolean tripped, final String resetBy)
        {
            ended.addLast(new Ended(generation, tripped, new HashSet<>(waiting), resetBy));
            if (ended.size() > LatchMachine.ENDED_GENERATIONS_KEPT)
            {
                ended.removeFirst();
            }
            waiting.clear();
            broken = false;
            generation++;
        }
    }
}
