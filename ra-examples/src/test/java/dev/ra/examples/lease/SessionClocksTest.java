package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lessor's TTL checks on injected ticks across a stall of its own node (a collection pause, SIGSTOP, its thread
 * blocked): a session kept alive all along, whose keep-alives wait unread, is not expired on waking; one nobody keeps
 * alive ends a TTL after the stall, and one silent while the lessor never stalled ends a TTL after it was last heard;
 * one nobody keeps alive ends, and one kept alive does not, however often the lessor stalls.
 */
class SessionClocksTest
{
    private static final long PERIOD = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long TTL_MS = 1_000;
    private static final long TTL = TimeUnit.MILLISECONDS.toNanos(TTL_MS);
    /** Any start: nanoTime values may be negative, and only their differences count. */
    private static final long START = Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(5);

    @Test
    void aSessionKeptAliveDuringTheLessorsStallIsNotExpiredOnWaking()
    {
        final SessionClocks clocks = new SessionClocks(PERIOD, START);
        clocks.track(7, TTL_MS, START);
        long now = START;
        for (int i = 0; i < 40; i++)
        {
            now += PERIOD;
            clocks.heard(7, now);
            assertThat(clocks.lapsed(now)).as("check %d, kept alive", i).isEmpty();
        }
        // This node stops for ten TTLs; the client's keep-alives wait unread.
        now += 10 * TTL;
        assertThat(clocks.lapsed(now)).as("the late check on waking").isEmpty();
        // Then the keep-alives are read and the checks go on at their pace.
        for (int i = 0; i < 40; i++)
        {
            now += PERIOD;
            clocks.heard(7, now);
            assertThat(clocks.lapsed(now)).as("check %d after the stall", i).isEmpty();
        }
    }

    @Test
    void aSessionNobodyKeepsAliveEndsATtlAfterTheStall()
    {
        final SessionClocks clocks = new SessionClocks(PERIOD, START);
        clocks.track(7, TTL_MS, START);
        long now = START + 10 * TTL;
        assertThat(clocks.lapsed(now)).as("the late check on waking").isEmpty();
        final long woke = now;
        List<Long> lapsed = List.of();
        for (int i = 0; i < 1_000 && lapsed.isEmpty(); i++)
        {
            now += PERIOD;
            lapsed = clocks.lapsed(now);
        }
        assertThat(lapsed).containsExactly(7L);
        // The late check's own period counts as listened: the stall is the rest of its wait.
        assertThat(now - woke).as("since the stall when it lapsed").isGreaterThan(TTL - PERIOD)
            .isLessThanOrEqualTo(TTL);
    }

    @Test
    void aSessionSilentWhileTheLessorNeverStalledEndsATtlAfterItWasLastHeard()
    {
        final SessionClocks clocks = new SessionClocks(PERIOD, START);
        clocks.track(7, TTL_MS, START);
        final long lastHeard = START + 3 * PERIOD;
        clocks.heard(7, lastHeard);
        long now = START;
        List<Long> lapsed = List.of();
        for (int i = 0; i < 1_000 && lapsed.isEmpty(); i++)
        {
            // A check twice its period late (a busy machine) is not a stall.
            now += i % 5 == 0 ? 2 * PERIOD : PERIOD;
            lapsed = clocks.lapsed(now);
        }
        assertThat(lapsed).containsExactly(7L);
        assertThat(now - lastHeard).isGreaterThan(TTL).isLessThanOrEqualTo(TTL + 2 * PERIOD);
    }

    @Test
    void aSessionNobodyKeepsAliveEndsThoughTheLessorKeepsStallingForLessThanAQuarterOfItsTtl()
    {
        final SessionClocks clocks = new SessionClocks(PERIOD, START);
        clocks.track(7, TTL_MS, START);
        long now = START;
        List<Long> lapsed = List.of();
        for (int i = 1; i <= 1_000 && lapsed.isEmpty(); i++)
        {
            // Every fourth check comes 200 ms after the one before (collections on a busy machine).
            now += i % 4 == 0 ? TimeUnit.MILLISECONDS.toNanos(200) : PERIOD;
            lapsed = clocks.lapsed(now);
        }
        assertThat(lapsed).containsExactly(7L);
        assertThat(now - START).isLessThanOrEqualTo(TTL + TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void aSessionNobodyKeepsAliveEndsThoughEveryCheckComesAThirdOfItsTtlAfterTheOneBefore()
    {
        // Every check a third of a TTL after the one before: the lessor stalls that long each time, or its leadership
        // check (an overview of a busy member) takes that long each time, the next check coming a period after it.
        final long gap = TTL / 3;
        final SessionClocks clocks = new SessionClocks(PERIOD, START);
        clocks.track(7, TTL_MS, START);
        long now = START;
        List<Long> lapsed = List.of();
        int checks = 0;
        for (int i = 1; i <= 1_000 && lapsed.isEmpty(); i++)
        {
            now += gap;
            lapsed = clocks.lapsed(now);
            checks = i;
        }
        assertThat(lapsed).as("the session nobody keeps alive, after %d checks", checks).containsExactly(7L);
    }

    @Test
    void aSessionKeptAliveIsNotExpiredThoughEveryCheckComesAThirdOfItsTtlAfterTheOneBefore()
    {
        final long gap = TTL / 3;
        final SessionClocks clocks = new SessionClocks(PERIOD, START);
        clocks.track(7, TTL_MS, START);
        long now = START;
        for (int i = 1; i <= 1_000; i++)
        {
            now += gap;
            // The keep-alive that waited unread during the stall is read after the check.
            assertThat(clocks.lapsed(now)).as("check %d", i).isEmpty();
            clocks.heard(7, now);
        }
    }
}
