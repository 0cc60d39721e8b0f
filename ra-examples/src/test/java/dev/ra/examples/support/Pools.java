package dev.ra.examples.support;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.RaftState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

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
    public static Arbitrary<ProcessRef> processes()
    {
        return Combinators.combine(Arbitraries.of(NODES), Arbitraries.longs().between(1, 2)).as(ProcessRef::new);
    }

    /**
     * @return one of three keys.
     */
    public static Arbitrary<String> keys()
    {
        return Arbitraries.of("a", "b", "c");
    }

    /**
     * @return a node id.
     */
    public static Arbitrary<String> nodes()
    {
        return Arbitraries.of(NODES);
    }

    /**
     * @return any builtin command about the pooled processes and nodes, including timeouts with {@code timerNames}.
     */
    public static Arbitrary<BuiltinCommand> builtins(final Arbitrary<String> timerNames)
    {
        return Arbitraries.oneOf(
            Combinators.combine(processes(), Arbitraries.of(DownReason.class)).as(BuiltinCommand.Down::new),
            nodes().map(BuiltinCommand.NodeUp::new),
            nodes().map(BuiltinCommand.NodeDown::new),
            timerNames.map(BuiltinCommand.Timeout::new));
    }

    /**
     * @return a role change, mostly to leader (the interesting one).
     */
    public static Arbitrary<RaftState> roles()
    {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.just(RaftState.LEADER)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(RaftState.FOLLOWER, RaftState.CANDIDATE)));
    }

    /**
     * @param payloads to wrap.
     * @return inputs with a small random clock advance.
     */
    public static Arbitrary<Input> inputs(final Arbitrary<?> payloads)
    {
        return Combinators.combine(payloads, Arbitraries.longs().between(0, 5_000)).as(Input::new);
    }
}
