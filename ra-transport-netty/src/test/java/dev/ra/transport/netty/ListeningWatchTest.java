package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The failure timeout of a connection ({@link ConnectionHandler}'s tick) and the {@link SilenceDetector} across a
 * stall of this node, on injected ticks: a peer that kept sending while this node could not read (its process paused,
 * its event loop starved) is not condemned on waking, while one that stays silent afterwards still is. Each tick here
 * does what the connection's tick does: check, then close if the peer went unheard for longer than the timeout.
 */
class ListeningWatchTest
{
    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(1);
    /** Any start: nanoTime values may be negative, and only their differences count. */
    private static final long START = Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(5);

    @Test
    void aPeerThatKeptSendingDuringThisNodesStallIsNotCondemnedOnWaking()
    {
        final ListeningWatch watch = new ListeningWatch(INTERVAL, TIMEOUT, START);
        long now = START;
        long lastRead = START;
        for (int i = 0; i < 20; i++)
        {
            now += INTERVAL;
            lastRead = now;
            assertThat(closes(watch, now, lastRead)).as("tick %d, peer heard", i).isFalse();
        }
        // The process stops for ten timeouts; the peer's heartbeats wait unread in the socket.
        now += 10 * TIMEOUT;
        assertThat(closes(watch, now, lastRead)).as("the late tick on waking").isFalse();
        // The ticks that were due during the stall run back to back, before the frames are read.
        for (int i = 0; i < 100; i++)
        {
            now += 1_000;
            assertThat(closes(watch, now, lastRead)).as("catch-up tick %d", i).isFalse();
        }
        // Then the frames are read and ticks go on at their pace.
        lastRead = now;
        for (int i = 0; i < 20; i++)
        {
            now += INTERVAL;
            lastRead = now;
            assertThat(closes(watch, now, lastRead)).as("tick %d after the stall", i).isFalse();
        }
    }

    @Test
    void aPeerThatStaysSilentAfterThisNodesStallIsStillCondemned()
    {
        final ListeningWatch watch = new ListeningWatch(INTERVAL, TIMEOUT, START);
        final long lastRead = START;
        long now = START + 10 * TIMEOUT;
        assertThat(closes(watch, now, lastRead)).as("the late tick on waking").isFalse();
        final long woke = now;
        boolean closed = false;
        for (int i = 0; i < 1_000 && !closed; i++)
        {
            now += INTERVAL;
            closed = closes(watch, now, lastRead);
        }
        assertThat(closed).as("the silent peer condemned").isTrue();
        assertThat(now - woke).as("unheard while listening when condemned").isGreaterThan(TIMEOUT)
            .isLessThanOrEqualTo(TIMEOUT + INTERVAL);
    }

    @Test
    void aSilentPeerIsCondemnedAfterTheTimeoutWhenThisNodeNeverStalled()
    {
        final ListeningWatch watch = new ListeningWatch(INTERVAL, TIMEOUT, START);
        final long lastRead = START + 3 * INTERVAL;
        long now = START;
        boolean closed = false;
        for (int i = 0; i < 1_000 && !closed; i++)
        {
            // A tick twice its period late (a busy machine) is not a stall.
            now += i % 5 == 0 ? 2 * INTERVAL : INTERVAL;
            closed = closes(watch, now, lastRead);
        }
        assertThat(closed).isTrue();
        assertThat(now - lastRead).isGreaterThan(TIMEOUT).isLessThanOrEqualTo(TIMEOUT + 2 * INTERVAL);
    }

    @Test
    void aSilentPeerIsCondemnedThoughThisNodeKeepsStallingForLessThanAQuarterOfTheTimeout()
    {
        // The defaults: heartbeats every 125 ms (a quarter of the silence), a failure timeout of 5 s.
        final long interval = TimeUnit.MILLISECONDS.toNanos(125);
        final long timeout = TimeUnit.SECONDS.toNanos(5);
        final ListeningWatch watch = new ListeningWatch(interval, timeout, START);
        final long lastRead = START;
        long now = START;
        boolean closed = false;
        int stalls = 0;
        for (int i = 1; i <= 1_000 && !closed; i++)
        {
            // Every eighth tick comes after a stall of half a second (collections on a busy machine).
            final boolean stall = i % 8 == 0;
            now += stall ? TimeUnit.MILLISECONDS.toNanos(500) : interval;
            stalls += watch.check(now) ? 1 : 0;
            closed = watch.unheardNanos(now, lastRead) > timeout;
        }
        assertThat(stalls).as("stalls told").isPositive();
        assertThat(closed).as("the silent peer condemned").isTrue();
        assertThat(now - lastRead).as("unheard when condemned").isLessThanOrEqualTo(timeout +
            TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void aSilentPeerIsCondemnedThoughThisNodeKeepsStallingJustOverAQuarterOfTheTimeout()
    {
        // The defaults, and a stall a little over a quarter of the timeout every tenth tick.
        final long interval = TimeUnit.MILLISECONDS.toNanos(125);
        final long timeout = TimeUnit.SECONDS.toNanos(5);
        final long stallGap = timeout / 4 + interval;
        final ListeningWatch watch = new ListeningWatch(interval, timeout, START);
        final long lastRead = START;
        long now = START;
        boolean closed = false;
        int ticks = 0;
        for (int i = 1; i <= 1_000 && !closed; i++)
        {
            now += i % 10 == 0 ? stallGap : interval;
            watch.check(now);
            closed = watch.unheardNanos(now, lastRead) > timeout;
            ticks = i;
        }
        assertThat(closed).as("the silent peer condemned, after %d ticks", ticks).isTrue();
    }

    @Test
    void aPeerThatKeepsSendingIsNotCondemnedThoughThisNodeKeepsStallingJustOverAQuarterOfTheTimeout()
    {
        final long stallGap = TIMEOUT / 4 + INTERVAL;
        final ListeningWatch watch = new ListeningWatch(INTERVAL, TIMEOUT, START);
        long now = START;
        long lastRead = START;
        for (int i = 1; i <= 1_000; i++)
        {
            // Its frames wait unread during each stall, and are read after the late tick.
            now += i % 3 == 0 ? stallGap : INTERVAL;
            assertThat(closes(watch, now, lastRead)).as("tick %d", i).isFalse();
            lastRead = now;
        }
    }

    @Test
    void aPeerHeardBeforeMoreStallsThanAreRememberedIsNotCondemnedOnWaking()
    {
        final ListeningWatch watch = new ListeningWatch(INTERVAL, TIMEOUT, START);
        long now = START + INTERVAL;
        final long lastRead = now;
        assertThat(closes(watch, now, lastRead)).isFalse();
        // Stall after stall, no frame read in between (the loop had no turn to read), many more than remembered.
        for (int i = 0; i < 3 * ListeningWatch.REMEMBERED_STALLS; i++)
        {
            now += TIMEOUT;
            assertThat(closes(watch, now, lastRead)).as("late tick %d", i).isFalse();
        }
        final long woke = now;
        boolean closed = false;
        for (int i = 0; i < 1_000 && !closed; i++)
        {
            now += INTERVAL;
            closed = closes(watch, now, lastRead);
        }
        assertThat(closed).as("the peer, silent after the stalls, condemned").isTrue();
        assertThat(now - woke).as("listened when condemned").isGreaterThan(TIMEOUT - INTERVAL);
    }

    /** What the connection's tick decides: whether it closes the connection now. */
    private static boolean closes(final ListeningWatch watch, final long now, final long lastRead)
    {
        watch.check(now);
        return watch.unheardNanos(now, lastRead) > TIMEOUT;
    }
}
