package dev.ra.log;

import static dev.ra.log.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.protocol.LogEntry;
import dev.ra.spi.ServerStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand servers share one WAL, appending concurrently from several threads (each server confined to one), across
 * a rollover; after a restart every server recovers exactly its log.
 */
class ManyServersTest
{
    private static final int SERVERS = 1000;
    private static final int THREADS = 8;
    private static final int BATCHES = 5;
    private static final int PER_BATCH = 4;

    @TempDir
    Path dir;

    private static ServerId id(final int i)
    {
        return new ServerId("server-" + i, "node");
    }

    private static String text(final int server, final long index)
    {
        return "srv" + server + "/" + index + "-" + "z".repeat(64);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void thousandServersShareOneWalAndAllRecover() throws Exception
    {
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(1 << 20).build())
        {
            final ServerStorage[] servers = new ServerStorage[SERVERS];
            final RecordingListener[] listeners = new RecordingListener[SERVERS];
            final ExecutorService openers = Executors.newFixedThreadPool(THREADS);
            final List<Future<?>> opened = new ArrayList<>();
            for (int i = 0; i < SERVERS; i++)
            {
                final int server = i;
                listeners[i] = new RecordingListener();
                opened.add(openers.submit(() -> servers[server] = storage.open(id(server), listeners[server])));
            }
            for (final Future<?> f : opened)
            {
                f.get(60, TimeUnit.SECONDS);
            }
            openers.shutdown();
            final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                done.add(pool.submit(() ->
                {
                    for (int batch = 0; batch < BATCHES; batch++)
                    {
                        for (int i = thread; i < SERVERS; i += THREADS)
                        {
                            final List<LogEntry> entries = new ArrayList<>();
                            for (int k = 1; k <= PER_BATCH; k++)
                            {
                                final long index = (long)batch * PER_BATCH + k;
                                entries.add(entry(index, 1, text(i, index)));
                            }
                            servers[i].log().append(entries);
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> f : done)
            {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            for (int i = 0; i < SERVERS; i++)
            {
                assertThat(listeners[i].awaitIndex(BATCHES * PER_BATCH)).as("server %d durable", i).isTrue();
            }
            assertThat(storage.walStatistics().batches()).isLessThan((long)SERVERS * BATCHES);
        }
        try (FileStorage storage = FileStorage.builder().directory(dir).walMaxSizeBytes(1 << 20).build())
        {
            assertThat(storage.servers()).hasSize(SERVERS);
            for (int i = 0; i < SERVERS; i++)
            {
                final ServerStorage server = storage.open(id(i), new RecordingListener());
                assertThat(server.log().lastIndex()).isEqualTo(BATCHES * PER_BATCH);
                final List<LogEntry> entries = new ArrayList<>();
                server.log().read(1, BATCHES * PER_BATCH, Integer.MAX_VALUE, Long.MAX_VALUE, entries);
                for (final LogEntry e : entries)
                {
                    assertThat(TestEntries.text(e)).isEqualTo(text(i, e.index()));
                }
                server.close();
            }
        }
    }
}
