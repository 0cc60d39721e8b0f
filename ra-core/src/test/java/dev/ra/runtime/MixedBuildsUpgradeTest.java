package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaException;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A cluster whose nodes run builds of machine versions 2, 2 and 1 (docs/UPGRADES.md, "Machine versions"): every member
 * supports version 1, so the cluster switches to it; once the last node runs a build of version 2, to 2. A leader once
 * proposed only its own build's newest version, and such a cluster stayed at version 0 while a version-2 member led.
 */
final class MixedBuildsUpgradeTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void theClusterRunsTheHighestVersionEveryBuildSupportsAndStepsUpWhenTheOldestIsReplaced()
    {
        final Map<String, Integer> builds = new ConcurrentHashMap<>(Map.of("n1", 2, "n2", 2, "n3", 1));
        try (InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
            builder.registerMachine("counter", () -> new ReadReviewTest.VersionedCounter(builds.get(node)))))
        {
            final List<ServerId> members = List.of(new ServerId("c", "n1"), new ServerId("c", "n2"),
                new ServerId("c", "n3"));
            cluster.system("n1").startCluster("c", "counter", members);
            cluster.awaitLeader(members, WAIT);
            awaitEffective(cluster, members, 1);

            cluster.stopNode("n3");
            builds.put("n3", 2);
            cluster.startNode("n3");
            awaitEffective(cluster, members, 2);
        }
    }

    private static void awaitEffective(final InJvmCluster cluster, final List<ServerId> members, final int version)
    {
        for (final ServerId member : members)
        {
            final int effective = InJvmCluster.await(() -> effective(cluster, member) == version ? version : null, WAIT,
                member + " to run machine version " + version + " (it runs " + effective(cluster, member) + ")");
            assertThat(effective).isEqualTo(version);
        }
    }

    private static int effective(final InJvmCluster cluster, final ServerId member)
    {
        try
        {
            return cluster.system(member).overview(member).machineVersion().effective();
        }
        catch (final RaException notRunningYet)
        {
            return -1;
        }
    }
}
