package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ProcessRef;
import org.junit.jupiter.api.Test;

/**
 * Which processes a numbered command's {@link ClientSequences#applied} forgot: by the bound, by the idle time, none
 * when only the caller's own entry moved, and not one another client still has calls about.
 */
class ForgottenProcessesTest
{
    private static final long NOW = 1_000_000;

    private static ProcessRef process(final int i)
    {
        return new ProcessRef("n1", 1 + i);
    }

    /** The bound's worth of clients, one process each, client "c" + i about process i, oldest first. */
    private static ClientSequences full()
    {
        ClientSequences sequences = ClientSequences.NONE;
        for (int i = 0; i < ClientSequences.MAX_CLIENTS; i++)
        {
            sequences = sequences.applied(process(i), new CommandNumber("c" + i, 1, 1), "r", NOW);
        }
        return sequences;
    }

    @Test
    void aKnownCallerMovingToTheEndForgetsNobody()
    {
        final ClientSequences before = full();
        final ProcessRef recent = process(ClientSequences.MAX_CLIENTS - 2);
        final ClientSequences after = before.applied(recent, new CommandNumber("c" + (ClientSequences.MAX_CLIENTS - 2),
            2, 2), "r", NOW);
        assertThat(ForgottenProcesses.of(before, after, recent)).isEmpty();
    }

    @Test
    void aNewCallerAtTheBoundForgetsTheLeastRecentlyUsed()
    {
        final ClientSequences before = full();
        final ProcessRef newcomer = process(5_000);
        final ClientSequences after = before.applied(newcomer, new CommandNumber("new", 1, 1), "r", NOW);
        assertThat(ForgottenProcesses.of(before, after, newcomer)).containsExactly(process(0));
    }

    @Test
    void aProcessAnotherClientStillCallsAboutIsNotForgotten()
    {
        // "c0" about process 0 is the least recently used; client "x" about process 0 the most recently used.
        ClientSequences before = ClientSequences.NONE;
        for (int i = 0; i < ClientSequences.MAX_CLIENTS - 1; i++)
        {
            before = before.applied(process(i), new CommandNumber("c" + i, 1, 1), "r", NOW);
        }
        before = before.applied(process(0), new CommandNumber("x", 1, 1), "r", NOW);
        final ProcessRef newcomer = process(5_000);
        final ClientSequences after = before.applied(newcomer, new CommandNumber("new", 1, 1), "r", NOW);
        assertThat(after.entries()).as("c0 pushed out").noneMatch(entry -> entry.caller().client().equals("c0"));
        assertThat(ForgottenProcesses.of(before, after, newcomer)).as("x still calls about process 0").isEmpty();
    }

    @Test
    void theIdleAreForgottenButNotTheCaller()
    {
        ClientSequences before = ClientSequences.NONE;
        for (int i = 0; i < 5; i++)
        {
            before = before.applied(process(i), new CommandNumber("c" + i, 1, 1), "r", NOW + i);
        }
        final long later = NOW + 3 + ClientSequences.RETAINED_MS;
        final ClientSequences after = before.applied(process(0), new CommandNumber("c0", 2, 2), "r", later);
        // Idle beyond the retention: processes 1 and 2 (0 called again, 3 and 4 within it).
        assertThat(ForgottenProcesses.of(before, after, process(0))).containsExactly(process(1), process(2));
    }
}
