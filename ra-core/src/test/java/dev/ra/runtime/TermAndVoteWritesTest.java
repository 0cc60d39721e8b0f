package dev.ra.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.LogStore;
import dev.ra.spi.MetaStore;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.SnapshotStore;
import dev.ra.spi.Storage;
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
            (node, builder) -> builder.storage(new RecordingStorage(new InMemoryStorage()))))
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

    /** Storage that records every term and vote written, per server. */
    private final class RecordingStorage implements Storage
    {
        private final Storage inner;

        RecordingStorage(final Storage inner)
        {
            this.inner = inner;
        }

        @Override
        public ServerStorage open(final ServerId id, final LogListener listener)
        {
            final ServerStorage server = inner.open(id, listener);
            final MetaStore meta = server.meta();
            final MetaStore recording = new MetaStore()
            {
                @Override
                public long currentTerm()
                {
                    return meta.currentTerm();
                }

                @Override
                public ServerId votedFor()
                {
                    return meta.votedFor();
                }

                @Override
                public long lastApplied()
                {
                    return meta.lastApplied();
                }

                @Override
                public void storeTermAndVote(final long term, final ServerId votedFor)
                {
                    writes.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(term + " " + votedFor);
                    meta.storeTermAndVote(term, votedFor);
                }

                @Override
                public void storeLastApplied(final long index)
                {
                    meta.storeLastApplied(index);
                }

                @Override
                public byte[] serverConfig()
                {
                    return meta.serverConfig();
                }

                @Override
                public void storeServerConfig(final byte[] config)
                {
                    meta.storeServerConfig(config);
                }
            };
            return new ServerStorage()
            {
                @Override
                public LogStore log()
                {
                    return server.log();
                }

                @Override
                public MetaStore meta()
                {
                    return recording;
                }

                @Override
                public SnapshotStore snapshots()
                {
                    return server.snapshots();
                }

                @Override
                public void close()
                {
                    server.close();
                }
            };
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
            inner.delete(id);
        }

        @Override
        public void close()
        {
            inner.close();
        }
    }
}
