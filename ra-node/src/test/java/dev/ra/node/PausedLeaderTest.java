package dev.ra.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.CommandResult;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leader's JVM is paused with SIGSTOP, so its connections stay open and nobody is told it is down: the other
 * members find its node silent (no frame, heartbeats included, for half the minimum election timeout of 300 ms), elect
 * a new leader, and a client's write succeeds through it while the old leader is still stopped. After SIGCONT the old
 * leader rejoins as a follower and no acknowledged write is lost. Before the silence detector, the cluster waited for
 * the transport's failure timeout whatever the election timeout: here that is set to 30 s, and the write must succeed
 * within 10 s of the pause, a bound generous enough for a slow shared machine (about one second is typical); the test
 * prints how long it took.
 */
class PausedLeaderTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The nodes' election timeout range is 300-600 ms ({@link Deployment}). */
    private static final long ELECTION_TIMEOUT_MAX_MS = 600;
    private static final long FAILURE_TIMEOUT_MS = 30_000;
    /** Generous against about one second measured, and far below the failure timeout. */
    private static final Duration WRITE_DURING_PAUSE_WITHIN = Duration.ofSeconds(10);

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aPausedLeaderIsReplacedAndRejoinsAsAFollowerWithEveryAcknowledgedWrite()
    {
        // A failure timeout far above the bound on the write below: only the silence detector can elect in time.
        try (Deployment d = new Deployment(3, "paused-leader", List.of("failure.timeout.ms=" + FAILURE_TIMEOUT_MS)))
        {
            final RaSystem client = d.client;
            final List<ServerId> members = d.members("kv");
            client.startCluster("kv", "kv", members);
            final Map<String, String> acknowledged = new LinkedHashMap<>();
            for (int i = 0; i < 20; i++)
            {
                write(client, members.get(i % 3), "k" + i, acknowledged, WAIT);
            }

            final ServerId paused = d.awaitLeader("kv", List.of());
            final List<ServerId> others = new ArrayList<>(members);
            others.remove(paused);
            final NodeJvm pausedNode = d.node(paused.node());
            final long pausedAt = System.nanoTime();
            pausedNode.signal("STOP");
            final CommandResult<Object> during;
            final long tookMs;
            try
            {
                // Addressed to a follower, which redirects to the leader it knows once it knows one.
                during = write(client, others.get(0), "during-pause", acknowledged, WRITE_DURING_PAUSE_WITHIN);
                tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
                // Stay stopped for three election timeouts in all, so that the old leader misses the election.
                sleepUntil(pausedAt + TimeUnit.MILLISECONDS.toNanos(3 * ELECTION_TIMEOUT_MAX_MS));
            }
            finally
            {
                pausedNode.signal("CONT");
            }
            assertThat(during.leader()).as("the leader of the write that succeeded %d ms after SIGSTOP", tookMs)
                .isNotEqualTo(paused).isIn(others);

            // The old leader learns the new term and follows; every acknowledged write is there, on it too.
            InJvmCluster.await(() -> d.status(paused).map(words -> words[2]).filter(r -> r.equals("FOLLOWER"))
                .orElse(null), WAIT, "the old leader to rejoin as a follower");
            write(client, paused, "after-resume", acknowledged, WAIT);
            final ServerId leader = d.awaitLeader("kv", List.of());
            for (final Map.Entry<String, String> e : acknowledged.entrySet())
            {
                assertThat(read(client, leader, e.getKey(), true)).as(e.getKey()).isEqualTo(e.getValue());
            }
            InJvmCluster.await(() -> acknowledged.size() == (Integer)client.namedQuery(paused, "size", null, false)
                .result(), WAIT, "the old leader to hold every acknowledged write");
        }
    }

    /**
     * Put a pair, with short call timeouts, until a reply says it is applied; only this call writes the key, so
     * sending it again whatever the failure (outcome unknown, no leader yet) is safe. Bounded by {@code within}.
     */
    private static CommandResult<Object> write(final RaSystem client, final ServerId to, final String key,
        final Map<String, String> acknowledged, final Duration within)
    {
        final long deadline = System.nanoTime() + within.toNanos();
        final List<String> failures = new ArrayList<>();
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                final CommandResult<Object> result = client.processCommand(to, new KvMachine.Put(key, "v-" + key),
                    Duration.ofSeconds(1));
                acknowledged.put(key, "v-" + key);
                return result;
            }
            catch (final RaException ex)
            {
                failures.add(ex.getClass().getSimpleName());
            }
        }
        throw new AssertionError(key + " was not acknowledged within " + within + ": " + failures);
    }

    private static Object read(final RaSystem client, final ServerId server, final String key,
        final boolean consistent)
    {
        return InJvmCluster.await(() -> Optional.ofNullable(client.namedQuery(server, "get", key, consistent)
            .result()), WAIT, "a read of " + key + " from " + server).orElse(null);
    }

    private static void sleepUntil(final long nanoTime)
    {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0)
        {
            try
            {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
