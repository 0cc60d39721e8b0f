package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.MetaStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;
import dev.ra.spi.Storage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that applied its cluster's deletion is recorded as deleted before its data is deleted, so that a crash in
 * between leaves the record or the server. But a node started again on both restarted the server from its data, as
 * one created again under the id: its log replayed without applying the deletion again, and with every node of the
 * cluster crashed so (a power loss right after deleteCluster), the deleted cluster elected a leader and ran again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class InterruptedDeletionTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Map<String, Storage> storages = new ConcurrentHashMap<>();
    /** Nodes whose next deletion of a server's data "crashes" first (the data stays). */
    private final Set<String> crashing = ConcurrentHashMap.newKeySet();
    /** Nodes whose storage cannot delete any server's data (a read-only disk), until removed. */
    private final Set<String> undeletable = ConcurrentHashMap.newKeySet();
    /** Nodes whose next close of a server's storage fails once it closed (a storage reporting a late error). */
    private final Set<String> closeFailing = ConcurrentHashMap.newKeySet();
    private final InJvmCluster nodes = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
        builder.storage(storages.computeIfAbsent(node, n -> new ForwardingStorage(new InMemoryStorage())
        {
            @Override
            public void delete(final ServerId id)
            {
                if (undeletable.contains(id.node()))
                {
                    throw new IllegalStateException("cannot delete " + id + "'s data: the disk is read-only");
                }
                if (crashing.remove(id.node()))
                {
                    throw new IllegalStateException("the node crashed before " + id + "'s data was deleted");
                }
                super.delete(id);
            }

            @Override
            public ServerStorage open(final ServerId id, final LogListener listener)
            {
                final ServerStorage opened = super.open(id, listener);
                return new ServerStorage()
                {
                    @Override
                    public LogStore log()
                    {
                        return opened.log();
                    }

                    @Override
                    public MetaStore meta()
                    {
                        return opened.meta();
                    }

                    @Override
                    public SnapshotStore snapshots()
                    {
                        return opened.snapshots();
                    }

                    @Override
                    public void close()
                    {
                        opened.close();
                        if (closeFailing.remove(id.node()))
                        {
                            throw new IllegalStateException("closing " + id + "'s storage failed");
                        }
                    }
                };
            }
        })));
    private final List<ServerId> members = nodes.serverIds("kv");

    @AfterEach
    void close()
    {
        nodes.close();
        storages.values().forEach(Storage::close);
    }

    @Test
    void aDeletionInterruptedOnEveryNodeIsFinishedWhenTheyStartAgain()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        crashing.addAll(List.of("n1", "n2", "n3"));
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)) ? true : null, WAIT,
            "every member to apply the deletion");
        assertThat(crashing).as("each node stopped before deleting its member's data").isEmpty();
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

    @Test
    void aClusterCreatedAgainUnderTheIdsIsNotTakenForAnInterruptedDeletion()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        nodes.awaitLeader(members, WAIT);
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)) ? true : null, WAIT,
            "every member to apply the deletion");
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "2"));
        for (final String node : List.of("n1", "n2", "n3"))
        {
            nodes.stopNode(node);
        }
        for (final String node : List.of("n1", "n2", "n3"))
        {
            nodes.startNode(node);
        }

        nodes.awaitLeader(members, WAIT);
        for (final ServerId member : members)
        {
            assertThat(storages.get(member.node()).exists(member)).as(member + "'s data").isTrue();
        }
    }

    /**
     * Data the deletion left, which cannot be deleted at start either, was restarted: the deleted cluster ran again.
     */
    @Test
    void dataADeletionLeftThatCannotBeDeletedAtStartIsNotRestarted()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        nodes.awaitLeader(members, WAIT);
        crashing.addAll(List.of("n1", "n2", "n3"));
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)) ? true : null, WAIT,
            "every member to apply the deletion");
        for (final String node : List.of("n1", "n2", "n3"))
        {
            nodes.stopNode(node);
        }
        undeletable.addAll(List.of("n1", "n2", "n3"));
        for (final String node : List.of("n1", "n2", "n3"))
        {
            nodes.startNode(node);
        }

        for (final ServerId member : members)
        {
            assertThat(nodes.system(member).isRunning(member)).as(member + " restarted from its data").isFalse();
            assertThatThrownBy(() -> nodes.system(member).restartServer(member)).as(member + " restarted")
                .hasMessageContaining("could not be deleted");
            assertThat(storages.get(member.node()).exists(member)).as(member + "'s data").isTrue();
            assertThat(nodes.system(member).failedRestarts()).as("listed as not restarted")
                .anySatisfy(failed -> assertThat(failed.server()).isEqualTo(member))
                .allSatisfy(failed -> assertThat(failed.reason()).contains("could not be deleted"));
        }
        undeletable.clear();
        for (final ServerId member : members)
        {
            assertThatThrownBy(() -> nodes.system(member).restartServer(member)).as(member + " restarted")
                .hasMessageContaining("deleted with its cluster");
            assertThat(storages.get(member.node()).exists(member)).as(member + "'s data").isFalse();
            assertThat(nodes.system(member).failedRestarts()).as("listed as not restarted").isEmpty();
        }
    }

    /**
     * A member whose data could not be deleted when it applied its cluster's deletion (the node running on) was
     * restarted from that data by a restart of the server: the deleted cluster's member ran again.
     */
    @Test
    void dataADeletionCouldNotDeleteIsNotRestartedWhileTheNodeRuns()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        nodes.awaitLeader(members, WAIT);
        undeletable.add("n1");
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)) ? true : null, WAIT,
            "every member to apply the deletion");
        final ServerId left = members.get(0);
        assertThat(storages.get("n1").exists(left)).as(left + "'s data").isTrue();

        assertThatThrownBy(() -> nodes.system("n1").restartServer(left)).as(left + " restarted")
            .hasMessageContaining("could not be deleted");
        assertThat(nodes.system("n1").isRunning(left)).isFalse();
        undeletable.clear();
        assertThatThrownBy(() -> nodes.system("n1").restartServer(left)).as(left + " restarted")
            .hasMessageContaining("was deleted");
        assertThat(storages.get("n1").exists(left)).as(left + "'s data").isFalse();
    }

    /**
     * A member whose data could not be deleted when it applied its cluster's deletion was not listed among the servers
     * that do not restart (nor counted in ra_node_servers_restart_failed) until someone tried restartServer: the
     * operator had no sign of data the node keeps refusing to run.
     */
    @Test
    void dataADeletionCouldNotDeleteIsListedAsNotRestartedAtOnce()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        nodes.awaitLeader(members, WAIT);
        undeletable.add("n1");
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)) ? true : null, WAIT,
            "every member to apply the deletion");
        final ServerId left = members.get(0);

        InJvmCluster.await(() -> nodes.system("n1").failedRestarts().isEmpty() ? null : true, WAIT,
            left + " to be listed as not restarted");
        assertThat(nodes.system("n1").failedRestarts()).singleElement()
            .satisfies(failed -> assertThat(failed.server()).isEqualTo(left))
            .satisfies(failed -> assertThat(failed.reason()).contains("could not be deleted"));
        undeletable.clear();
        nodes.system("n1").forceDeleteServer(left);
        assertThat(nodes.system("n1").failedRestarts()).as("deleted").isEmpty();
    }

    /**
     * A server whose storage failed to close once it applied its cluster's deletion kept its data (the deletion was
     * not even tried) and no mark: restartServer ran the deleted cluster's member again.
     */
    @Test
    void dataADeletionLeftAfterAFailedCloseIsNotRestartedWhileTheNodeRuns()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        nodes.awaitLeader(members, WAIT);
        undeletable.add("n1");
        closeFailing.add("n1");
        nodes.system("n1").deleteCluster(members.get(0));
        InJvmCluster.await(() -> members.stream().noneMatch(m -> nodes.system(m).isRunning(m)) ? true : null, WAIT,
            "every member to apply the deletion");
        final ServerId left = members.get(0);
        assertThat(closeFailing).as("the close failed").isEmpty();
        assertThat(storages.get("n1").exists(left)).as(left + "'s data").isTrue();

        assertThatThrownBy(() -> nodes.system("n1").restartServer(left)).as(left + " restarted")
            .hasMessageContaining("could not be deleted");
        assertThat(nodes.system("n1").isRunning(left)).isFalse();
    }
}
