package dev.ra.examples.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaProcess;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Group membership on a 3-node in-JVM cluster, with members living on a fourth (application) node: the talk's
 * acceptance scenarios, leader failover and a full restart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupScenarioTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ToolboxCluster world = ToolboxCluster.start("groups", (node, builder) -> builder
        .registerMachine("groups", () -> new GroupMachine(ReleaseCursorPolicy.every(8)))
        .minSnapshotInterval(8));

    @AfterEach
    void close()
    {
        world.close();
    }

    private GroupClient clientOn(final String node)
    {
        return new GroupClient(world.system(node), world.members());
    }

    private void awaitMembers(final GroupClient groups, final String group, final List<?> expected)
    {
        InJvmCluster.await(() -> groups.members(group).equals(expected), WAIT, group + " == " + expected);
    }

    @Test
    void shouldJoinListAndLeave()
    {
        final GroupClient groups = clientOn("n1");
        final RaProcess a = world.spawn(m -> { });
        final RaProcess b = world.spawn(m -> { });

        assertThat(groups.join("g", a.ref())).isTrue();
        assertThat(groups.join("g", b.ref())).isTrue();
        assertThat(groups.join("g", a.ref())).isFalse();
        assertThat(groups.members("g")).containsExactly(a.ref(), b.ref());
        assertThat(groups.leave("g", a.ref())).isTrue();
        assertThat(groups.members("g")).containsExactly(b.ref());
        assertThat(groups.members("unknown")).isEmpty();
    }

    @Test
    void shouldRemoveMembersThatCrashOrCloseFromEveryGroup()
    {
        final GroupClient groups = clientOn("n2");
        final RaProcess crasher = world.spawn(m -> { });
        final RaProcess closer = world.spawn(m -> { });
        final RaProcess stayer = world.spawn(m -> { });
        groups.join("g", crasher.ref());
        groups.join("h", crasher.ref());
        groups.join("g", closer.ref());
        groups.join("g", stayer.ref());

        crasher.fail();
        closer.close();

        awaitMembers(groups, "g", List.of(stayer.ref()));
        assertThat(groups.members("h")).isEmpty();
    }

    @Test
    void shouldKeepAPartitionedMemberAndRemoveItOnHealIfItDiedMeanwhile()
    {
        final GroupClient groups = clientOn("n1");
        final RaProcess survivor = world.spawn(m -> { });
        final RaProcess victim = world.spawn(m -> { });
        groups.join("g", survivor.ref());
        groups.join("g", victim.ref());

        world.isolateAppNode();
        victim.fail();
        // Unreachable is not dead: both stay while the node is cut off.
        sleep(1_000);
        assertThat(groups.members("g")).containsExactly(survivor.ref(), victim.ref());

        world.reconnectAppNode();
        awaitMembers(groups, "g", List.of(survivor.ref()));
    }

    @Test
    void shouldMonitorMembersAgainAfterALeaderFailover()
    {
        final RaProcess a = world.spawn(m -> { });
        final RaProcess b = world.spawn(m -> { });
        clientOn("n1").join("g", a.ref());
        clientOn("n1").join("g", b.ref());

        world.killLeader();
        final GroupClient groups = clientOn(world.awaitLeader().node());
        a.fail();

        // Only the new leader's monitors (re-issued on becoming leader) can report this crash.
        awaitMembers(groups, "g", List.of(b.ref()));
    }

    @Test
    void shouldRecoverGroupsFromSnapshotsAfterAFullRestart()
    {
        final GroupClient groups = clientOn("n3");
        final RaProcess a = world.spawn(m -> { });
        final RaProcess b = world.spawn(m -> { });
        for (int i = 0; i < 12; i++)
        {
            groups.join("g" + i, a.ref());
            groups.join("g" + i, b.ref());
        }
        for (int i = 0; i < 6; i++)
        {
            groups.leave("g" + i, b.ref());
        }
        world.awaitSnapshotsEverywhere();

        world.restartAll();
        world.awaitLeader();

        final GroupClient restarted = clientOn("n1");
        assertThat(restarted.members("g0")).containsExactly(a.ref());
        assertThat(restarted.members("g11")).containsExactly(a.ref(), b.ref());
        // The new leader monitors the recovered members: a crash after the restart still removes them.
        b.fail();
        awaitMembers(restarted, "g11", List.of(a.ref()));
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldRemoveAMemberThatEndsAfterItsNodeBlinked() throws InterruptedException
    {
        // The member is reported unreachable and back before the leader applies the report: the machine watches the
        // member's node, and only that watch's first report (up) tells it to monitor the member again.
        final GroupClient groups = clientOn("n1");
        final RaProcess member = world.spawn(m -> { });
        assertThat(groups.join("g", member.ref())).isTrue();

        world.blinkAppNodeBeforeTheLeaderCommits();
        member.close();

        InJvmCluster.await(() -> groups.members("g").isEmpty(), WAIT, "the ended member removed from g");
    }
}
