package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.EntryPayload;
import dev.ra.protocol.LogEntry;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import dev.ra.spi.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A node starting on the record of a deletion and the data of the server it names (a crash between the two) finishes
 * the deletion. It told the deleted server's data from that of a server created again under the id by its log (the
 * cluster's deletion among its last 1,024 entries): a log with more entries after the deletion, or with the deletion
 * in a snapshot, was restarted (the deleted cluster ran again), and the log of every server created again under a
 * deleted id was opened and read at every start. The storage now ties the record to the data stored when it was made.
 */
class UnfinishedDeletionAtStartTest
{
    private static final ServerId SERVER = new ServerId("kv", "n1");
    private static final LogListener NO_LISTENER = new LogListener()
    {
        @Override
        public void onWritten(final long index, final long term)
        {
        }

        @Override
        public void onFailure(final Throwable cause)
        {
        }
    };

    @Test
    void aDeletionFollowedByManyEntriesIsFinished()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        final List<LogEntry> entries = new ArrayList<>();
        entries.add(new LogEntry(1, 3, 0, new EntryPayload.Noop(0)));
        entries.add(new LogEntry(2, 3, 0, new EntryPayload.DeleteCluster()));
        for (int index = 3; index < 3 + 1_100; index++)
        {
            entries.add(new LogEntry(index, 3, 0, new EntryPayload.Noop(0)));
        }
        final ServerStorage stored = storage.open(SERVER, NO_LISTENER);
        stored.meta().storeTermAndVote(3, null);
        stored.log().append(entries);
        storage.rememberDeletion(SERVER, 3);
        stored.close();

        new ClusterDirectory("n1", storage).restoreDeletions();

        assertThat(storage.exists(SERVER)).as("the deleted server's data").isFalse();
    }

    @Test
    void aDeletionInASnapshotIsFinished()
    {
        final InMemoryStorage storage = new InMemoryStorage();
        final ServerStorage stored = storage.open(SERVER, NO_LISTENER);
        stored.meta().storeTermAndVote(3, null);
        // The deletion (index 2) is in a snapshot: the log holds nothing up to it.
        stored.log().resetTo(5, 3);
        storage.rememberDeletion(SERVER, 3);
        stored.close();

        new ClusterDirectory("n1", storage).restoreDeletions();

        assertThat(storage.exists(SERVER)).as("the deleted server's data").isFalse();
    }

    @Test
    void aServerCreatedAgainIsNeitherOpenedNorDeletedAtStart()
    {
        final InMemoryStorage memory = new InMemoryStorage();
        memory.open(SERVER, NO_LISTENER).close();
        memory.rememberDeletion(SERVER, 3);
        memory.delete(SERVER);
        // Created again under the id, ending its log with a deletion of its own that did not commit.
        final ServerStorage again = memory.open(SERVER, NO_LISTENER);
        again.meta().storeTermAndVote(3, null);
        again.log().append(List.of(new LogEntry(1, 3, 0, new EntryPayload.DeleteCluster())));
        again.close();
        final AtomicInteger opens = new AtomicInteger();
        final Storage counting = new ForwardingStorage(memory)
        {
            @Override
            public ServerStorage open(final ServerId id, final LogListener listener)
            {
                opens.incrementAndGet();
                return super.open(id, listener);
            }
        };

        final ClusterDirectory directory = new ClusterDirectory("n1", counting);
        directory.restoreDeletions();

        assertThat(opens).as("storages opened at start").hasValue(0);
        assertThat(memory.exists(SERVER)).as("the server created again").isTrue();
        assertThat(directory.termAtDeletion(SERVER)).isEqualTo(3);
        assertThat(directory.appliedClusterDeletion(SERVER)).as("told as deleted").isFalse();
    }
}
