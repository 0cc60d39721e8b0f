package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ra.CommandResult;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A leader that goes silent without its connections closing (a paused process, a silent partition) is replaced
 * within an election timeout or so, not after the transport's failure timeout, although idle followers run no timer:
 * the transport reports the leader's node silent ({@code InJvmNetwork.pause}, {@code cutOneWay}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SilentLeaderTest
{
    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aPausedLeaderIsReplacedAndRejoinsAsAFollowerWithEveryAcknowledgedWrite()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId follower = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final RaSystem client = cluster.system(follower);
        client.processCommand(follower, new KvMachine.Put("before", "1"));
        final long termBefore = cluster.system(leader).overview(leader).currentTerm();

        cluster.network().pause(leader.node());
        final CommandResult<Object> during = writeUntilAccepted(client, follower, "during");
        cluster.network().resume(leader.node());

        assertThat(during.leader()).isNotEqualTo(leader);
        final ServerOverview rejoined = InJvmCluster.await(() ->
        {
            final ServerOverview o = cluster.system(leader).overview(leader);
            return o.role() == RaftRole.FOLLOWER && during.leader().equals(o.leader()) ? o : null;
        }, Duration.ofSeconds(10), "the old leader to follow the new one");
        assertThat(rejoined.currentTerm()).isGreaterThan(termBefore);
        final Map<String, String> state = cluster.system(leader).<Map<String, String>, Map<String, String>>
            consistentQuery(leader, s -> s).result();
        assertThat(state).containsKeys("before", "during");
    }

    @Test
    void aFollowerThatAloneStopsHearingTheLeaderDoesNotDeposeIt()
    {
        final List<ServerId> members = cluster.startCluster("kv", new KvMachine());
        final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
        final ServerId deaf = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
        final long term = cluster.system(leader).overview(leader).currentTerm();

        // The deaf follower finds the leader silent and asks for pre-votes again and again; the other follower
        // hears the leader and refuses, so no real election starts and the term stays.
        cluster.network().cutOneWay(leader.node(), deaf.node());
        InJvmCluster.await(() -> cluster.system(deaf).overview(deaf).counters().getOrDefault("pre_votes", 0L) >= 3,
            Duration.ofSeconds(20), "the deaf follower to ask for pre-votes three times");
        for (int i = 0; i < 5; i++)
        {
            cluster.system(leader).processCommand(leader, new KvMachine.Put("k" + i, "v"));
        }

        final ServerOverview after = cluster.system(leader).overview(leader);
        // The premise: the other follower kept hearing the leader. On a machine starved for longer than an election
        // timeout it may miss the leader too, and then an election is right (two of three would grant it).
        final ServerId hearing = members.stream().filter(m -> !m.equals(leader) && !m.equals(deaf)).findFirst()
            .orElseThrow();
        assumeTrue(cluster.system(hearing).overview(hearing).counters().getOrDefault("pre_votes", 0L) == 0,
            "the other follower also stopped hearing the leader (machine starved): not the case under test");
        assertThat(after.role()).isEqualTo(RaftRole.LEADER);
        assertThat(after.currentTerm()).isEqualTo(term);
        cluster.network().healAll();
        final Map<String, String> state = cluster.system(deaf).<Map<String, String>, Map<String, String>>
            consistentQuery(deaf, s -> s).result();
        assertThat(state).containsKey("k4");
    }

    /**
     * Writes with short timeouts until one is accepted, as a client would while a new leader is being elected; bounded.
     */
    private static CommandResult<Object> writeUntilAccepted(final RaSystem client, final ServerId to, final String key)
    {
        final List<String> failures = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            try
            {
                return client.processCommand(to, new KvMachine.Put(key, "1"), Duration.ofSeconds(2));
            }
            catch (final RaException ex)
            {
                failures.add(ex.toString());
            }
        }
        throw new AssertionError("no write accepted within 30 s: " + failures);
    }
}
