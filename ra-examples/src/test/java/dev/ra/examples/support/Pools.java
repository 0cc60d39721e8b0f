package dev.ra.examples.support;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.testkit.property.Gen;
import java.util.List;

/**
 * Small pools of values for property tests: few processes on few nodes and few keys, so random sequences collide
 * (the same process acquiring twice, a holder dying while it waits elsewhere) instead of touching disjoint data.
 */
public final class Pools
{
    /** Node ids used by the pools. */
    public static final String[] NODES = {"n1", "n2", "n3"};

    private Pools()
    {
    }

    /**
     * @return one of six processes on three nodes.
     */
    public static Gen<ProcessRef> processes()
    {
        final Gen<String> nodes = nodes();
        final Gen<Long> ids = Gen.longs(1, 2);
        return c -> new ProcessRef(nodes.next(c), ids.next(c));
    }

    /**
     * @return the number of a call of one of two clients, among the first few, so that retries, stale attempts and
     *     calls under way at once all come up.
     */
    public static Gen<CommandNumber> commandNumbers()
    {
        final Gen<String> clients = Gen.of("c1", "c2");
        final Gen<Long> numbers = Gen.longs(1, 8);
        return c ->
        {
            final long number = numbers.next(c);
            final long firstUnanswered = Gen.longs(1, number).next(c);
            return new CommandNumber(clients.next(c), number, firstUnanswered);
        };
    }

    /**
     * @return one of three keys.
     */
    public static Gen<String> keys()
    {
        return Gen.of("a", "b", "c");
    }

    /**
     * @return a node id.
     */
    public static Gen<String> nodes()
    {
        return Gen.of(NODES);
    }

    /**
     * @param timerNames names of the timeouts.
     * @return any builtin command about the pooled processes and nodes, including timeouts with {@code timerNames}.
     */
    public static Gen<BuiltinCommand> builtins(final Gen<String> timerNames)
    {
        final Gen<ProcessRef> processes = processes();
        final Gen<DownReason> reasons = Gen.of(DownReason.class);
        return Gen.<BuiltinCommand>oneOf(
            c -> new BuiltinCommand.Down(processes.next(c), reasons.next(c)),
            nodes().map(BuiltinCommand.NodeUp::new),
            nodes().map(BuiltinCommand.NodeDown::new),
            timerNames.map(BuiltinCommand.Timeout::new));
    }

    /**
     * @return a role change, mostly to leader (the interesting one).
     */
    public static Gen<RaftRole> roles()
    {
        return Gen.frequency(
            Gen.weight(3, Gen.constant(RaftRole.LEADER)),
            Gen.weight(1, Gen.of(RaftRole.FOLLOWER, RaftRole.CANDIDATE)));
    }

    /**
     * @param payloads to wrap.
     * @return inputs with a small random clock advance.
     */
    public static Gen<Input> inputs(final Gen<?> payloads)
    {
        final Gen<Long> advances = Gen.longs(0, 5_000);
        return c -> new Input(payloads.next(c), advances.next(c));
    }

    /**
     * @param inputs sequences of inputs.
     * @param maxCut largest snapshot point.
     * @return a sequence with a snapshot point in [0, maxCut].
     */
    public static Gen<CutInputs> withCut(final Gen<List<Input>> inputs, final int maxCut)
    {
        final Gen<Integer> cuts = Gen.ints(0, maxCut);
        return c -> new CutInputs(inputs.next(c), cuts.next(c));
    }
}
