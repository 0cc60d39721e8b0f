package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.CommandResult;
import dev.ra.InitArgs;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.protocol.JoinPoint;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A step of a running node's wall clock (an NTP correction, a resumed virtual machine, {@code date -s}) does not move
 * the time its cores go by: a leader's log time ({@link CommandMeta#systemTimeMs}, what machines expire tasks, watches
 * and sessions by) keeps going forward at the monotonic clock's rate, neither back by the step nor forward by it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WallClockStepTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long HOUR_MS = TimeUnit.HOURS.toMillis(1);

    @Test
    void aWallClockStepDoesNotMoveTheLogTime() throws Exception
    {
        final SteppedClock clock = new SteppedClock();
        try (InJvmNetwork network = new InJvmNetwork();
            InMemoryStorage storage = new InMemoryStorage();
            RaRuntime node = new RaRuntime(new RuntimeConfig("n1", network.newTransport(), storage, 1,
                Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(10),
                Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true).withClock(clock)))
        {
            node.start();
            final ServerId server = new ServerId("clock", "n1");
            node.startLocalServer("clock", LogTimeMachine.class.getName(), new LogTimeMachine(), server,
                List.of(server), true, JoinPoint.NONE).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            node.call(server, new ServerRequest.TriggerElection(), WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            node.awaitLeader(server, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            final long first = logTimeOf(node, server);
            clock.step(-HOUR_MS);
            final long afterStepBack = logTimeOf(node, server);
            assertThat(afterStepBack).as("log time after the wall clock stepped back an hour (first %d)", first)
                .isGreaterThanOrEqualTo(first);

            clock.step(2 * HOUR_MS);
            final long afterStepForward = logTimeOf(node, server);
            assertThat(afterStepForward - afterStepBack)
                .as("log time gone by across a wall-clock step an hour forward, in ms").isLessThan(HOUR_MS / 2);
        }
    }

    private static long logTimeOf(final RaRuntime node, final ServerId leader) throws Exception
    {
        final Object reply = node.call(leader, new ServerRequest.Command(node.encodeCommand(leader, 1L)), WAIT)
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return ((Number)((CommandResult<?>)reply).reply()).longValue();
    }

    /** The system's clocks, with a wall clock the test can step. */
    private static final class SteppedClock implements RuntimeClock
    {
        private final AtomicLong offsetMillis = new AtomicLong();

        @Override
        public long nanoTime()
        {
            return RuntimeClock.system().nanoTime();
        }

        @Override
        public long currentTimeMillis()
        {
            return RuntimeClock.system().currentTimeMillis() + offsetMillis.get();
        }

        void step(final long millis)
        {
            offsetMillis.addAndGet(millis);
        }
    }

    /** Replies to each command with its entry's log time. */
    public static final class LogTimeMachine implements StateMachine<Long, Long>
    {
        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Long command, final Long state)
        {
            return ApplyResult.of(meta.systemTimeMs(), meta.systemTimeMs());
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
}
