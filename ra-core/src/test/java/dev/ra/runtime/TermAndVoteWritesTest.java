package dev.ra.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.testkit.CounterMachine;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A member that votes for a candidate of a newer term writes its term and vote once, not once for the term and once
 * more for the vote: each write is a sync of the meta store, and both were on the path of every election.
 */
class TermAndVoteWritesTest
{
    private final Map<ServerId, List<String>> writes = new ConcurrentHashMap<>();

    @Test
    void aVoteInANewerTermIsOneWrite()
    {
        try (InJvmCluster cluster = new InJvmCluster(List.of("n1", "n2", "n3"),
            (node, builder) -> builder.storage(
                new TermAndVoteInterceptingStorage(new InMemoryStorage(), this::record))))
        {
            final List<ServerId> members = cluster.startCluster("votes", new CounterMachine());
            final ServerId leader = cluster.awaitLeader(members, Duration.ofSeconds(10));
            cluster.system(leader).processCommand(leader, 1L);
            final ServerId target = members.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            cluster.system(leader).transferLeadership(leader, target);
            InJvmCluster.await(() -> cluster.system(target).overview(target).role() == RaftRole.LEADER,
                Duration.ofSeconds(10), target + " to lead");
            final long term = cluster.system(target).overview(target).currentTerm();
            cluster.system(target).processCommand(target, 1L);
            // Whatever else happened (a slow machine may see more elections), in the term the target won every
            // member wrote its term and vote at most once: the candidate its own vote, each voter its vote for the
            // candidate, a member that only heard of the term its term without a vote. Two writes in that term (the
            // term, then the vote) is what a vote from a newer term used to cost.
            for (final ServerId member : members)
            {
                final List<String> inTerm = new ArrayList<>();
                for (final String write : writes.getOrDefault(member, List.of()))
                {
                    if (write.startsWith(term + " "))
                    {
                        inTerm.add(write);
                    }
                }
                if (member.equals(target))
                {
                    assertEquals(List.of(term + " " + target), inTerm, "writes of the candidate " + member);
                }
                else
                {
                    assertTrue(inTerm.size() <= 1, "writes of " + member + " in term " + term + ": " + inTerm);
                }
            }
        }
    }

    /** Records every term and vote written, per server. */
    private void record(final ServerId server, final long term, final ServerId votedFor)
    {
        writes.computeIfAbsent(server, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
            .add(term + " " + votedFor);
    }
}
