package dev.ra.examples.sessionlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.BuiltinCommand;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.examples.lock.LockGranted;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class SessionLockProperties
{
    private static final Duration GRACE = Duration.ofMillis(8_000);

    @Property(tries = 300)
    void shouldBeDeterministicAndSurviveASnapshot(
        @ForAll("inputs") final List<Input> inputs, @ForAll @IntRange(max = 60) final int cut)
    {
        Determinism.check(() -> new SessionLockMachine(GRACE, ReleaseCursorPolicy.every(7)),
            SessionLockCommand.class, inputs, Math.min(cut, inputs.size()));
    }

    @Property(tries = 500)
    void shouldNeverExpireEarlyAndKeepTenuresOrdered(@ForAll("inputs") final List<Input> inputs)
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

    @Provide
    Arbitrary<List<Input>> inputs()
    {
        // Weighted towards disconnections and timeouts, with small clock steps, so that timers often fire just
        // before or just after a deadline.
        final Arbitrary<Object> payload = Arbitraries.frequencyOf(
            Tuple.of(5, Combinators.combine(Pools.keys(), Pools.processes()).as(SessionLockCommand.Acquire::new)),
            Tuple.of(2, Combinators.combine(Pools.keys(), Pools.processes()).as(SessionLockCommand.Release::new)),
            Tuple.of(1, Combinators.combine(Pools.keys(), Pools.processes()).as(SessionLockCommand.Cancel::new)),
            Tuple.of(2, Arbitraries.just(new SessionLockCommand.RearmTimers())),
            Tuple.of(4, Pools.processes().map(p -> new BuiltinCommand.Down(p, DownReason.NOCONNECTION))),
            Tuple.of(2, Pools.builtins(Arbitraries.of("other-timer"))),
            Tuple.of(5, Pools.keys().map(k -> new BuiltinCommand.Timeout(SessionLockMachine.timerName(k)))),
            Tuple.of(1, Pools.roles()));
        return Combinators.combine(payload, Arbitraries.longs().between(0, 3_000)).as(Input::new).list().ofMaxSize(60);
    }
}
