package dev.ra.examples.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.Effect;
import dev.ra.ProcessRef;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.Determinism;
import dev.ra.examples.support.Input;
import dev.ra.examples.support.MachineDriver;
import dev.ra.examples.support.Outcome;
import dev.ra.examples.support.Pools;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.testkit.property.Gen;
import dev.ra.testkit.property.Property;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LockProperties
{
    @Test
    void shouldBeDeterministicAndSurviveASnapshot()
    {
        Property.forAll(300, Pools.withCut(inputs(), 60), sequence -> Determinism.check(
            () -> new LockMachine(ReleaseCursorPolicy.every(7)), LockCommand.class, sequence.inputs(),
            sequence.cutWithin()));
    }

    @Test
    void shouldGiveEveryNewHolderALargerTokenAndTellExactlyTheNewHolders()
    {
        Property.forAll(500, inputs(), LockProperties::givesEveryNewHolderALargerTokenAndTellsExactlyTheNewHolders);
    }

    private static void givesEveryNewHolderALargerTokenAndTellsExactlyTheNewHolders(final List<Input> inputs)
    {
        final MachineDriver<LockCommand, LockState> locks = new MachineDriver<>(new LockMachine(), LockCommand.class);
        final Map<String, Long> lastToken = new HashMap<>();
        for (final Input input : inputs)
        {
            final LockState before = locks.state();
            final Outcome<LockState> outcome = locks.step(input);
            for (final Map.Entry<String, LockEntry> e : outcome.state().locks().entrySet())
            {
                final LockEntry entry = e.getValue();
                final LockEntry previous = before.lock(e.getKey());
                final boolean newTenure = null == previous || previous.token() != entry.token();
                if (newTenure)
                {
                    assertThat(entry.token()).isGreaterThan(lastToken.getOrDefault(e.getKey(), 0L));
                    lastToken.put(e.getKey(), entry.token());
                }
                else
                {
                    assertThat(entry.holder()).isEqualTo(previous.holder());
                }
                assertThat(entry.waiters()).doesNotHaveDuplicates().doesNotContain(entry.holder());
            }
            for (final Effect effect : outcome.effects())
            {
                if (effect instanceof Effect.SendMsg send && send.message() instanceof LockGranted granted)
                {
                    final LockEntry entry = outcome.state().lock(granted.key());
                    assertThat(entry.holder()).isEqualTo(send.to());
                    assertThat(entry.token()).isEqualTo(granted.token());
                }
            }
        }
    }

    private static Gen<List<Input>> inputs()
    {
        final Gen<String> keys = Pools.keys();
        final Gen<ProcessRef> processes = Pools.processes();
        final Gen<CommandNumber> numbers = Pools.commandNumbers();
        final Gen<Object> payload = Gen.frequency(
            Gen.weight(5, c -> new LockCommand.Acquire(keys.next(c), processes.next(c))),
            Gen.weight(3, c -> new LockCommand.Release(keys.next(c), processes.next(c))),
            Gen.weight(1, c -> new LockCommand.Cancel(keys.next(c), processes.next(c))),
            Gen.weight(3, c -> new LockCommand.NumberedAcquire(keys.next(c), processes.next(c), numbers.next(c))),
            Gen.weight(2, c -> new LockCommand.NumberedRelease(keys.next(c), processes.next(c), numbers.next(c))),
            Gen.weight(1, c -> new LockCommand.NumberedCancel(keys.next(c), processes.next(c), numbers.next(c))),
            Gen.weight(2, Pools.builtins(Gen.of("t"))),
            Gen.weight(1, Pools.roles()));
        return Pools.inputs(payload).list(0, 60);
    }
}
