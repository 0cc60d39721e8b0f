package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.lock.LockGranted;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionLockProperties
{
    private static final Duration GRACE = Duration.ofMillis(8_000);

    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        Property.forAll(300, Pools.withCut(inputs(), 60), sequence -> Determinism.check(
            () -> new SessionLockMachine(GRACE, ReleaseCursorPolicy.every(7)), SessionLockCommand.class,
            sequence.inputs(), sequence.cutWithin()));
    }

    @Test
    void shouldNeverExpireEarlyAndKeepTenuresOrdered()
    {
        Property.forAll(500, inputs(), SessionLockProperties::neverExpiresEarlyAndKeepsTenuresOrdered);
    }

    private static void neverExpiresEarlyAndKeepsTenuresOrdered(final List<Input> inputs)
    {
        final MachineDriver<SessionLockCommand, SessionLockState> locks =
            new MachineDriver<>(new SessionLockMachine(GRACE, ReleaseCursorPolicy.defaults()),
                SessionLockCommand.class);
        final Map<String, Long> lastToken = new HashMap<>();
        for (final Input input : inputs)
        {
            final SessionLockState before = locks.state();
            final Outcome<SessionLockState> outcome = locks.step(input);
            final boolean timeDriven = input.payload() instanceof BuiltinCommand.Timeout ||
                input.payload() instanceof SessionLockCommand.RearmTimers;
            for (final Map.Entry<String, SessionLockEntry> e : before.locks().entrySet())
            {
                final SessionLockEntry previous = e.getValue();
                final SessionLockEntry now = outcome.state().lock(e.getKey());
                final boolean lost = null != previous.holder() && (null == now || now.token() != previous.token());
                if (lost && timeDriven)
                {
                    assertThat(previous.disconnection()).isNotNull();
                    assertThat(locks.nowMs()).isGreaterThanOrEqualTo(previous.disconnection().deadlineMs());
                }
            }
            for (final Map.Entry<String, SessionLockEntry> e : outcome.state().locks().entrySet())
            {
                final SessionLockEntry entry = e.getValue();
                final SessionLockEntry previous = before.lock(e.getKey());
                if (null != entry.holder() && (null == previous || previous.token() != entry.token()))
                {
                    assertThat(entry.token()).isGreaterThan(lastToken.getOrDefault(e.getKey(), 0L));
                    lastToken.put(e.getKey(), entry.token());
                }
                assertThat(entry.waiters().stream().map(Waiter::process).toList())
                    .doesNotHaveDuplicates().doesNotContainNull();
                if (null != entry.holder())
                {
                    assertThat(entry.waiterIndex(entry.holder())).isNegative();
                }
                else
                {
                    assertThat(entry.waiters()).isNotEmpty().noneMatch(Waiter::reachable);
                }
            }
            for (final Effect effect : outcome.effects())
            {
                if (effect instanceof Effect.SendMsg send && send.message() instanceof LockGranted granted)
                {
                    assertThat(outcome.state().holder(granted.key())).isEqualTo(send.to());
                    assertThat(outcome.state().lock(granted.key()).token()).isEqualTo(granted.token());
                }
            }
        }
    }

    private static Gen<List<Input>> inputs()
    {
        // Weighted towards disconnections and timeouts, with small clock steps, so that timers often fire just
        // before or just after a deadline.
        final Gen<String> keys = Pools.keys();
        final Gen<ProcessRef> processes = Pools.processes();
        final Gen<CommandNumber> numbers = Pools.commandNumbers();
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(5, c -> new SessionLockCommand.Acquire(keys.next(c), processes.next(c))),
            Gen.weight(2, c -> new SessionLockCommand.Release(keys.next(c), processes.next(c))),
            Gen.weight(1, c -> new SessionLockCommand.Cancel(keys.next(c), processes.next(c))),
            Gen.weight(3, c -> new SessionLockCommand.NumberedAcquire(keys.next(c), processes.next(c),
                numbers.next(c))),
            Gen.weight(1, c -> new SessionLockCommand.NumberedRelease(keys.next(c), processes.next(c),
                numbers.next(c))),
            Gen.weight(1, c -> new SessionLockCommand.NumberedCancel(keys.next(c), processes.next(c),
                numbers.next(c))),
            Gen.weight(2, Gen.constant(new SessionLockCommand.RearmTimers())),
            Gen.weight(4, processes.map(p -> new BuiltinCommand.Down(p, DownReason.NOCONNECTION))),
            Gen.weight(2, Pools.builtins(Gen.of("other-timer"))),
            Gen.weight(5, keys.map(k -> new BuiltinCommand.Timeout(SessionLockMachine.timerName(k)))),
            Gen.weight(1, Pools.roles()));
        final Gen<Long> advances = Gen.longs(0, 3_000);
        final Gen<Input> inputs = c -> new Input(payload.next(c), advances.next(c));
        return inputs.list(0, 60);
    }
}
