package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.Storage;
import dev.ra.testkit.KvMachine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The node keeps in memory the term each server ended in when it applied its cluster's deletion, and its storage keeps
 * the same records across restarts ({@link Storage#rememberDeletion}); a new server of such an id starts in that term.
 * A record the storage could not write stayed in memory only, and counted there towards the limit: past the limit
 * the node had dropped from memory a record the storage still kept, and a server created again under that id started
 * at term 0 (until the node restarted, when the stored record came back). The memory now keeps every record the
 * storage keeps, by the same rule, and the unwritten ones besides.
 */
class DeletionRecordsAgreeTest
{
    @Test
    void everyRecordTheStorageKeepsIsKeptInMemoryPastTheLimit()
    {
        final ServerId unwritable = new ServerId("unwritable", "n1");
        final InMemoryStorage memory = new InMemoryStorage();
        final Storage storage = new ForwardingStorage(memory)
        {
            @Override
            public void rememberDeletion(final ServerId server, final long term)
            {
                if (server.equals(unwritable))
                {
                    throw new UncheckedIOException(new java.io.IOException("disk full"));
                }
                super.rememberDeletion(server, term);
            }
        };
        final ClusterDirectory directory = new ClusterDirectory("n1", storage);
        for (int i = 0; i < Storage.REMEMBERED_DELETIONS; i++)
        {
            deleted(directory, new ServerId("kv" + i, "n1"), i + 1);
        }
        final PrintStream standardError = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try
        {
            deleted(directory, unwritable, 1);
        }
        finally
        {
            System.setErr(standardError);
        }

        final Map<ServerId, Long> stored = memory.rememberedDeletions();
        assertThat(stored).hasSize(Storage.REMEMBERED_DELETIONS);
        stored.forEach((server, term) ->
            assertThat(directory.termAtDeletion(server)).as("the term a new " + server + " starts in").isEqualTo(term));
        assertThat(directory.termAtDeletion(unwritable)).as("remembered until the node restarts").isEqualTo(1);
    }

    private static void deleted(final ClusterDirectory directory, final ServerId server, final long term)
    {
        @SuppressWarnings("unchecked")
        final ClusterInfo cluster = directory.register(server.name(), KvMachine.class.getName(),
            (dev.ra.StateMachine<Object, Object>)(Object)new KvMachine(), List.of(server));
        directory.serverDeleted(server, cluster, true, term, List.of());
    }
}
