package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.MemberChange;
import dev.ra.MemberKind;
import dev.ra.ProcessRef;
import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reads and processes in the runtime: bugs found in review, each shown by a test that failed before its fix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadReviewTest
{
    /**
     * A process whose handler throws an {@link Error} (a failed assertion, a stack overflow) was wedged for ever:
     * {@code LocalProcess.run} caught only {@link RuntimeException}s, so the Error left {@code run} with the process
     * still marked scheduled, and no later message was ever handled, while the process still said it was alive and
     * its monitors never fired. Right: as for an exception, the handler's failure is logged and the next messages are
     * handled.
     */
    @Test
    void aHandlerThatThrowsAnErrorDoesNotWedgeItsProcess() throws Exception
    {
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        try
        {
            final ProcessRegistry registry = new ProcessRegistry("n1", executor,
                (process, reason, watcher) -> { });
            final List<Object> handled = new CopyOnWriteArrayList<>();
            final RaProcess process = registry.spawn(message ->
            {
                if ("boom".equals(message))
                {
                    throw new AssertionError("the handler's assertion failed");
                }
                handled.add(message);
            }, null);

            registry.deliver(process.ref(), "boom");
            // Wait until the failed message was taken, so that "after" is sent once the Error is thrown.
            InJvmCluster.await(() -> executorIdle(executor) ? Boolean.TRUE : null, Duration.ofSeconds(10),
                "the process's first message to be handled");
            registry.deliver(process.ref(), "after");

            InJvmCluster.await(() -> handled.contains("after") ? Boolean.TRUE : null, Duration.ofSeconds(10),
                "the process to handle the message sent after its handler threw an Error");
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    /**
     * Monitoring a process that does not exist (ended, of another incarnation of the node, or never spawned) answered
     * NOPROC but left an empty entry for it in {@code ProcessRegistry.monitors}, never removed: nothing ever ends a
     * process that does not exist. A machine that watches the processes of a node that restarted, or another node
     * sending monitors of dead processes, grows the map without bound. Demonitoring the last watcher left the entry
     * as well. Right: the registry keeps entries only for processes that are watched.
     */
    @Test
    void monitorsOfProcessesThatDoNotExistHoldNothing() throws Exception
    {
        final List<DownReason> reported = new CopyOnWriteArrayList<>();
        final ProcessRegistry registry = new ProcessRegistry("n1", Runnable::run,
            (process, reason, watcher) -> reported.add(reason));
        final ServerId watcher = new ServerId("kv", "n2");
        for (int i = 0; i < 1_000; i++)
        {
            registry.monitor(new ProcessRef("n1", 42 + i), watcher);
        }
        assertThat(reported).hasSize(1_000).containsOnly(DownReason.NOPROC);

        final RaProcess alive = registry.spawn(message -> { }, null);
        registry.monitor(alive.ref(), watcher);
        registry.demonitor(alive.ref(), watcher);

        assertThat(monitors(registry).size()).as("monitor entries held").isZero();
        alive.close();
        assertThat(reported).hasSize(1_000);
    }

    /**
     * A member that stopped applying (its build does not support the machine version the cluster switched to; it
     * says so in its overview) will never apply the index a query waits for, yet a consistent query through it, or a
     * local query waiting for a later index, waited in {@code ParkedQueries} for its whole timeout and then failed
     * with a {@link RaTimeoutException} that tells nothing. Right: such a query fails at once, with the member's
     * reason.
     */
    @Test
    void aQueryOnAMemberThatStoppedApplyingFailsAtOnceWithTheReason()
    {
        final List<String> nodes = List.of("n1", "n2", "n3", "n4");
        try (InJvmCluster cluster = new InJvmCluster(nodes, (node, builder) ->
            builder.registerMachine("counter", () -> new VersionedCounter("n4".equals(node) ? 0 : 1))))
        {
            final List<ServerId> voters = List.of(new ServerId("c", "n1"), new ServerId("c", "n2"),
                new ServerId("c", "n3"));
            final RaSystem first = cluster.system("n1");
            first.startCluster("c", "counter", voters);
            cluster.awaitLeader(voters, Duration.ofSeconds(10));
            final ServerId old = new ServerId("c", "n4");
            final MemberChange change = first.addMemberAsync(voters.get(0), old, MemberKind.PROMOTABLE).join();
            final RaSystem oldNode = cluster.system("n4");
            oldNode.startServer("c", "counter", old, List.of(voters.get(0), voters.get(1), voters.get(2), old),
                change);
            // Every voter supports version 1: the leader switches, and the member of the older build stops applying.
            first.processCommand(voters.get(0), 1L);
            InJvmCluster.await(() -> null != oldNode.overview(old).machineVersion().error() ? Boolean.TRUE : null,
                Duration.ofSeconds(60), "the member of the older build to stop applying");
            final long applied = oldNode.overview(old).lastApplied();

            final Duration timeout = Duration.ofSeconds(15);
            final long startNanos = System.nanoTime();
            assertThatThrownBy(() -> oldNode.consistentQuery(old, (Long s) -> s, timeout))
                .isInstanceOf(RaException.class).isNotInstanceOf(RaTimeoutException.class)
                .hasMessageContaining("machine version");
            assertThatThrownBy(() -> oldNode.localQuery(old, (Long s) -> s, applied + 1, 0, timeout))
                .isInstanceOf(RaException.class).isNotInstanceOf(RaTimeoutException.class)
                .hasMessageContaining("machine version");
            assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(timeout);
        }
    }

    /**
     * A member restarted with a build older than the version of its own snapshot stops applying without decoding the
     * snapshot: it holds no machine state. A local query through it ran the caller's function on null all the same,
     * and answered null as the state (a named query called the machine's {@code query} with null). Right: it fails
     * with the member's reason, as a query waiting for a later index does.
     */
    @Test
    void aMemberStartedOnASnapshotOfANewerVersionAnswersNoQueryFromAStateItDoesNotHold()
    {
        final Map<String, Integer> builds = new ConcurrentHashMap<>(Map.of("n1", 1, "n2", 1, "n3", 1));
        try (InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
            builder.minSnapshotInterval(0).registerMachine("counter",
                () -> new VersionedCounter(builds.get(node), true))))
        {
            final List<ServerId> voters = List.of(new ServerId("c", "n1"), new ServerId("c", "n2"),
                new ServerId("c", "n3"));
            final RaSystem first = cluster.system("n1");
            first.startCluster("c", "counter", voters);
            cluster.awaitLeader(voters, Duration.ofSeconds(10));
            final ServerId rolledBack = voters.get(2);
            for (int i = 0; i < 5; i++)
            {
                first.processCommand(voters.get(0), 1L);
            }
            InJvmCluster.await(() -> cluster.system("n3").overview(rolledBack).snapshotIndex() > 0 &&
                cluster.system("n3").overview(rolledBack).machineVersion().effective() == 1 ? Boolean.TRUE : null,
                Duration.ofSeconds(20), "n3 to take a snapshot at version 1");

            cluster.stopNode("n3");
            builds.put("n3", 0);
            final RaSystem n3 = cluster.startNode("n3");
            InJvmCluster.await(() -> stoppedApplying(n3, rolledBack) ? Boolean.TRUE : null, Duration.ofSeconds(20),
                "the member of the older build to stop applying");

            final Duration timeout = Duration.ofSeconds(15);
            assertThatThrownBy(() -> n3.localQuery(rolledBack, (Long s) -> s, 0, 0, timeout))
                .isInstanceOf(RaException.class).isNotInstanceOf(RaTimeoutException.class)
                .hasMessageContaining("machine version");
            assertThat(first.localQuery(voters.get(0), (Long s) -> s, 0, 0, timeout).result()).isEqualTo(5L);
        }
    }

    private static boolean stoppedApplying(final RaSystem node, final ServerId server)
    {
        try
        {
            return null != node.overview(server).machineVersion().error();
        }
        catch (final RaException notRunningYet)
        {
            return false;
        }
    }

    /** A counter of a given machine version (the same logic for every version). */
    static final class VersionedCounter implements StateMachine<Long, Long>
    {
        private final int version;
        private final boolean releaseCursors;

        VersionedCounter(final int version)
        {
            this(version, false);
        }

        /**
         * @param releaseCursors whether every command releases a cursor (a snapshot may be taken at each).
         */
        VersionedCounter(final int version, final boolean releaseCursors)
        {
            this.version = version;
            this.releaseCursors = releaseCursors;
        }

        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long amount, final Long state)
        {
            return releaseCursors ? ApplyResult.of(state + amount, state + amount,
                List.<Effect>of(new Effect.ReleaseCursor(meta.index(), state + amount))) :
                ApplyResult.of(state + amount, state + amount);
        }

        @Override
        public int version()
        {
            return version;
        }

        @Override
        public Class<Long> commandType()
        {
            return Long.class;
        }

        @Override
        public Codec<Long> commandCodec()
        {
            return Codecs.int64();
        }

        @Override
        public Codec<Long> stateCodec()
        {
            return Codecs.int64();
        }
    }

    private static boolean executorIdle(final ExecutorService executor)
    {
        final AtomicInteger ran = new AtomicInteger();
        try
        {
            executor.submit(ran::incrementAndGet).get(5, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            return false;
        }
        return ran.get() == 1;
    }

    @SuppressWarnings("unchecked")
    private static Map<ProcessRef, ?> monitors(final ProcessRegistry registry) throws ReflectiveOperationException
    {
        final Field field = ProcessRegistry.class.getDeclaredField("monitors");
        field.setAccessible(true);
        return (Map<ProcessRef, ?>)field.get(registry);
    }
}
