package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /**
     * Every node stopped after recording the deletion and before deleting its member's data (a power loss right after
     * deleteCluster): started again from disk, each finishes the deletion, and the deleted cluster does not run.
     */
    @Test
    void aDeletionInterruptedOnEveryNodeIsFinishedWhenTheyStartAgainFromDisk()
    {
        final Set<String> crashing = ConcurrentHashMap.newKeySet();
        final Map<String, Storage> storages = new ConcurrentHashMap<>();
        try (InJvmCluster nodes = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
        {
            final Storage storage = new CrashingDelete(FileStorage.builder().directory(dir.resolve(node)).build(),
                crashing);
            storages.put(node, storage);
            builder.storage(storage);
        }))
        {
            final List<ServerId> members = nodes.serverIds("kv");
            nodes.system("n1").startCluster("kv", new KvMachine(), members);
            final ServerId leader = nodes.awaitLeader(members, WAIT);
            nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
            crashing.addAll(List.of("n1", "n2", "n3"));
            nodes.system("n1").deleteCluster(members.get(0));
            // A member stops running a moment before its node tries to delete its data: wait for both.
            InJvmCluster.await(() -> crashing.isEmpty() &&
                members.stream().noneMatch(m -> nodes.system(m).isRunning(m)) ? true : null,
                WAIT, "every member to apply the deletion and each node to fail deleting its data");
            for (final String node : List.of("n1", "n2", "n3"))
            {
                nodes.stopNode(node);
            }
            for (final String node : List.of("n1", "n2", "n3"))
            {
                nodes.startNode(node);
            }

            for (final ServerId member : members)
            {
                assertThat(nodes.system(member).isRunning(member)).as(member + " restarted from its data").isFalse();
                assertThat(storages.get(member.node()).exists(member)).as(member + "'s data").isFalse();
            }
        }
    }

    /**
     * A file storage whose next deletion of a server's data on a node named in {@code crashing} fails as a crash
     * would stop it (the data stays).
     */
    private static final class CrashingDelete implements Storage
    {
        private final Storage inner;
        private final Set<String> crashing;

        CrashingDelete(final Storage inner, final Set<String> crashing)
        {
            this.inner = inner;
            this.crashing = crashing;
        }

        @Override
        public ServerStorage open(final ServerId id, final LogListener listener)
        {
            return inner.open(id, listener);
        }

        @Override
        public boolean exists(final ServerId id)
        {
            return inner.exists(id);
        }

        @Override
        public List<ServerId> servers()
        {
            return inner.servers();
        }

        @Override
        public void delete(final ServerId id)
        {
            if (crashing.remove(id.node()))
            {
                throw new IllegalStateException("the node crashed before " + id + "'s data was deleted");
            }
            inner.delete(id);
        }

        @Override
        public Map<ServerId, Long> rememberedDeletions()
        {
            return inner.rememberedDeletions();
        }

        @Override
        public void rememberDeletion(final ServerId server, final long term)
        {
            inner.rememberDeletion(server, term);
        }

        @Override
        public Set<ServerId> unfinishedDeletions()
        {
            return inner.unfinishedDeletions();
        }

        @Override
        public void close()
        {
            inner.close();
        }
    }
}
