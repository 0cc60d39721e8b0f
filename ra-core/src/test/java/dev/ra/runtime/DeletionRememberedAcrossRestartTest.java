package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member down when its cluster was deleted is told of the deletion by the nodes that applied it
 * (DownAtDeletionTest). They remembered it in memory only: once they restarted, nobody could tell it, and it
 * campaigned for ever. The storage now keeps the record ({@code Storage.rememberDeletion}; the in-memory storage
 * survives a node's restart in the testkit, as a file storage does), and a node starts with it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeletionRememberedAcrossRestartTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InJvmCluster nodes = new InJvmCluster(3);
    private final List<ServerId> members = nodes.serverIds("kv");

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void aMemberThatMissedItsClusterDeletionDeletesItselfAfterTheOtherNodesRestarted()
    {
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

    /**
     * The record is written before the server's data is deleted: a crash in between leaves the server (which applies
     * the deletion again when restarted) or the record, never neither.
     */
    @Test
    void theDeletionIsRecordedBeforeTheServersDataIsDeleted()
    {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final InMemoryStorage memory = new InMemoryStorage();
        final ForwardingStorage watched = new ForwardingStorage(memory)
        {
            @Override
            public void rememberDeletion(final ServerId server, final long term)
            {
                calls.add("remember " + server);
                super.rememberDeletion(server, term);
            }

            @Override
            public void delete(final ServerId server)
            {
                calls.add("delete " + server);
                super.delete(server);
            }
        };
        try (InJvmCluster single = new InJvmCluster(List.of("n1"), (node, builder) -> builder.storage(watched)))
        {
            final List<ServerId> alone = single.serverIds("kv");
            single.system("n1").startCluster("kv", new KvMachine(), alone);
            single.awaitLeader(alone, WAIT);
            single.system("n1").deleteCluster(alone.get(0));
            InJvmCluster.await(() -> calls.contains("delete " + alone.get(0)) ? true : null, WAIT, "kv@n1 deleted");
        }
        memory.close();
        assertThat(calls).containsExactly("remember kv@n1", "delete kv@n1");
    }
}
