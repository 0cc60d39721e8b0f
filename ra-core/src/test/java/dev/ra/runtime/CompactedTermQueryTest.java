package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.QueryResult;
import dev.ra.RaException;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.ServerOverview;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A local query that waits for index i of term t (read your writes) checks that the entry applied at i has term t.
 * Once that entry was compacted into a snapshot the log no longer knew its term, and the check was skipped: the query
 * was answered as if the write had been applied, whatever its term. The snapshot's term tells enough when it is the
 * one asked for (the entry is the one that term's leader wrote) or lower (it is not); when it is higher the query
 * must fail, saying it cannot tell.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompactedTermQueryTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long EARLY_INDEX = 3;

    private final InJvmCluster cluster = new InJvmCluster(1, b -> b.minSnapshotInterval(10)
        .registerMachine("kv-snap", () -> new KvMachine(20)));

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void aQueryForACompactedEntryIsAnsweredOnlyWhenTheSnapshotTellsItsTerm()
    {
        final List<ServerId> members = cluster.serverIds("kv");
        final ServerId member = members.get(0);
        final RaSystem node = cluster.first();
        node.startCluster("kv", "kv-snap", members);
        int written = write(node, member, 0, 10);
        final long firstTerm = node.overview(member).currentTerm();

        // Two restarts: two elections, each in a higher term.
        for (int i = 0; i < 2; i++)
        {
            node.stopServer(member);
            node.restartServer(member);
            cluster.awaitLeader(members, WAIT);
        }
        final ServerOverview restarted = node.overview(member);
        final long lastTerm = restarted.currentTerm();
        assertThat(lastTerm).as("term after two elections").isGreaterThan(firstTerm + 1);
        final long lastTermFrom = restarted.lastIndex();
        while (node.overview(member).snapshotIndex() <= lastTermFrom + 1)
        {
            written = write(node, member, written, 20);
            assertThat(written).as("writes before a snapshot of the last term").isLessThan(5000);
        }
        final long snapshotIndex = node.overview(member).snapshotIndex();

        // The entry at EARLY_INDEX has the first term, and is compacted into a snapshot of the last.
        final long between = firstTerm + 1;
        assertThatThrownBy(() -> node.localQuery(member, s -> s, EARLY_INDEX, between, WAIT))
            .as("an entry of term %d asked for with term %d", firstTerm, between)
            .isInstanceOf(RaException.class)
            .hasMessageContaining("cannot tell whether the entry at index " + EARLY_INDEX)
            .hasMessageContaining("compacted into the snapshot at index " + snapshotIndex + " of term " + lastTerm);
        assertThatThrownBy(() -> node.localQuery(member, s -> s, EARLY_INDEX, lastTerm + 1, WAIT))
            .as("a term above the snapshot's")
            .isInstanceOf(RaException.class)
            .hasMessageContaining("the awaited write was lost");

        final QueryResult<Object> atSnapshot = node.localQuery(member, s -> s, snapshotIndex, lastTerm, WAIT);
        assertThat(atSnapshot.index()).isGreaterThanOrEqualTo(snapshotIndex);
        final QueryResult<Object> belowSnapshot = node.localQuery(member, s -> s, lastTermFrom + 1, lastTerm, WAIT);
        assertThat(belowSnapshot.index()).as("an entry of the snapshot's term below it").isGreaterThanOrEqualTo(
            snapshotIndex);
        assertThat(belowSnapshot.term()).isEqualTo(lastTerm);
    }

    private static int write(final RaSystem node, final ServerId member, final int from, final int count)
    {
        for (int i = from; i < from + count; i++)
        {
            node.processCommand(member, new KvMachine.Put("k" + i, "v" + i));
        }
        return from + count;
    }
}
