package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.DownReason;
import dev.ra.ProcessRef;
import dev.ra.ServerId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Process ids counted up from the clock's time when the node started: a node restarted with its clock stepped back
 * (NTP correcting a fast clock, a VM restored) handed out its previous run's ids again, so a machine that still held
 * an old process in its state sent its messages to, and watched, an unrelated new process (a monitor of the dead
 * one never fired).
 */
class ProcessIdsAcrossRestartsTest
{
    private static final int SPAWNS = 100;

    @Test
    void aNodeRestartedAtTheSameClockTimeHandsOutNoneOfItsPreviousRunsIds()
    {
        final Set<Long> firstRun = new HashSet<>();
        for (final ProcessRef ref : spawn(new ProcessRegistry("n1", Runnable::run, (p, r, w) -> { })))
        {
            firstRun.add(ref.id());
        }
        final List<DownReason> reported = new CopyOnWriteArrayList<>();
        final ProcessRegistry restarted = new ProcessRegistry("n1", Runnable::run,
            (process, reason, watcher) -> reported.add(reason));

        final List<ProcessRef> secondRun = spawn(restarted);

        assertThat(secondRun).allSatisfy(ref -> assertThat(firstRun).as("ids of the previous run")
            .doesNotContain(ref.id()));
        final ProcessRef old = new ProcessRef("n1", firstRun.iterator().next());
        restarted.monitor(old, new ServerId("kv", "n2"));
        assertThat(reported).as("a monitor of the previous run's process").containsExactly(DownReason.NOPROC);
    }

    private static List<ProcessRef> spawn(final ProcessRegistry registry)
    {
        final List<ProcessRef> refs = new ArrayList<>();
        for (int i = 0; i < SPAWNS; i++)
        {
            refs.add(registry.spawn(message -> { }, null).ref());
        }
        return refs;
    }
}
