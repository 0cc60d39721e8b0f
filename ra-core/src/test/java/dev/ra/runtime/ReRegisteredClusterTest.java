package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that hosts a member and registers its cluster again (an application calling {@code registerCluster} at every
 * boot) keeps following the cluster's membership: the running member used to keep only the object the directory held
 * before, so the node's clients went on with the members it knew then.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReRegisteredClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InJvmCluster nodes = new InJvmCluster(5);

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void theNodesClientsFollowMembershipChangesAfterTheClusterIsRegisteredAgain()
    {
        final List<ServerId> first = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        final RaSystem n1 = nodes.system("n1");
        n1.startCluster("kv", new KvMachine(), first);
        n1.registerCluster("kv", new KvMachine(), first);
        nodes.awaitLeader(first, WAIT);

        // Members move to n4 and n5; only n1's member stays.
        for (final String node : List.of("n4", "n5"))
        {
            final ServerId added = new ServerId("kv", node);
            nodes.system(node).startServer("kv", new KvMachine(), added, first);
            n1.addMember(first.get(0), added);
        }
        n1.removeMember(first.get(0), first.get(1));
        n1.removeMember(first.get(0), first.get(2));
        InJvmCluster.await(() -> n1.overview(first.get(0)).members().size() == 3, WAIT, "n1's member to see 3");
        n1.stopServer(first.get(0));

        // From n1, addressed to its own stopped member: the call must find n4 or n5, which n1 only knows through its
        // member's updates.
        assertThat(n1.processCommand(first.get(0), new KvMachine.Put("a", "1"), WAIT).leader().node())
            .isIn("n4", "n5");
    }
}
