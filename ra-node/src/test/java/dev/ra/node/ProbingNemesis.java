package dev.ra.node;

import dev.ra.MemberChange;
import dev.ra.MemberKind;
import dev.ra.MembershipChangeException;
import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.lincheck.History;
import dev.ra.lincheck.RecordedCalls;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The faults of {@link LinearizabilityMultiProcessTest}, on the {@code kv} cluster of a {@link Deployment}: one per
 * round, each healed before the next, so that the cluster keeps a majority most of the time and the clients'
 * operations keep completing around the faults. Five kinds, each once per five rounds in a seeded order: {@code kill
 * -9} and restart from disk, SIGSTOP for longer than an election timeout, cut off from the peers (connections closed),
 * silenced (connections up, frames lost both ways: only silence tells), and removed then added back under the same
 * id. The target is the leader, where a fault tests most (a kill sometimes hits a follower, and one in four kills
 * every node at once).
 *
 * <p>While a node is paused, cut off or silenced, the nemesis writes a key through the other members and, once that
 * is acknowledged, reads it through that node, recording both in the history: a former leader that answered before
 * learning of its successor would return the value from before the write, a stale read.
 */
final class ProbingNemesis
{
    /** The kinds of fault, each run once per {@code values().length} rounds. */
    private enum Fault
    {
        /** {@code kill -9} and restart from disk (sometimes every node). */
        KILL,
        /** SIGSTOP, then SIGCONT. */
        PAUSE,
        /** Connections closed and refused. */
        CUT_OFF,
        /** Connections up, frames lost both ways. */
        SILENCE,
        /** Removed and added back under the same id. */
        RE_ADD
    }

    /** Client ids of the probes, one per operation, after the clients'. */
    private static final int FIRST_PROBE_CLIENT = 100;
    private static final int PROBE_READS = 3;
    private static final Duration PROBE_WRITE_TIMEOUT = Duration.ofSeconds(2);
    /** Longer than the longest fault, so that a probe sent during one completes after it heals. */
    private static final Duration PROBE_READ_TIMEOUT = Duration.ofSeconds(6);
    /** Deployment's election timeout range is 300-600 ms: a pause of this length outlasts it. */
    private static final long PAUSE_MS = 1500;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Deployment d;
    private final History history;
    private final List<String> keys;
    private final SplittableRandom random;
    private final List<String> faults = new ArrayList<>();
    private int nextProbeClient = FIRST_PROBE_CLIENT;

    /**
     * @param d       the deployment.
     * @param history where the probes are recorded.
     * @param keys    the probes write and read.
     * @param seed    of the faults' order, targets and durations.
     */
    ProbingNemesis(final Deployment d, final History history, final List<String> keys, final long seed)
    {
        this.d = d;
        this.history = history;
        this.keys = keys;
        this.random = new SplittableRandom(seed);
    }

    /**
     * @return the faults run so far, e.g. {@code [kill -9 n1, silence n2]}.
     */
    List<String> faults()
    {
        return faults;
    }

