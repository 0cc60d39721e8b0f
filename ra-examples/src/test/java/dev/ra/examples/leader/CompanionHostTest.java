package dev.ra.examples.leader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A leadership claimed before the host is attached to its system (as when a system restarts its stored members while
 * it is being built, before {@link CompanionHost#attach} can be called) still starts the companion once attached.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompanionHostTest
{
    private static final Duration GRACE = Duration.ofMillis(300);
    private static final Duration CHECK = Duration.ofMillis(100);

    private final ServerId local = new ServerId("ftl", "n1");
    private final AtomicLong startedEpoch = new AtomicLong();
    private final CompanionHost host = new CompanionHost(local, new Companion()
    {
        @Override
        public void start(final long epoch)
        {
            startedEpoch.set(epoch);
        }

        @Override
        public void stop(final long epoch)
        {
            startedEpoch.compareAndSet(epoch, 0);
        }
    }, CHECK);
    private final InJvmNetwork network = new InJvmNetwork();
    private final RaSystem system = RaSystem.builder().nodeId("n1").transport(network.newTransport())
        .storage(new InMemoryStorage()).electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200))
        .tickInterval(Duration.ofMillis(50)).modCallHandler(FollowTheLeaderMachine.DEFAULT_HANDLER, host)
        .registerMachine("ftl", () -> new FollowTheLeaderMachine(local, GRACE)).build();

    @AfterEach
    void close()
    {
        host.close();
        system.close();
        network.close();
    }

    @Test
    void aClaimMadeBeforeAttachStartsTheCompanionOnceAttached() throws InterruptedException
    {
        system.startCluster("ftl", "ftl", List.of(local));
        final long epoch = InJvmCluster.await(() ->
        {
            final LeadershipState state = system.<LeadershipState, LeadershipState>consistentQuery(local, s -> s)
                .result();
            return local.equals(state.leader()) ? state.epoch() : null;
        }, Duration.ofSeconds(10), "the member's leadership claim");
        // The grace period and a few checks pass while the host has no system to confirm the claim through.
        Thread.sleep(GRACE.plus(CHECK.multipliedBy(3)).toMillis());

        host.attach(system);

        assertThat(InJvmCluster.await(() -> startedEpoch.get() == 0 ? null : startedEpoch.get(),
            Duration.ofSeconds(10), "the companion to start")).isEqualTo(epoch);
    }
}
