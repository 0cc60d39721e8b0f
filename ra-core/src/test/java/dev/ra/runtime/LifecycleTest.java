package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ra.RaException;
import dev.ra.RaProcess;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.codec.Codecs;
import dev.ra.runtime.injvm.InJvmNetwork;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a system owns and does over its life: it closes its storage, restarts the servers it finds in storage when
 * built, and a member removed from its cluster stops (and deletes its data) once the removal commits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LifecycleTest
{
    private InJvmCluster cluster;

    @AfterEach
    void close()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    /**
     * Closing the system fails the calls pending on it at once (docs/RUNTIME.md), a start waiting for a remote
     * member's node to become reachable too: its start's timeout (a minute per member here) is not waited for.
     */
    @Test
    void closingTheSystemFailsAStartClusterWaitingForAnUnreachableNode()
    {
        cluster = new InJvmCluster(1, b -> b.defaultTimeout(Duration.ofMinutes(1)));
        final RaSystem n1 = cluster.first();
        final CompletableFuture<ServerId> start = n1.startClusterAsync("c", new KvMachine(),
            List.of(new ServerId("c", "n1"), new ServerId("c", "n9")));

        n1.close();

        InJvmCluster.await(start::isDone, Duration.ofSeconds(30), "startClusterAsync to complete after close()");
        assertThat(start).isCompletedExceptionally();
        // Failed by close() while it waits for n9, or, if the close came first, by its local start naming the close.
        final Throwable failure = catchThrowable(start::join);
        assertThat(failure).hasCauseInstanceOf(RaException.class);
        assertThat(failure.getCause().getMessage()).containsAnyOf(" closed", " is closing");
    }

    @Test
    void closeClosesTheStorageTheSystemOwnsUnlessToldNotTo()
    {
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final ClosingProbe owned = new ClosingProbe();
            RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(owned).build().close();
            assertThat(owned.closed).isTrue();

            final ClosingProbe kept = new ClosingProbe();
            RaSystem.builder().nodeId("b").transport(network.newTransport()).storage(kept).closeStorage(false).build()
                .close();
            assertThat(kept.closed).isFalse();
        }
    }

    @Test
    void aSystemBuiltOnStorageWithServersServesThemWithoutRestartServer()
    {
        cluster = new InJvmCluster(3);
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        cluster.first().processCommand(members.get(0), new KvMachine.Put("a", "1"));
        for (final ServerId member : members)
        {
            cluster.stopNode(member.node());
        }

        for (final ServerId member : members)
        {
            cluster.startNode(member.node());
        }

        for (final ServerId member : members)
        {
            assertThat(cluster.system(member).isRunning(member)).as(member.toString()).isTrue();
        }
        cluster.first().processCommand(members.get(1), new KvMachine.Put("b", "2"));
        final Map<String, String> state = cluster.system(members.get(2))
            .<Map<String, String>, Map<String, String>>consistentQuery(members.get(2), s -> s).result();
        assertThat(state).containsEntry("a", "1").containsEntry("b", "2");
    }

    @Test
    void withoutTheRestartOptionStoredServersStayStoppedUntilRestarted()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final ServerId solo = new ServerId("solo", "a");
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .closeStorage(false).build())
            {
                first.startCluster("solo", new KvMachine(), List.of(solo));
            }
            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .restartStoredServers(false).build())
            {
                assertThat(second.isRunning(solo)).isFalse();
                second.restartServer(solo);
                assertThat(second.isRunning(solo)).isTrue();
            }
        }
    }

    /**
     * docs/UPGRADES.md, "Newer than known": a file of a version this release does not know is refused with a message
     * naming it, the version found and the versions known. The server configuration a newer release stored (its own
     * version field) was refused with "unsupported server config version 3": no server, no versions known.
     */
    @Test
    void aServerConfigurationOfANewerVersionIsRefusedNamingTheServerAndTheVersionsRead()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        try (InJvmNetwork network = new InJvmNetwork())
        {
            final ServerId solo = new ServerId("solo", "a");
            try (RaSystem first = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .closeStorage(false).build())
            {
                first.startCluster("solo", new KvMachine(), List.of(solo));
            }
            try (ServerStorage server = storage.open(solo, new NoLogListener()))
            {
                @SuppressWarnings("unchecked")
                final List<Object> fields = new ArrayList<>((List<Object>)Codecs.generic().fromBytes(
                    server.meta().serverConfig()));
                fields.set(0, 3);
                fields.add("a field of version 3");
                server.meta().storeServerConfig(Codecs.generic().toBytes(fields));
            }
            try (RaSystem second = RaSystem.builder().nodeId("a").transport(network.newTransport()).storage(storage)
                .restartStoredServers(false).build())
            {
                final Throwable refused = catchThrowable(() -> second.restartServer(solo));

                assertThat(refused).isNotNull();
                assertThat(refused.getMessage()).contains("solo@a", "version 3", "versions 1 to 2", "newer release");
                assertThat(second.isRunning(solo)).isFalse();
            }
        }
    }

    /** Ignores what the log reports: the test writes no entry. */
    private static final class NoLogListener implements LogListener
    {
        @Override
        public void onWritten(final long index, final long term)
        {
        }

        @Override
        public void onFailure(final Throwable cause)
        {
        }
    }

    @Test
    void aRemovedMemberStopsAndDeletesItsDataOnceTheRemovalCommits()
    {
        cluster = new InJvmCluster(3);
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId removed = members.get(2);

        cluster.first().removeMember(members.get(0), removed);

        // The leader tells it as it answers the call; the bound only keeps a broken build from hanging.
        InJvmCluster.await(() -> !cluster.system(removed).isRunning(removed), Duration.ofSeconds(10),
            "the removed member to stop");
        // Its data went with it: a restart of its node does not bring it back as a follower of the old members.
        cluster.stopNode(removed.node());
        cluster.startNode(removed.node());
        assertThat(cluster.system(removed).isRunning(removed)).isFalse();
        assertThat(cluster.first().members(members.get(0))).containsExactly(members.get(0), members.get(1));
    }

    @Test
    void aLeaderThatRemovesItselfStopsAfterHandingOver()
    {
        cluster = new InJvmCluster(3);
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));

        cluster.system(leader).removeMember(leader, leader);

        InJvmCluster.await(() -> !cluster.system(leader).isRunning(leader), Duration.ofSeconds(10),
            "the removed leader to stop");
        final ServerId other = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        assertThat(cluster.system(other).processCommand(other, new KvMachine.Put("c", "3")).leader())
            .isNotEqualTo(leader);
    }

    /**
     * After {@code close()} every call of the API that needs the running system fails the same way, at once, naming
     * the node: commands, casts, queries of every kind, membership calls, registrations, process spawns and sends (a
     * send used to be dropped silently, a local query to fail as if its server did not exist).
     */
    @Test
    void everyCallAfterCloseFailsAtOnceSayingTheSystemIsClosed()
    {
        cluster = new InJvmCluster(1);
        final RaSystem node = cluster.first();
        final ServerId member = new ServerId("kv", "n1");
        node.startCluster("kv", new KvMachine(), List.of(member));
        final RaProcess process = node.spawn(message -> { });
        node.close();

        final Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
        calls.put("processCommand", () -> node.processCommand(member, new KvMachine.Put("a", "1")));
        calls.put("processCommandAsync", () -> node.processCommandAsync(member, new KvMachine.Put("a", "1")));
        calls.put("pipelineCommand", () -> node.pipelineCommand(member, new KvMachine.Put("a", "1")));
        calls.put("localQuery", () -> node.localQuery(member, (Map<String, String> s) -> s.size()));
        calls.put("consistentQuery", () -> node.consistentQuery(member, (Map<String, String> s) -> s.size()));
        calls.put("leaderQuery", () -> node.leaderQuery(member, (Map<String, String> s) -> s.size()));
        calls.put("namedQuery", () -> node.namedQuery(member, "size", null, false));
        calls.put("members", () -> node.members(member));
        calls.put("overview", () -> node.overview(member));
        calls.put("addMember", () -> node.addMember(member, new ServerId("kv", "n2")));
        calls.put("registerCluster", () -> node.registerCluster("other", new KvMachine(),
            List.of(new ServerId("other", "n1"))));
        calls.put("startCluster", () -> node.startCluster("other", new KvMachine(),
            List.of(new ServerId("other", "n1"))));
        calls.put("restartServer", () -> node.restartServer(member));
        calls.put("stopServer", () -> node.stopServer(member));
        calls.put("stopServer of another node", () -> node.stopServer(new ServerId("kv", "n2")));
        calls.put("forceDeleteServer", () -> node.forceDeleteServer(member));
        calls.put("forceDeleteServer of another node", () -> node.forceDeleteServer(new ServerId("kv", "n2")));
        calls.put("deleteCluster", () -> node.deleteCluster(member));
        calls.put("removeMember", () -> node.removeMember(member, new ServerId("kv", "n2")));
        calls.put("leader", () -> node.leader(member));
        calls.put("transferLeadership", () -> node.transferLeadership(member, new ServerId("kv", "n2")));
        calls.put("triggerElection", () -> node.triggerElection(member));
        calls.put("spawn", () -> node.spawn(message -> { }));
        calls.put("send", () -> node.send(process.ref(), "hello"));
        final List<String> wrong = new ArrayList<>();
        calls.forEach((name, call) ->
        {
            final Throwable thrown = catchThrowable(call);
            if (!(thrown instanceof IllegalStateException) || !"RaSystem n1 is closed".equals(thrown.getMessage()))
            {
                wrong.add(name + ": " + thrown);
            }
        });
        assertThat(wrong).isEmpty();
    }

    /** Storage that records whether it was closed. */
    private static final class ClosingProbe extends ForwardingStorage
    {
        private volatile boolean closed;

        ClosingProbe()
        {
            super(new InMemoryStorage());
        }

        @Override
        public void close()
        {
            closed = true;
            inner.close();
        }
    }
}
