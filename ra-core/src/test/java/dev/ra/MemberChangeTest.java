package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link MemberChange}'s javadoc promises: {@link RaSystem#addMember} and {@link RaSystem#removeMember} complete
 * once the configuration entry has committed, and report that entry and the leader that appended it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemberChangeTest
{
    private final InJvmCluster cluster = new InJvmCluster(4);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aMembershipCallCompletesOnceItsEntryHasCommitted()
    {
        final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        final ServerId newcomer = new ServerId("kv", "n4");
        final RaSystem n1 = cluster.system("n1");
        n1.startCluster("kv", new KvMachine(), members);

        final MemberChange added = n1.addMember(members.get(0), newcomer);
        assertCommitted(added);

        final MemberChange removed = n1.removeMember(members.get(0), newcomer);
        assertCommitted(removed);
        assertThat(removed.index()).isGreaterThan(added.index());
    }

    @Test
    void aMembershipCallDoesNotCompleteWhileItsEntryCannotCommit()
    {
        final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        cluster.first().startCluster("kv", new KvMachine(), members);
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final RaSystem onLeader = cluster.system(leader);
        // The followers still hear the leader (so nobody campaigns) but their acknowledgements never reach it.
        for (final ServerId member : members)
        {
            if (!member.equals(leader))
            {
                cluster.network().cutOneWay(member.node(), leader.node());
            }
        }
        final long before = onLeader.overview(leader).lastIndex();

        final CompletableFuture<MemberChange> adding =
            onLeader.addMemberAsync(leader, new ServerId("kv", "n4"), MemberKind.VOTER);

        InJvmCluster.await(() -> onLeader.overview(leader).lastIndex() > before, Duration.ofSeconds(10),
            "the leader to append the configuration entry");
        assertThat(adding.isDone() && !adding.isCompletedExceptionally()).as("completed before the entry committed")
            .isFalse();
        cluster.network().healAll();
    }

    private void assertCommitted(final MemberChange change)
    {
        // A member's commit index never goes down, so whatever happened since, the leader that answered knew the
        // entry committed if it answered only then.
        final ServerOverview leader = cluster.system(change.leader()).overview(change.leader());
        assertThat(leader.commitIndex()).as("commit index of the leader that answered").isGreaterThanOrEqualTo(
            change.index());
        assertThat(change.term()).isPositive();
    }
}
