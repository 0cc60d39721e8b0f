package dev.ra.examples.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.examples.demo.ToolboxNode;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The host of a single-member follow-the-leader cluster: a claim made before the host is attached to its system (as
 * when a system restarts its stored members while it is being built, before {@link CompanionHost#attach} can be
 * called) still starts the companion once attached; closing it leaves nothing running and nothing to start later, and
 * it refuses check periods it cannot honour.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompanionHostTest
{
    private static final Duration GRACE = Duration.ofMillis(1_000);
    // Closing waits up to four check periods for the host's thread, longer than the grace period.
    private static final Duration CHECK = Duration.ofMillis(300);

    private final ServerId local = new ServerId("ftl", "n1");
    private final AtomicLong startedEpoch = new AtomicLong();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final CompanionHost host = new CompanionHost(local, new Companion()
    {
        @Override
        public void start(final long epoch)
        {
            startedEpoch.set(epoch);
            events.add("start " + epoch);
        }

        @Override
        public void stop(final long epoch)
        {
            startedEpoch.compareAndSet(epoch, 0);
            events.add("stop " + epoch);
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

    private long awaitClaim()
    {
        return InJvmCluster.await(() ->
        {
            final LeadershipState state = system.<LeadershipState, LeadershipState>consistentQuery(local, s -> s)
                .result();
            return local.equals(state.leader()) ? state.epoch() : null;
        }, Duration.ofSeconds(10), "the member's leadership claim");
    }

    private static Companion idle()
    {
        return new Companion()
        {
            @Override
            public void start(final long epoch)
            {
            }

            @Override
            public void stop(final long epoch)
            {
            }
        };
    }

    @Test
    void aClaimMadeBeforeAttachStartsTheCompanionOnceAttached() throws InterruptedException
    {
        system.startCluster("ftl", "ftl", List.of(local));
        final long epoch = awaitClaim();
        // The grace period and a few checks pass while the host has no system to confirm the claim through.
        Thread.sleep(GRACE.plus(CHECK.multipliedBy(3)).toMillis());

        host.attach(system);

        assertThat(InJvmCluster.await(() -> startedEpoch.get() == 0 ? null : startedEpoch.get(),
            Duration.ofSeconds(10), "the companion to start")).isEqualTo(epoch);
    }

    @Test
    void aGracePeriodNotAboveTwiceTheCheckPeriodIsRefusedAndStartsNoCompanion()
    {
        system.startCluster("ftl", "ftl", List.of(local));
        host.attach(system);
        final long epoch = awaitClaim();
        final AtomicLong started = new AtomicLong();
        try (CompanionHost tooSlow = new CompanionHost(local, new Companion()
        {
            @Override
            public void start(final long epoch)
            {
                started.set(epoch);
            }

            @Override
            public void stop(final long epoch)
            {
            }
        }, CHECK))
        {
            tooSlow.attach(system);
            // The previous leader's host may need two checks to stop its companion: a shorter grace overlaps them.
            tooSlow.accept(new StartCompanion(local, epoch, CHECK.multipliedBy(2).toMillis()));

            InJvmCluster.await(() -> started.get() != 0 || tooSlow.misconfiguration().isPresent() ? true : null,
                Duration.ofSeconds(10), "the claim to be refused or the companion started");
            assertThat(started.get()).as("epoch the companion was started with").isZero();
            assertThat(tooSlow.misconfiguration()).hasValueSatisfying(error -> assertThat(error)
                .contains("grace period").contains(CHECK.multipliedBy(2).toMillis() + " ms")
                .contains("check period").contains(CHECK.toMillis() + " ms"));
        }
    }

    @Test
    void closingDuringTheGracePeriodCancelsTheStart() throws InterruptedException
    {
        host.attach(system);
        system.startCluster("ftl", "ftl", List.of(local));
        awaitClaim();

        // Most likely within the grace period, so the start is still pending (as when ToolboxNode closes its host
        // before its system); should the start have come first, close must stop the companion all the same.
        host.close();
        Thread.sleep(GRACE.plus(CHECK.multipliedBy(2)).toMillis());

        assertThat(startedEpoch.get()).as("epoch of a companion running after its host closed; events %s", events)
            .isZero();
    }

    @Test
    void closingAgainIsQuiet()
    {
        host.close();

        // ToolboxNode.main closes its node on "stop", and its shutdown hook closes it again on System.exit.
        assertThatCode(host::close).doesNotThrowAnyException();
    }

    @Test
    void aClaimReachingAClosedHostIsIgnoredWithoutThrowing()
    {
        host.close();

        // The claim comes on Ra's thread, which must not see the host's shutdown.
        assertThatCode(() -> host.accept(new StartCompanion(local, 7, 0))).doesNotThrowAnyException();
        assertThat(events).isEmpty();
    }

    @Test
    void aCheckPeriodUnderAMillisecondIsRefusedWithTheValue()
    {
        // Checks of a few hundred microseconds time out before any quorum answers: the companion would never run.
        assertThatThrownBy(() -> new CompanionHost(local, idle(), Duration.ofNanos(666_666)).close())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.000666666S");
        assertThatCode(() -> new CompanionHost(local, idle(), Duration.ofMillis(1)).close())
            .doesNotThrowAnyException();
    }

    @Test
    void aToolboxNodeRefusesALeaderGraceTooShortForItsChecks()
    {
        // A third of 2 ms is the check period ToolboxNode would give its companion host.
        assertThatThrownBy(() -> ToolboxNode.start(new String[] {"node.id=n9", "listen=127.0.0.1:0",
            "leader.grace.ms=2"}, idle()).close())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leader.grace.ms")
            .hasMessageContaining("got 2");
    }

    @Test
    void aToolboxNodeNamesAGraceSettingThatIsNotANumber()
    {
        // It used to fail with a bare NumberFormatException naming neither the key nor the node.
        assertThatThrownBy(() -> ToolboxNode.start(new String[] {"node.id=n9", "listen=127.0.0.1:0",
            "sessionlock.grace.ms=2s"}, idle()).close())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("sessionlock.grace.ms must be a whole number of milliseconds, 0 or more; got '2s'");
        assertThatThrownBy(() -> ToolboxNode.start(new String[] {"node.id=n9", "listen=127.0.0.1:0",
            "leader.grace.ms=-5"}, idle()).close())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leader.grace.ms");
    }
}
