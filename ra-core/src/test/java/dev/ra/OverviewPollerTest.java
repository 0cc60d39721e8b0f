package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The overview poller a monitor uses (ra-metrics, ra-admin): a busy server is asked once and reported unanswered by
 * every poll until it answers, without a question queued per poll; the others answer meanwhile.
 */
class OverviewPollerTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aBusyServerIsAskedOnceAndReportedUnansweredUntilItAnswers() throws Exception
    {
        final BusyOverviewMachine machine = new BusyOverviewMachine();
        try (InJvmCluster cluster = new InJvmCluster(1, builder -> builder.defaultTimeout(Duration.ofSeconds(60))
            .eventLoops(2)))
        {
            final ServerId busy = cluster.awaitLeader(cluster.startCluster("busy", machine), WAIT);
            final ServerId idle = cluster.awaitLeader(cluster.startCluster("idle", new BusyOverviewMachine()), WAIT);
            final OverviewPoller poller = new OverviewPoller(cluster.system("n1"), Duration.ofSeconds(5));
            assertThat(poller.poll().answered()).containsOnlyKeys(busy, idle);

            machine.busy.set(true);
            final int asksBefore = machine.asked.get();
            // The first poll waits the 5 s for it; the others report it at once.
            for (int i = 0; i < 5; i++)
            {
                final OverviewPoller.Poll poll = poller.poll();
                assertThat(poll.servers()).containsExactlyInAnyOrder(busy, idle);
                assertThat(poll.unanswered(busy)).as("poll %d", i).isTrue();
                assertThat(poll.failed()).isEmpty();
            }
            machine.release();
            final OverviewPoller.Poll answered = InJvmCluster.await(() ->
            {
                final OverviewPoller.Poll poll = poller.poll();
                return poll.answered().containsKey(busy) ? poll : null;
            }, WAIT, "the busy server's answer");
            assertThat(answered.answered().get(busy).machineOverview()).containsKey("applied");
            // The first question after it got busy, then the one the answering poll asked.
            assertThat(machine.asked.get() - asksBefore).isLessThanOrEqualTo(2);
        }
        finally
        {
            machine.release();
        }
    }

    @Test
    void aWaitThatIsNotPositiveIsRefused()
    {
        try (InJvmCluster cluster = new InJvmCluster(1))
        {
            assertThatThrownBy(() -> new OverviewPoller(cluster.system("n1"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        }
    }

    private static final class BusyOverviewMachine implements StateMachine<Object, Long>
    {
        private final AtomicBoolean busy = new AtomicBoolean();
        private final AtomicInteger asked = new AtomicInteger();
        private final CountDownLatch released = new CountDownLatch(1);

        @Override
        public Long init(final InitArgs args)
        {
            return 0L;
        }

        @Override
        public ApplyResult<Long> apply(final CommandMeta meta, final Object command, final Long state)
        {
            return ApplyResult.of(state + 1);
        }

        @Override
        public Map<String, Object> overview(final Long state)
        {
            asked.incrementAndGet();
            if (busy.get())
            {
                try
                {
                    released.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return Map.of("applied", state);
        }

        void release()
        {
            released.countDown();
        }
    }
}