    /**
     * @param rounds of faults to run.
     * @throws InterruptedException if interrupted.
     */
    void run(final int rounds) throws InterruptedException
    {
        final List<Fault> kinds = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            if (kinds.isEmpty())
            {
                kinds.addAll(List.of(Fault.values()));
                for (int i = kinds.size() - 1; i > 0; i--)
                {
                    kinds.set(i, kinds.set(random.nextInt(i + 1), kinds.get(i)));
                }
            }
            final Fault kind = kinds.remove(kinds.size() - 1);
            Thread.sleep(800 + random.nextInt(700));
            final ServerId leader = d.leaderOf("kv", List.of());
            final List<String> nodes = new ArrayList<>(d.nodes.keySet());
            final String target = null == leader || kind == Fault.KILL && random.nextInt(3) == 0 ?
                nodes.get(random.nextInt(nodes.size())) : leader.node();
            final NodeJvm node = d.node(target);
            final List<String> others = new ArrayList<>(nodes);
            others.remove(target);
            switch (kind)
            {
                case KILL ->
                {
                    // Sometimes every node at once: the cluster restarts from its disks alone.
                    final List<String> killed = random.nextInt(4) == 0 ? nodes : List.of(target);
                    faults.add("kill -9 " + String.join(" ", killed));
                    killed.forEach(each -> d.node(each).kill());
                    Thread.sleep(500 + random.nextInt(1500));
                    killed.forEach(each -> d.node(each).start());
                    d.awaitClientConnected();
                }
                case PAUSE -> probed("SIGSTOP", target, PAUSE_MS + random.nextInt(1000), () -> node.signal("STOP"),
                    () -> node.signal("CONT"));
                case CUT_OFF -> probed("isolate", target, 1000 + random.nextInt(1500),
                    () -> others.forEach(other -> node.command("block " + other)),
                    () -> others.forEach(other -> node.command("unblock " + other)));
                case SILENCE -> probed("silence", target, 1000 + random.nextInt(1500),
                    () -> others.forEach(other -> mute(other, target, "mute")),
                    () -> others.forEach(other -> mute(other, target, "unmute")));
                case RE_ADD -> removeAndAddBack(target);
                default -> throw new IllegalStateException("unknown fault " + kind);
            }
        }
        Thread.sleep(1000);
    }

    /**
     * Remove the target's member (the leader, most often: it steps down once its removal commits), which stops and
     * deletes its data, then add it back under the same id and start it, from the client node, with the change that
     * added it (its join point). Each change is asked again while there is no leader; one not completed within the
     * wait fails the test.
     */
    private void removeAndAddBack(final String target)
    {
        faults.add("re-add " + target);
        final ServerId member = new ServerId("kv", target);
        final ServerId entry = new ServerId("kv", d.nodes.keySet().stream().filter(node -> !node.equals(target))
            .findFirst().orElseThrow());
        remove(entry, member);
        InJvmCluster.await(() -> runs(target) ? null : Boolean.TRUE, WAIT, member + " to stop once removed");
        final MemberChange added = InJvmCluster.await(() ->
        {
            try
            {
                return d.client.addMemberAsync(entry, member, MemberKind.PROMOTABLE).get();
            }
            catch (final ExecutionException ex)
            {
                if (ex.getCause() instanceof MembershipChangeException refused &&
                    refused.reason() == MembershipChangeException.Reason.ALREADY_MEMBER)
                {
                    // An earlier try took effect without telling: its change is unknown, so undone and tried again.
                    remove(entry, member);
                }
                // Otherwise no leader yet (after the leader's own removal), or it lost its leadership: asked again.
                return null;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }, WAIT, member + " to be added back");
        d.client.startServer("kv", "kv", member, d.members("kv"), added);
        InJvmCluster.await(() -> runs(target) ? Boolean.TRUE : null, WAIT, member + " to run again");
    }

    /**
     * Remove a member, asking again while there is no leader or the outcome is unknown, until it is not a member.
     */
    private void remove(final ServerId entry, final ServerId member)
    {
        InJvmCluster.await(() ->
        {
            try
            {
                d.client.removeMember(entry, member);
                return Boolean.TRUE;
            }
            catch (final MembershipChangeException ex)
            {
                return ex.reason() == MembershipChangeException.Reason.NOT_MEMBER ? Boolean.TRUE : null;
            }
            catch (final RaException ex)
            {
                return null;
            }
        }, WAIT, member + " to be removed");
    }

    private boolean runs(final String node)
    {
        return d.status(new ServerId("kv", node)).isPresent();
    }

    private void mute(final String one, final String other, final String command)
    {
        d.node(one).command(command + " " + other);
        d.node(other).command(command + " " + one);
    }

    private void probed(final String fault, final String target, final long lastsMs, final Runnable start,
        final Runnable heal) throws InterruptedException
    {
        faults.add(fault + " " + target);
        start.run();
        final List<CompletableFuture<?>> probes;
        try
        {
            Thread.sleep(lastsMs);
            probes = probe(target);
        }
        finally
        {
            heal.run();
        }
        for (final CompletableFuture<?> probe : probes)
        {
            try
            {
                probe.join();
            }
            catch (final CompletionException expected)
            {
                // Recorded as failed: a read that was refused or timed out has no effect.
            }
        }
    }

    /**
     * Write through the others' leader, then send reads of that key to {@code target}; they complete after the fault
     * heals. None if the others have no leader yet or the write is not acknowledged.
     */
    private List<CompletableFuture<?>> probe(final String target)
    {
        final List<CompletableFuture<?>> probes = new ArrayList<>();
        final ServerId leader = d.leaderOf("kv", List.of(target));
        final String key = keys.get(nextProbeClient % keys.size());
        final String value = "probe-" + nextProbeClient;
        if (null == leader || !RecordedCalls.write(history, nextProbeClient++, key, value,
            () -> d.client.processCommand(leader, new KvMachine.Put(key, value), PROBE_WRITE_TIMEOUT)))
        {
            return probes;
        }
        final ServerId at = new ServerId("kv", target);
        for (int i = 0; i < PROBE_READS; i++)
        {
            final var read = history.invokeRead(nextProbeClient++, key);
            probes.add(d.client.<String>namedQueryAsync(at, "get", key, true, PROBE_READ_TIMEOUT).whenComplete(
                (result, failure) ->
                {
                    if (null == failure)
                    {
                        history.ok(read, result.result());
                    }
                    else
                    {
                        history.fail(read);
                    }
                }));
        }
        return probes;
    }
}
