package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On {@link FileStorage}, a node restarted after its members applied their cluster's deletion still tells a member
 * that missed the deletion (its node was down) that it was deleted: the record is in {@code deleted-servers}, read
 * when the node's storage opens again. It was kept in memory only, and the member campaigned for ever.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeletionRememberedOnDiskTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aMemberThatMissedItsClusterDeletionDeletesItselfAfterTheOtherNodesRestartedFromDisk()
    {
        try (InJvmCluster nodes = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
            builder.storage(FileStorage.builder().directory(dir.resolve(node)).build())))
        {
            final List<ServerId> members = nodes.serverIds("kv");
            final ServerId missed = members.get(2);
            nodes.system("n1").startCluster("kv", new KvMachine(), members);
            final ServerId leader = nodes.awaitLeader(members, WAIT);
            nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
            nodes.stopNode("n3");
            nodes.system("n1").deleteCluster(members.get(0));
            InJvmCluster.await(() -> !nodes.system("n1").isRunning(members.get(0)) &&
                !nodes.system("n2").isRunning(members.get(1)) ? true : null, WAIT, "kv@n1 and kv@n2 deleted");
            nodes.stopNode("n1");
            nodes.stopNode("n2");
            nodes.startNode("n1");
            nodes.startNode("n2");

            final RaSystem n3 = nodes.startNode("n3");
            n3.restartServer(missed);
            InJvmCluster.await(() -> !n3.isRunning(missed) ? true : null, WAIT,
                "kv@n3 stopped once it heard of the deletion from the restarted nodes");
            assertThatThrownBy(() -> n3.restartServer(missed)).as("its data is deleted")
                .hasMessageContaining(missed.toString());
        }
    }
}
