package dev.ra.examples.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ProcessRef;
import dev.ra.RaTimeoutException;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lessor host's own lifecycle: closed twice, and a leadership check that fails for a while on a member that
 * still leads.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LessorHostTest
{
    private static final Duration TTL = Duration.ofMillis(1_000);
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void aCheckPeriodUnderAMillisecondIsRefusedWithTheValue()
    {
        assertThatThrownBy(() -> new LessorHost(new ServerId(LeaseWorld.CLUSTER, "n1"), Duration.ofNanos(500_000)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.0005S");
    }

    @Test
    void closingALessorHostAgainReturnsQuietly()
    {
        final LessorHost host = new LessorHost(new ServerId(LeaseWorld.CLUSTER, "n1"), LeaseWorld.CHECK_PERIOD);
        host.close();
        assertThatCode(host::close).doesNotThrowAnyException();
    }

    @Test
    void aLessorWhoseLeadershipCheckFailsForAWhileKeepsRunningAndExpiresSessions()
    {
        final AtomicInteger failuresLeft = new AtomicInteger();
        try (LeaseWorld world = new LeaseWorld(10_000, LeasedKvMachine.DEFAULT_UNREACHABLE_WATCH_EXPIRY,
            (system, server) ->
            {
                if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
                {
                    throw new RaTimeoutException("no answer (failed on purpose)");
                }
                return system.overview(server).role();
            }))
        {
            final ServerId leader = world.cluster().awaitLeader();
            InJvmCluster.await(() -> world.lessorEpoch(leader.node()) > 0, WAIT, "the lessor");
            final long epoch = world.lessorEpoch(leader.node());
            final LeasedKvClient kv = world.clientOn(leader.node());

            // The next checks fail, well before the TTL of a session that nobody keeps alive lapses.
            failuresLeft.set(3);
            final long session = kv.grant(TTL, (ProcessRef)null).sessionId();

            InJvmCluster.await(() -> kv.session(session).isEmpty(), WAIT, "the session to expire");
            assertThat(failuresLeft).as("failed checks left").hasValue(0);
            assertThat(world.lessorEpoch(leader.node())).as("the lessor's epoch").isEqualTo(epoch);
        }
    }
}
