package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.protocol.ServerRequest;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime's deadlines follow its {@link RuntimeClock}: with a manual clock, a call with a timeout of an hour times
 * out as soon as the clock is moved past it, and not before. Nothing here waits for real time to pass (the waits are
 * bounded only so that a broken runtime fails the test instead of hanging it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RuntimeClockTest
{
    private final ManualClock clock = new ManualClock();

    @Test
    void aTimeoutFiresWhenTheClockPassesItsDeadline() throws Exception
    {
        final CallTimeouts timeouts = new CallTimeouts("test-call-timeouts", clock);
        try
        {
            final ManualCall call = new ManualCall(clock.nanoTime() + Duration.ofHours(1).toNanos());
            timeouts.register(call);
            timeouts.recheck();
            assertThat(call.timedOut).as("not due yet").isNotDone();

            clock.advance(Duration.ofMinutes(59));
            timeouts.recheck();
            assertThat(call.timedOut).as("one minute short").isNotDone();

            clock.advance(Duration.ofMinutes(2));
            timeouts.recheck();
            call.timedOut.get(30, TimeUnit.SECONDS);
        }
        finally
        {
            timeouts.shutdown();
        }
    }

    @Test
    void anOverdueCallWakesTheSleepingThreadWhateverTheClocksOrigin() throws Exception
    {
        // A clock whose readings are far below zero: a deadline compared with "no deadline" (Long.MAX_VALUE) by
        // subtraction overflows and looks later than it, and the thread, asleep with no deadline, was never woken.
        final String name = "test-call-timeouts-clock-below-zero";
        final CallTimeouts timeouts = new CallTimeouts(name, new ManualClock(Long.MIN_VALUE / 2));
        try
        {
            awaitParked(name);
            final ManualCall overdue = new ManualCall(Long.MIN_VALUE / 2 - 1);
            timeouts.register(overdue);
            overdue.timedOut.get(30, TimeUnit.SECONDS);
        }
        finally
        {
            timeouts.shutdown();
        }
    }

    @Test
    void aClientCallTimesOutOnTheRuntimesClock()
    {
        try (InJvmNetwork network = new InJvmNetwork();
            InMemoryStorage storage = new InMemoryStorage();
            RaRuntime runtime = new RaRuntime(new RuntimeConfig("n1", network.newTransport(), storage, 1,
                Duration.ofSeconds(1), Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofSeconds(1),
                Duration.ofMillis(2), 16, Map.of(), Map.of(), null, true).withClock(clock)))
        {
            runtime.start();
            // A cluster this node knows of, none of whose members runs: the call goes round them until its timeout.
            final List<ServerId> members = List.of(new ServerId("c1", "n1"), new ServerId("c2", "n1"));
            runtime.registerCluster("counter", CounterMachine.class.getName(), new CounterMachine(), members);
            final CompletableFuture<Object> call = runtime.call(members.get(0), new ServerRequest.Members(),
                Duration.ofHours(1));
            assertThat(call).as("an hour to go").isNotDone();

            clock.advance(Duration.ofHours(2));
            runtime.clockMoved();

            assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RaTimeoutException.class);
        }
    }

    private static void awaitParked(final String threadName) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> threadName.equals(t.getName()) && t.getState() == Thread.State.WAITING))
        {
            assertThat(System.nanoTime() - deadline).as("%s asleep within 30 s", threadName).isNegative();
            Thread.sleep(1);
        }
    }

    private static final class ManualCall implements CallTimeouts.TimedCall
    {
        final CompletableFuture<Void> timedOut = new CompletableFuture<>();
        private final long deadlineNanos;

        ManualCall(final long deadlineNanos)
        {
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public long deadlineNanos()
        {
            return deadlineNanos;
        }

        @Override
        public void timeout()
        {
            timedOut.complete(null);
        }

        @Override
        public void systemClosed()
        {
            timedOut.completeExceptionally(new IllegalStateException("closed"));
        }
    }
}
