package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.testkit.ThreadPerTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Callers of {@link DirectorySyncs#sync} arriving while a sync runs are not covered by it (their change may have come
 * after it started) and share the next one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectorySyncsTest
{
    private static final Path DIR = Path.of("/data/servers");

    @Test
    void callersArrivingDuringASyncShareTheNextOne() throws Exception
    {
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch releaseFirst = new CountDownLatch(1);
        final AtomicInteger syncs = new AtomicInteger();
        final DirectorySyncs group = new DirectorySyncs(new HookedSyncLayer(() ->
        {
            if (syncs.incrementAndGet() == 1)
            {
                firstStarted.countDown();
                await(releaseFirst);
            }
        }), DIR);

        final CompletableFuture<Void> first = CompletableFuture.runAsync(() -> sync(group), ThreadPerTask.EXECUTOR);
        assertThat(firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
        final List<CompletableFuture<Void>> later = new ArrayList<>();
        final CountDownLatch laterCalled = new CountDownLatch(4);
        for (int i = 0; i < 4; i++)
        {
            later.add(CompletableFuture.runAsync(() ->
            {
                laterCalled.countDown();
                sync(group);
            }, ThreadPerTask.EXECUTOR));
        }
        assertThat(laterCalled.await(30, TimeUnit.SECONDS)).isTrue();
        // Give the four time to queue behind the running sync; if one is late it only costs a third sync.
        for (int spins = 0; spins < 100 && later.stream().noneMatch(CompletableFuture::isDone); spins++)
        {
            Thread.sleep(5);
        }
        assertThat(later).as("callers arriving during the first sync wait for one of their own")
            .noneMatch(CompletableFuture::isDone);
        releaseFirst.countDown();
        first.get(30, TimeUnit.SECONDS);
        CompletableFuture.allOf(later.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        assertThat(syncs.get()).as("syncs for five callers").isBetween(2, 3);
    }

    private static void sync(final DirectorySyncs group)
    {
        try
        {
            group.sync();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** An empty in-memory file system whose directory syncs the test counts or holds up. */
    private static final class HookedSyncLayer extends ForwardingFileLayer
    {
        private final Runnable onSync;

        HookedSyncLayer(final Runnable onSync)
        {
            super(new FaultyFileLayer().view());
            this.onSync = onSync;
        }

        @Override
        public void syncDirectory(final Path dir)
        {
            assertThat(dir).isEqualTo(DIR);
            onSync.run();
        }
    }
}
