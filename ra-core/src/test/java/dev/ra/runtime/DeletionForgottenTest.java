package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Storage;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member down when its cluster was deleted is told of the deletion by the nodes that applied it (DownAtDeletionTest),
 * which remember it in memory only. Once they restarted, nobody can tell it: it campaigns for ever, and nothing said
 * so (no warning; its overview shows a member in pre-vote, as during any election). It now warns, once, that it knows
 * no leader and that the node of every other voter keeps saying that it does not run there, naming the deletion as a
 * likely cause and {@code forceDeleteServer} as the remedy.
 *
 * <p>A node's storage now keeps that record (DeletionRememberedAcrossRestartTest); these nodes run on a storage that
 * keeps none, as a storage of an earlier release or of another implementation of the SPI may.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeletionForgottenTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Map<String, Storage> storages = new ConcurrentHashMap<>();
    /** Whether a node starting restarts the servers it stores; else the test restarts them, when it wants. */
    private volatile boolean restartStoredServers = true;
    private final InJvmCluster nodes = new InJvmCluster(List.of("n1", "n2", "n3"), (node, builder) ->
        builder.storage(storages.computeIfAbsent(node, n -> new ForgetfulStorage()))
            .restartStoredServers(restartStoredServers));
    private final List<ServerId> members = nodes.serverIds("kv");
    private final PrintStream standardError = System.err;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @AfterEach
    void close()
    {
        System.setErr(standardError);
        nodes.close();
        storages.values().forEach(Storage::close);
    }

    @Test
    void aMemberThatMissedItsClusterDeletionForgottenSinceWarnsThatNoOtherVoterRuns()
    {
        final ServerId missed = members.get(2);
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId leader = nodes.awaitLeader(members, WAIT);
        nodes.system(leader).processCommand(leader, new KvMachine.Put("a", "1"));
        nodes.stopNode("n3");
        nodes.system("n1").deleteCluster(members.get(0));
        nodes.stopNode("n1");
        nodes.stopNode("n2");
        nodes.startNode("n1");
        nodes.startNode("n2");

        // The warning goes to the log (slf4j-simple writes to System.err in the tests).
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        final RaSystem n3 = nodes.startNode("n3");
        n3.restartServer(missed);
        final String warning = "kv@n3: knows no leader, and the nodes of every other voter of cluster kv";
        InJvmCluster.await(() -> logged.toString(StandardCharsets.UTF_8).contains(warning) ? true : null, WAIT,
            "kv@n3 warned that no other voter runs");
        System.setErr(standardError);

        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("forceDeleteServer");
        assertThat(n3.isRunning(missed)).as("it still runs: nobody can prove the deletion to it").isTrue();
        assertThat(n3.overview(missed).role()).isIn(RaftRole.PRE_VOTE, RaftRole.CANDIDATE, RaftRole.FOLLOWER);
    }

    /**
     * The count of "does not run here" answers was kept for the member's whole life, not only while it knew no leader
     * (it was cleared only by an answer that came while a leader was known, and none comes then): short elections
     * while the other voters' servers were being restarted, each with a few such answers and each ending with a leader,
     * added up to the warning that no other voter runs, although each spell ended with a leader.
     */
    @Test
    void shortLeaderlessSpellsWhileTheOtherServersRestartDoNotAddUpToTheWarning()
    {
        nodes.system("n1").startCluster("kv", new KvMachine(), members);
        final ServerId firstLeader = nodes.awaitLeader(members, WAIT);
        final ServerId watched = members.stream().filter(m -> !m.equals(firstLeader)).findFirst().orElseThrow();
        final List<ServerId> others = members.stream().filter(m -> !m.equals(watched)).toList();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        for (int round = 0; round < 8; round++)
        {
            // The other servers end unseen (as when their nodes crash): their stop notices do not reach it.
            nodes.network().isolate(watched.node());
            InJvmCluster.await(() -> null == nodes.system(watched).overview(watched).leader() ? true : null, WAIT,
                watched + " to lose its leader");
            for (final ServerId other : others)
            {
                nodes.system(other).stopServer(other);
            }
            nodes.network().healAll();
            final long preVotes = preVotes(watched);
            // Two pre-vote rounds, each answered "does not run here" by both other nodes: a short election.
            InJvmCluster.await(() -> preVotes(watched) >= preVotes + 2 ? true : null, WAIT,
                watched + " to campaign twice");
            for (final ServerId other : others)
            {
                nodes.system(other).restartServer(other);
            }
            InJvmCluster.await(() -> null != nodes.system(watched).overview(watched).leader() ? true : null, WAIT,
                watched + " to know a leader again");
        }
        System.setErr(standardError);

        assertThat(logged.toString(StandardCharsets.UTF_8)).doesNotContain("knows no leader");
    }

    /**
     * A node hosting many members started cold while the nodes of their peers were up but started their servers late
     * (as nodes hosting thousands of servers each do, a few seconds apart): each member heard "does not run here" ten
     * times from every other voter's node within one term and warned, one WARN line per member advising
     * forceDeleteServer for healthy members. The warning now needs the condition to hold for many election timeouts,
     * and a node logs at most one such warning in a while, counting the others in the next.
     */
    @Test
    void aColdStartWhosePeersStartTheirServersLateDoesNotWarnForEveryMember()
    {
        final int clusters = 24;
        final List<List<ServerId>> all = new ArrayList<>();
        for (int i = 0; i < clusters; i++)
        {
            final List<ServerId> cluster = nodes.serverIds("kv" + i);
            nodes.system("n1").startCluster("kv" + i, new KvMachine(), cluster);
            nodes.awaitLeader(cluster, WAIT);
            all.add(cluster);
        }
        restartStoredServers = false;
        for (final String node : List.of("n1", "n2", "n3"))
        {
            nodes.stopNode(node);
        }
        for (final String node : List.of("n1", "n2", "n3"))
        {
            nodes.startNode(node);
        }
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        final List<ServerId> first = all.stream().map(cluster -> cluster.get(0)).toList();
        first.forEach(server -> nodes.system(server).restartServer(server));
        // Every member on n1 campaigns while the other nodes answer that its peers do not run there (yet): more
        // rounds than the answers the warning needed.
        for (final ServerId server : first)
        {
            InJvmCluster.await(() -> preVotes(server) >= NodeEvents.NOT_RUNNING_ANSWERS_BEFORE_WARNING + 3 ? true :
                null, WAIT, server + " to campaign alone");
        }
        for (final List<ServerId> cluster : all)
        {
            cluster.stream().skip(1).forEach(server -> nodes.system(server).restartServer(server));
        }
        for (final List<ServerId> cluster : all)
        {
            nodes.awaitLeader(cluster, WAIT);
        }
        System.setErr(standardError);

        final String text = logged.toString(StandardCharsets.UTF_8);
        final long warnings = text.lines().filter(line -> line.contains("knows no leader")).count();
        assertThat(warnings).as("WARN lines advising forceDeleteServer for healthy members")
            .isLessThanOrEqualTo(1);
    }

    private long preVotes(final ServerId server)
    {
        return nodes.system(server).overview(server).counters().getOrDefault("pre_votes", 0L);
    }

    /**
     * Keeps servers as the in-memory storage does, and no record of deletions.
     */
    private static final class ForgetfulStorage extends ForwardingStorage
    {
        ForgetfulStorage()
        {
            super(new InMemoryStorage());
        }

        @Override
        public Map<ServerId, Long> rememberedDeletions()
        {
            return Map.of();
        }

        @Override
        public void rememberDeletion(final ServerId server, final long term)
        {
        }
    }
}
