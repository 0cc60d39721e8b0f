package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A typed handle sends its calls to the leader it last heard of: that leader may since have been removed from the
 * cluster, which lives on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaClusterMembershipTest
{
    private final InJvmCluster cluster = new InJvmCluster(3, b -> b.registerMachine("counter", CounterMachine::new));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aHandleWhoseLeaderWasRemovedGoesOnToTheClusterInsteadOfFailingForGood()
    {
        final List<ServerId> members = cluster.serverIds("c");
        final RaCluster<Long, Long, Long> first = cluster.first().startCluster("c", new CounterMachine(), Long.class,
            members);
        final ServerId leader = first.leader();
        final RaCluster<Long, Long, Long> handle = cluster.system(leader).cluster("c", new CounterMachine(),
            Long.class, members);
        assertThat(handle.process(1L).reply()).isEqualTo(1L);

        handle.removeMember(leader);
        InJvmCluster.await(() -> !cluster.system(leader).isRunning(leader), Duration.ofSeconds(20),
            "the removed leader retired");

        assertThat(handle.process(10L).reply()).as("a command through the handle of the removed leader's node")
            .isEqualTo(11L);
    }

    /**
     * A configuration is in force from its entry on, and a new member is started once its addition commits: a single
     * member cannot commit the addition of a second voter by itself. The change used to be appended anyway, and the
     * leader stepped down (it reaches no majority of two), leaving the cluster without a leader until someone started
     * the new member without the change the call never returned. It is refused, naming the way that works.
     */
    @Test
    void aVoterThatASingleMemberCannotCommitWithoutIsRefusedAndAPromotableOneGrowsTheCluster()
    {
        final ServerId first = new ServerId("c", "n1");
        final ServerId second = new ServerId("c", "n2");
        final RaSystem n1 = cluster.system("n1");
        n1.startCluster("c", new CounterMachine(), List.of(first));
        assertThat(n1.<Long>processCommand(first, 1L).reply()).isEqualTo(1L);

        assertThatThrownBy(() -> n1.addMember(first, second)).isInstanceOf(MembershipChangeException.class)
            .hasMessageContaining("PROMOTABLE")
            .extracting(e -> ((MembershipChangeException)e).reason())
            .isEqualTo(MembershipChangeException.Reason.NOT_PERMITTED);
        assertThat(n1.<Long>processCommand(first, 10L).reply()).as("the cluster still leads").isEqualTo(11L);

        final MemberChange added = n1.addMemberAsync(first, second, MemberKind.PROMOTABLE).join();
        cluster.system("n2").startServer("c", new CounterMachine(), second, List.of(first, second), added);
        InJvmCluster.await(() -> cluster.system("n2").overview(second).lastApplied() > added.index() &&
            n1.overview(first).members().contains(second), Duration.ofSeconds(20), "the new member caught up");
        assertThat(n1.<Long>processCommand(first, 100L).reply()).isEqualTo(111L);
        assertThat(n1.members(first)).containsExactly(first, second);
    }

    /**
     * RaCluster.addMember adds, then starts: a start that fails leaves the member added (a voter that does not run)
     * and must say so, with the change to start it with, rather than look like a refused addition.
     */
    @Test
    void anAdditionWhoseStartFailsSaysTheMemberWasAddedAndWithWhichChange()
    {
        try (InJvmCluster four = new InJvmCluster(4, b -> b.registerMachine("counter", CounterMachine::new)
            .defaultTimeout(Duration.ofSeconds(2))))
        {
            final List<ServerId> members = List.of(new ServerId("c", "n1"), new ServerId("c", "n2"),
                new ServerId("c", "n3"));
            final RaCluster<Long, Long, Long> handle = four.first().startCluster("c", new CounterMachine(),
                Long.class, members);
            final ServerId absent = new ServerId("c", "n4");
            four.stopNode("n4");

            final Throwable thrown = catchThrowable(() -> handle.addMember(absent));

            assertThat(handle.members()).contains(absent);
            assertThat(thrown).isInstanceOf(RaException.class).hasMessageContaining("was added")
                .hasMessageContaining("startServer");
        }
    }

    /**
     * A handle knew only the members it was created with: once every one of them was removed (a cluster moved to
     * other nodes through the handle, adding the new members and removing the old), each call went to a removed
     * member and failed ("server c@n1 of cluster c was deleted"), though the handle had added the members that now
     * run the cluster. Right: the handle follows the members it adds and removes, and those the leader reports.
     */
    @Test
    void aHandleThatMovedItsClusterToOtherMembersKeepsWorking()
    {
        final ServerId first = new ServerId("c", "n1");
        final ServerId second = new ServerId("c", "n2");
        final RaCluster<Long, Long, Long> handle = cluster.system("n1").startCluster("c", new CounterMachine(),
            Long.class, List.of(first));
        assertThat(handle.process(1L).reply()).isEqualTo(1L);

        final MemberChange added = handle.addMember(second, MemberKind.PROMOTABLE);
        InJvmCluster.await(() -> cluster.system("n2").overview(second).lastApplied() > added.index() &&
            cluster.system("n1").overview(first).members().contains(second), Duration.ofSeconds(20),
            "the new member caught up and votes");
        handle.removeMember(first);
        InJvmCluster.await(() -> !cluster.system("n1").isRunning(first), Duration.ofSeconds(20),
            "the first member retired");

        assertThat(handle.process(10L, Duration.ofSeconds(20)).reply())
            .as("a command through a handle whose initial members were all removed").isEqualTo(11L);
        assertThat(handle.members()).containsExactly(second);
        assertThat(handle.initialMembers()).containsExactly(first);
    }

    /**
     * A handle made with a name other than the cluster's its members run in (a typo, or the wrong cluster's members)
     * was taken as it was: its {@code addMember} then started the new member as one of a cluster of that other name.
     */
    @Test
    void aHandleNamingAnotherClusterThanItsMembersRunInIsRefused()
    {
        final ServerId member = new ServerId("c", "n1");
        cluster.system("n1").startCluster("c", new CounterMachine(), Long.class, List.of(member));

        assertThatThrownBy(() -> cluster.system("n1").cluster("d", new CounterMachine(), Long.class, List.of(member)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("c@n1").hasMessageContaining("cluster 'c'").hasMessageContaining("'d'");
        assertThat(cluster.system("n1").cluster("c", new CounterMachine(), Long.class, List.of(member))
            .process(2L).reply()).isEqualTo(2L);
    }

    /**
     * The same mistake through {@code registerCluster}: the members this node knows in another cluster were silently
     * left out, so the caller believed its cluster registered while calls to those members reached the other cluster.
     */
    @Test
    void registeringMembersKnownInAnotherClusterUnderAnotherNameIsRefused()
    {
        final ServerId member = new ServerId("c", "n1");
        cluster.system("n1").startCluster("c", new CounterMachine(), Long.class, List.of(member));

        assertThatThrownBy(() -> cluster.system("n1").registerCluster("d", new CounterMachine(), List.of(member)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("c@n1").hasMessageContaining("cluster 'c'").hasMessageContaining("'d'");
        cluster.system("n1").registerCluster("c", new CounterMachine(), List.of(member));
    }
}
