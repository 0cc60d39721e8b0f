package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.KvMachine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server removed from a cluster that runs on: a call that finds its deletion recorded finds the member to ask
 * instead as well, whenever it looks. Found without it, the call takes the server for deleted with nothing after it,
 * and a caller knowing only that member concludes the whole cluster was deleted.
 */
class RemovalRecordedAtOnceTest
{
    @Test
    void aCallFindingTheRemovalRecordedFindsTheMemberItNames()
    {
        final ClusterDirectory directory = new ClusterDirectory("n1", new InMemoryStorage());
        final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        @SuppressWarnings("unchecked")
        final ClusterInfo cluster = directory.register("kv", KvMachine.class.getName(),
            (StateMachine<Object, Object>)(Object)new KvMachine(), members);
        final ServerId removed = members.get(0);
        final List<String> seen = new ArrayList<>();
        // What a call to the removed server, arriving as the deletion is recorded, is answered.
        directory.deletionRecorded = server -> seen.add(directory.deletion(server) + " / " +
            directory.memberAfter(server));

        directory.serverDeleted(removed, cluster, false, 3, members.subList(1, 3));

        assertThat(seen).as("what a call found when the removal was recorded").hasSize(1);
        assertThat(seen.get(0)).as("the deletion and the member it names").endsWith(" / " + members.get(1));
        assertThat(directory.memberAfter(removed)).isEqualTo(members.get(1));
    }
}
