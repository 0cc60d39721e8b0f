package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose member follows learned its cluster's members only when that member's role changed, and then only
 * replaced the member list of its entry: a member added while it followed stayed unknown to the node, so a command
 * addressed to it from there failed before it was sent ("server kv@n4 is unknown to node n3: its machine (and so its
 * command codec) is unknown here"). The node's entry now follows every change of its member's configuration.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FollowerNodeMembersTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final InJvmCluster nodes = new InJvmCluster(5);

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void aNodeWhoseMemberFollowsCanAddressMembersAddedMeanwhile()
    {
        final ServerId n1 = new ServerId("kv", "n1");
        final ServerId n2 = new ServerId("kv", "n2");
        final ServerId n3 = new ServerId("kv", "n3");
        final List<ServerId> initial = List.of(n1, n2, n3);
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final ServerId first = nodes.awaitLeader(initial, TIMEOUT);
        if (!first.equals(n1))
        {
            nodes.system(first).transferLeadership(first, n1);
        }
        InJvmCluster.await(() -> n1.equals(nodes.leaderOf(initial)), TIMEOUT, n1 + " to lead");
        final RaSystem followersNode = nodes.system("n3");
        followersNode.processCommand(n1, new KvMachine.Put("k", "0"), TIMEOUT);

        final List<ServerId> current = new ArrayList<>(initial);
        for (final ServerId added : List.of(new ServerId("kv", "n4"), new ServerId("kv", "n5")))
        {
            final MemberChange change = InJvmCluster.whenPermitted(() -> nodes.system(n1).addMember(n1, added), TIMEOUT,
                "adding " + added);
            current.add(added);
            nodes.system(added).startServer("kv", new KvMachine(), added, current, change);
        }
        InJvmCluster.whenPermitted(() -> nodes.system(n1).removeMember(n1, n2), TIMEOUT, "removing " + n2);
        current.remove(n2);
        // n3 appends the configurations as it follows (it takes part in committing them).
        final ServerId last = current.get(current.size() - 1);
        InJvmCluster.await(() -> Set.copyOf(followersNode.overview(n3).members()).equals(Set.copyOf(current)), TIMEOUT,
            n3 + " to follow the changes");

        assertThat(followersNode.processCommand(last, new KvMachine.Put("k", "1"), TIMEOUT).leader()).isEqualTo(n1);
        assertThat(followersNode.members(last)).containsExactlyInAnyOrderElementsOf(current);
    }
}
