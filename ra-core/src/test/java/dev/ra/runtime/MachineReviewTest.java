package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.ApplyResult;
import dev.ra.ClusterUnavailableException;
import dev.ra.CommandMeta;
import dev.ra.CommandResult;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.ThrowingMachine;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A misbehaving machine, query or effect takes nothing down: it fails, with a clear error, the caller that caused it,
 * and every member carries on (or, where the rule says the member stops, it stops rather than hanging).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MachineReviewTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Recurses until the stack overflows. */
    private static int bottomless(final int depth)
    {
        return 1 + bottomless(depth + 1);
    }

    /** A counter of any command whose overview recurses without end once it counted one. */
    public static final class BottomlessOverview implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1);
        }

        @Override
        public Map<String, Object> overview(final Long state)
        {
            // Not before the first command: awaiting a leader reads overviews.
            return 0L == state ? Map.of() : Map.of("depth", bottomless(0));
        }
    }

    /**
     * A query function (or a machine's overview) that overflows the stack must fail its caller only, like one that
     * throws a RuntimeException. Before, the StackOverflowError escaped {@code ParkedQueries.answer} (and
     * {@code ServerOverviews.of}) into the server's drain, which stopped the member as if its core had failed: a
     * read-only call stopped a healthy leader, and the caller itself waited for its timeout.
     */
    @Test
    void aQueryOrOverviewThatOverflowsTheStackFailsItsCallerOnlyAndTheMemberRunsOn()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("bottomless", new BottomlessOverview());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);
            node.processCommand(leader, "x", WAIT);

            final Throwable thrown = catchThrowable(() -> node.<Long, Integer>localQuery(leader, s -> bottomless(0),
                WAIT));
            assertThat(thrown).isInstanceOf(StackOverflowError.class);
            assertThat(node.isRunning(leader)).as("the member runs on after the query").isTrue();

            assertThat(node.overview(leader).machineOverview()).containsKey("error");
            assertThat(node.isRunning(leader)).as("the member runs on after the overview").isTrue();
            assertThat((Long)node.processCommand(leader, "x", WAIT).reply()).isEqualTo(2L);
        }
    }

    /** A counter whose overview has a null value (no owner yet), or is null itself once it counted two. */
    public static final class NullOverview implements StateMachine<Object, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1);
        }

        @Override
        public Map<String, Object> overview(final Long state)
        {
            if (state >= 2)
            {
                return null;
            }
            final Map<String, Object> overview = new HashMap<>();
            overview.put("applied", state);
            overview.put("owner", null);
            return overview;
        }
    }

    /**
     * A machine's overview is its own map, which may well say "not known yet" with a null value. The overview record
     * refuses null values, and the NullPointerException escaped into the server's drain, which stopped the member:
     * any overview (a metrics scrape, the admin endpoint's status, awaiting a leader) stopped every member of such a
     * cluster. Null values, and a null map, are left out of the overview; the member runs on.
     */
    @Test
    void anOverviewWithANullValueOrNoMapLeavesThemOutAndTheMemberRunsOn()
    {
        try (InJvmCluster cluster = new InJvmCluster(1))
        {
            final List<ServerId> members = cluster.startCluster("nulls", new NullOverview());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);

            assertThat(node.overview(leader).machineOverview()).containsExactly(Map.entry("applied", 0L));
            node.processCommand(leader, "x", WAIT);
            node.processCommand(leader, "x", WAIT);
            assertThat(node.overview(leader).machineOverview()).isEmpty();
            assertThat(node.isRunning(leader)).as("the member runs on after the overviews").isTrue();
            assertThat((Long)node.processCommand(leader, "x", WAIT).reply()).isEqualTo(3L);
        }
    }

    /** A counter whose apply fails an assertion (an Error, not a RuntimeException) on the command "assert". */
    public static final class AssertingMachine implements StateMachine<String, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final String command, final Long state)
        {
            if ("assert".equals(command))
            {
                throw new AssertionError("invariant broken at " + state);
            }
            return ApplyResult.of(state + 1, state + 1);
        }
    }

    /**
     * An Error from the machine (an assertion in apply) is not a command outcome, so the rule is that the member
     * stops, failing its calls. Before, the Error escaped the server's drain past its RuntimeException handler: the
     * server stayed registered and "running", its scheduled flag stuck, so it never ran again. Its caller waited for
     * its timeout, and a hung leader is never reported down to its followers: the cluster stalled.
     */
    @Test
    void anErrorFromApplyStopsTheMemberAndFailsItsCallerInsteadOfHangingIt()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.startCluster("asserting", new AssertingMachine());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final RaSystem node = cluster.system(leader);
            node.processCommand(leader, "x", WAIT);

            final Throwable thrown = catchThrowable(() -> node.processCommand(leader, "assert", WAIT));
            assertThat(thrown).isNotNull().isNotInstanceOf(RaTimeoutException.class);
            InJvmCluster.await(() -> node.isRunning(leader) ? null : Boolean.TRUE, WAIT, "the leader to stop");
        }
    }

    /** A machine whose init fails an assertion. */
    public static final class AssertingInit implements StateMachine<String, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            throw new AssertionError("init is broken");
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final String command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1);
        }
    }

    /**
     * An init that throws an Error fails the start at once, naming the failure. Before, the start task on the loop
     * caught RuntimeExceptions only: the start's future never completed, the servers stayed registered without a
     * core, and startCluster waited for its whole timeout to say only that nothing answered.
     */
    @Test
    void anInitThatThrowsAnErrorFailsTheStartAtOnce()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.serverIds("bad-init");
            final Throwable thrown = catchThrowable(() -> cluster.first().startCluster("bad-init",
                new AssertingInit(), members));
            assertThat(thrown).isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("init is broken");
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).as(member + " runs").isFalse();
            }
        }
    }

    /** A machine whose init throws. */
    public static final class ThrowingInit implements StateMachine<String, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            throw new IllegalStateException("init is broken");
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final String command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1);
        }
    }

    /**
     * A start that fails because the machine's init throws leaves nothing behind (docs/RUNTIME.md: the members the
     * call started are stopped and deleted), so the cluster can be formed again once the machine is fixed. Before,
     * a new server whose start failed on its loop kept its stored configuration: forming the cluster again failed
     * with "already has stored state", and some members were even still reported running after the failure.
     */
    @Test
    void aStartFailedByTheMachinesInitLeavesNothingBehindAndTheClusterCanBeFormedAgain()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final List<ServerId> members = cluster.serverIds("fixed");
            final Throwable thrown = catchThrowable(() -> cluster.first().startCluster("fixed", new ThrowingInit(),
                members));
            assertThat(thrown).isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("init is broken");
            for (final ServerId member : members)
            {
                assertThat(cluster.system(member).isRunning(member)).as(member + " runs").isFalse();
            }

            final ServerId leader = cluster.first().startCluster("fixed", new ThrowingMachine(), members);
            assertThat((Long)cluster.system(leader).processCommand(leader, "inc", WAIT).reply()).isEqualTo(1L);
        }
    }

    /** On any command (a process), asks for three effects that cannot run, then replies with the count. */
    public static final class FailingEffects implements StateMachine<ProcessRef, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final ProcessRef command, final Long state)
        {
            return ApplyResult.of(state + 1, state + 1, new Effect.ModCall("throwing", null),
                new Effect.ModCall("not-registered", null), new Effect.SendMsg(command, new Object()));
        }
    }

    /**
     * Effects that fail to run are counted in {@code effect_failures}, as docs/RUNTIME.md and MachineEffects say
     * ("a message the codec cannot encode, a handler that throws"). Before, MessageRouter.sendToProcess and
     * MachineEffects.modCall caught those failures themselves and only logged them, so the counter (the one signal a
     * monitoring system has of a machine whose effects fail) stayed 0.
     */
    @Test
    void effectsThatCannotRunAreCountedAsEffectFailures()
    {
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.modCallHandler("throwing", argument ->
        {
            throw new IllegalStateException("handler fails");
        })))
        {
            final List<ServerId> members = cluster.startCluster("effects", new FailingEffects());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            // A process on another node than the leader's: the message must be encoded, and cannot be.
            final ProcessRef remote = cluster.system(follower).spawn(message -> { }).ref();

            final CommandResult<Object> result = cluster.system(leader).processCommand(leader, remote, WAIT);
            assertThat(result.reply()).isEqualTo(1L);
            final ServerId applied = result.leader();
            assertThat(cluster.system(applied).overview(applied).counters().get("effect_failures")).isEqualTo(3L);
            assertThat(cluster.system(applied).isRunning(applied)).isTrue();
        }
    }

    /**
     * A mod-call handler that fails an assertion (an {@code Error}, not an exception) is contained like one that
     * throws: {@link dev.ra.Effect.ModCall} promises its handler's failure never affects the server. It used to pass
     * the effects' handler and reach the server's step, which stopped the leader, then each leader after it.
     */
    @Test
    void aModCallHandlerThatFailsAnAssertionDoesNotStopTheServer()
    {
        try (InJvmCluster cluster = new InJvmCluster(1, b -> b.modCallHandler("throwing", argument ->
        {
            throw new AssertionError("handler invariant broken");
        })))
        {
            final ServerId member = new ServerId("effects", "n1");
            cluster.first().startCluster("effects", new FailingEffects(), List.of(member));
            cluster.awaitLeader(List.of(member), WAIT);
            final ProcessRef local = cluster.first().spawn(message -> { }).ref();

            final CommandResult<Object> result = cluster.first().processCommand(member, local, WAIT);

            assertThat(result.reply()).isEqualTo(1L);
            assertThat(cluster.first().isRunning(member)).isTrue();
            assertThat(cluster.first().overview(member).counters().get("effect_failures")).isEqualTo(2L);
            assertThat(cluster.first().processCommand(member, local, WAIT).reply()).isEqualTo(2L);
        }
    }

    /** A counter that releases its log on every command. */
    public static class ReleasingCounter implements StateMachine<String, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final String command, final Long state)
        {
            final long next = state + 1;
            return ApplyResult.of(next, next, new Effect.ReleaseCursor(meta.index(), next));
        }
    }

    /** Declares a negative version, which the core takes as 0. */
    public static final class NegativeVersion extends ReleasingCounter
    {
        @Override
        public int version()
        {
            return -1;
        }
    }

    /**
     * A machine declaring a negative {@code version()} is taken as version 0 by the core ({@code MachineVersions}
     * clamps it), so its snapshots are of version 0. Before, VersionedStateCodec compared with the raw -1 and refused
     * to encode any snapshot "of version 0": no member ever snapshotted and the log grew without bound (and a snapshot
     * received from a leader would not have been decoded either).
     */
    @Test
    void aNegativeMachineVersionIsVersionZeroForSnapshotsToo()
    {
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.minSnapshotInterval(0)))
        {
            final List<ServerId> members = cluster.startCluster("negative", new NegativeVersion());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            awaitSnapshotsWhileWriting(cluster, members, leader);
        }
    }

    /** Declares version 1 but gives no logic for version 0, which {@code machineFor} must (it returns null). */
    public static final class MissingOlderLogic extends ReleasingCounter
    {
        @Override
        public int version()
        {
            return 1;
        }

        @Override
        public StateMachine<String, Long> machineFor(final int version)
        {
            return 1 == version ? this : null;
        }
    }

    /**
     * {@code machineFor} returns "never null", for every version from 0 to {@code version()}. A null was taken for
     * the build's newest logic, silently: a new cluster (at version 0 until every voter reports version 1) applied
     * version 1's logic where builds of version 0 apply theirs, and members of both builds diverge. Right: the server
     * does not start, naming the machine and the version it has no logic for.
     */
    @Test
    void aMachineWithoutTheLogicOfAnOlderVersionIsRefusedAtStart()
    {
        try (InJvmCluster cluster = new InJvmCluster(3))
        {
            final Throwable refused = catchThrowable(() -> cluster.startCluster("missing", new MissingOlderLogic()));

            assertThat(refused).isNotNull();
            assertThat(refused.getMessage()).contains(MissingOlderLogic.class.getName(), "machineFor(0) returned null");
        }
    }

    /** Its state codec fails an assertion (an Error) encoding the state 1, the first snapshot of every member. */
    public static final class AssertingStateCodec extends ReleasingCounter
    {
        @Override
        public Codec<Long> stateCodec()
        {
            return new Codec<>()
            {
                @Override
                public void encode(final Long value, final BufferWriter out)
                {
                    if (value == 1L)
                    {
                        throw new AssertionError("cannot encode 1");
                    }
                    out.writeLong(value);
                }

                @Override
                public Long decode(final BufferReader in)
                {
                    return in.readLong();
                }
            };
        }
    }

    /**
     * A state codec that throws an Error fails that snapshot only: the member hears SnapshotFailed and takes a later
     * release cursor. Before, SnapshotWork caught RuntimeExceptions only, the Error killed the background thread
     * without a word to the server, the core's "snapshot pending" flag stayed set, and that member never took a
     * snapshot again (its log grew without bound).
     */
    @Test
    void aStateCodecErrorFailsThatSnapshotOnlyAndLaterOnesAreWritten()
    {
        try (InJvmCluster cluster = new InJvmCluster(3, b -> b.minSnapshotInterval(0)))
        {
            final List<ServerId> members = cluster.startCluster("asserting-codec", new AssertingStateCodec());
            final ServerId leader = cluster.awaitLeader(members, WAIT);
            awaitSnapshotsWhileWriting(cluster, members, leader);
        }
    }

    /** Writes commands until every member took a snapshot (release cursors are hints, skipped while one is written). */
    private static void awaitSnapshotsWhileWriting(final InJvmCluster cluster, final List<ServerId> members,
        final ServerId leader)
    {
        final RaSystem node = cluster.system(leader);
        InJvmCluster.await(() ->
        {
            node.processCommand(leader, "x", WAIT);
            return members.stream().allMatch(m -> cluster.system(m).overview(m).snapshotIndex() > 0) ? Boolean.TRUE :
                null;
        }, WAIT, "every member to take a snapshot");
    }
}
