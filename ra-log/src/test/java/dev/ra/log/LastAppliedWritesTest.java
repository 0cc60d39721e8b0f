package dev.ra.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.ServerId;
import dev.ra.spi.ServerStorage;
import dev.ra.testkit.ThreadPerTask;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The storage's background pass over last applied indexes: it visits only the servers whose index moved since the
 * previous pass, and writes each of them as before (both meta files, each synced), so a node with thousands of idle
 * servers does nothing each interval. A change made while a pass runs is durable after that pass or the next one.
 * The passes are run by the test ({@link FileStorage#flushLastApplied}); the scheduled one never comes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LastAppliedWritesTest
{
    private static final Path ROOT = Path.of("/data");
    /** Long enough that no scheduled pass runs during a test. */
    private static final Duration NO_SCHEDULED_PASS = Duration.ofHours(1);

    @Test
    void aPassVisitsAndWritesOnlyTheServerWhoseAppliedIndexMoved() throws Exception
    {
        final int servers = 50;
        final FaultyFileLayer disk = new FaultyFileLayer();
        final CountingLayer counting = new CountingLayer(disk.view());
        final FileStorage storage = storage(counting);
        final List<ServerStorage> open = new ArrayList<>();
        for (int s = 0; s < servers; s++)
        {
            open.add(storage.open(id(s), new RecordingListener()));
            open.get(s).meta().storeLastApplied(10);
        }
        assertThat(storage.flushLastApplied()).as("servers visited by the first pass: all moved").isEqualTo(servers);

        counting.reset();
        open.get(17).meta().storeLastApplied(11);
        assertThat(storage.flushLastApplied()).as("servers visited with one moved").isEqualTo(1);
        final ServerDirectory moved = storage.loadedLog(id(17)).directory();
        final Map<Path, Integer> eachMetaFileOnce = Map.of(moved.metaFile(), 1, moved.metaCopyFile(), 1);
        assertThat(counting.writes).as("writes").containsExactlyInAnyOrderEntriesOf(eachMetaFileOnce);
        assertThat(counting.syncs).as("file syncs").containsExactlyInAnyOrderEntriesOf(eachMetaFileOnce);
        assertThat(counting.directorySyncs.get()).as("directory syncs").isZero();

        counting.reset();
        assertThat(storage.flushLastApplied()).as("servers visited with none moved").isZero();
        assertThat(counting.writes).as("writes with none moved").isEmpty();
        assertThat(counting.syncs).as("syncs with none moved").isEmpty();

        final Map<ServerId, Long> durable = durableLastApplied(disk, storage, servers, 1);
        for (int s = 0; s < servers; s++)
        {
            assertThat(durable.get(id(s))).as("server %d", s).isEqualTo(17 == s ? 11 : 10);
        }
    }

    @Test
    void aChangeWhileAPassRunsIsWrittenByThatPassOrTheNext() throws Exception
    {
        final FaultyFileLayer disk = new FaultyFileLayer();
        final HoldingLayer holding = new HoldingLayer(disk.view());
        final FileStorage storage = storage(holding);
        final ServerStorage first = storage.open(id(0), new RecordingListener());
        final ServerStorage second = storage.open(id(1), new RecordingListener());
        first.meta().storeLastApplied(1);
        second.meta().storeLastApplied(1);

        holding.holdNextMetaWrite();
        final CompletableFuture<Integer> pass = CompletableFuture.supplyAsync(storage::flushLastApplied,
            ThreadPerTask.EXECUTOR);
        assertThat(holding.held.await(30, TimeUnit.SECONDS)).as("the pass reached a meta write").isTrue();
        final boolean firstHeld = holding.heldPath.equals(storage.loadedLog(id(0)).directory().metaFile());
        final ServerStorage beingWritten = firstHeld ? first : second;
        final ServerStorage waiting = firstHeld ? second : first;
        // The server being written moves: it waits for that write, then must be queued for the next pass.
        final Thread movesWhileWritten = new Thread(() -> beingWritten.meta().storeLastApplied(2));
        movesWhileWritten.start();
        for (int spins = 0; spins < 10_000 && movesWhileWritten.getState() != Thread.State.BLOCKED &&
            movesWhileWritten.isAlive(); spins++)
        {
            Thread.sleep(1);
        }
        // The other one, taken by the pass but not yet written, moves too.
        waiting.meta().storeLastApplied(2);
        holding.release.countDown();
        assertThat(pass.get(30, TimeUnit.SECONDS)).as("servers visited").isEqualTo(2);
        movesWhileWritten.join(30_000);

        storage.flushLastApplied();
        assertThat(storage.flushLastApplied()).as("servers visited once all is written").isZero();
        final Map<ServerId, Long> durable = durableLastApplied(disk, storage, 2, 1);
        assertThat(durable).as("durable last applied").containsEntry(id(0), 2L).containsEntry(id(1), 2L);
    }

    @Test
    void everyChangeMadeBeforeAPassStartsIsWrittenWhenItEnds() throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final int threads = 4;
        final int serversPerThread = 5;
        final int movesPerThread = 1_000;
        final FaultyFileLayer disk = new FaultyFileLayer();
        final FileStorage storage = storage(disk.view());
        final List<ServerStorage> open = new ArrayList<>();
        final List<ServerDirectory> directories = new ArrayList<>();
        for (int s = 0; s < threads * serversPerThread; s++)
        {
            open.add(storage.open(id(s), new RecordingListener()));
            directories.add(storage.loadedLog(id(s)).directory());
        }
        // Each server's last index stored, set once its store has returned.
        final AtomicLongArray stored = new AtomicLongArray(open.size());
        final List<Thread> movers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            final Random own = new Random(random.nextLong());
            movers.add(new Thread(() ->
            {
                // Each server moves on one thread only, as a server's own loop stores its index.
                for (int i = 0; i < movesPerThread; i++)
                {
                    final int s = thread * serversPerThread + own.nextInt(serversPerThread);
                    final long index = stored.get(s) + 1 + own.nextInt(3);
                    open.get(s).meta().storeLastApplied(index);
                    stored.set(s, index);
                    if (own.nextInt(4) == 0)
                    {
                        LockSupport.parkNanos(own.nextInt(50_000));
                    }
                }
            }));
        }
        movers.forEach(Thread::start);
        final List<String> unwritten = new ArrayList<>();
        int passes = 0;
        while (unwritten.isEmpty() && movers.stream().anyMatch(Thread::isAlive) && passes < 100_000)
        {
            final long[] before = new long[open.size()];
            for (int s = 0; s < before.length; s++)
            {
                before[s] = stored.get(s);
            }
            storage.flushLastApplied();
            passes++;
            for (int s = 0; s < before.length; s++)
            {
                final long written = writtenLastApplied(disk.view(), directories.get(s));
                if (written < before[s])
                {
                    unwritten.add("pass " + passes + ": server " + s + " stored " + before[s] + " before it but " +
                        written + " is written");
                }
            }
            if (random.nextBoolean())
            {
                LockSupport.parkNanos(random.nextInt(100_000));
            }
        }
        for (final Thread mover : movers)
        {
            mover.join(60_000);
        }
        assertThat(unwritten).as("seed %d", seed).isEmpty();
        storage.flushLastApplied();
        final Map<ServerId, Long> durable = durableLastApplied(disk, storage, open.size(), seed);
        for (int s = 0; s < open.size(); s++)
        {
            assertThat(durable.get(id(s))).as("seed %d, %d passes: server %d", seed, passes, s)
                .isEqualTo(stored.get(s));
        }
    }

    /** What the server's meta files hold now (a pass writes and syncs both before it moves on). */
    private static long writtenLastApplied(final FileLayer files, final ServerDirectory directory) throws IOException
    {
        try (FileMetaStore meta = FileMetaStore.open(files, directory))
        {
            return meta.lastApplied();
        }
    }

    private static ServerId id(final int server)
    {
        return new ServerId("s" + server, "n1");
    }

    private static FileStorage storage(final FileLayer files)
    {
        return FileStorage.builder().directory(ROOT).fileLayer(files).lastAppliedFlushInterval(NO_SCHEDULED_PASS)
            .build();
    }

    /**
     * Power loss, then a start: what each server's meta store holds then is what the passes made durable (the
     * storage's close, which would write the rest, never runs on the crashed disk).
     */
    private static Map<ServerId, Long> durableLastApplied(final FaultyFileLayer disk, final FileStorage crashed,
        final int servers, final long seed)
    {
        disk.crash(new Random(seed), false, false);
        try
        {
            crashed.close();
        }
        catch (final RuntimeException deadProcess)
        {
            // Its files belong to the crashed boot.
        }
        final Map<ServerId, Long> durable = new ConcurrentHashMap<>();
        try (FileStorage storage = storage(disk.view()))
        {
            for (int s = 0; s < servers; s++)
            {
                durable.put(id(s), storage.open(id(s), new RecordingListener()).meta().lastApplied());
            }
        }
        return durable;
    }

    /** Counts the writes and syncs of each file, and the directory syncs. */
    private static final class CountingLayer extends ForwardingFileLayer
    {
        final Map<Path, Integer> writes = new ConcurrentHashMap<>();
        final Map<Path, Integer> syncs = new ConcurrentHashMap<>();
        final AtomicInteger directorySyncs = new AtomicInteger();

        CountingLayer(final FileLayer delegate)
        {
            super(delegate);
        }

        void reset()
        {
            writes.clear();
            syncs.clear();
            directorySyncs.set(0);
        }

        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            return new ForwardingLogFile(super.open(path, create))
            {
                @Override
                public void write(final ByteBuffer src, final long position) throws IOException
                {
                    writes.merge(path, 1, Integer::sum);
                    super.write(src, position);
                }

                @Override
                public void force() throws IOException
                {
                    syncs.merge(path, 1, Integer::sum);
                    super.force();
                }
            };
        }

        @Override
        public void syncDirectory(final Path dir) throws IOException
        {
            directorySyncs.incrementAndGet();
            super.syncDirectory(dir);
        }
    }

    /** Holds up the next write of a meta file until released. */
    private static final class HoldingLayer extends ForwardingFileLayer
    {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean armed;
        volatile Path heldPath;

        HoldingLayer(final FileLayer delegate)
        {
            super(delegate);
        }

        void holdNextMetaWrite()
        {
            armed = true;
        }

        @Override
        public LogFile open(final Path path, final boolean create) throws IOException
        {
            final boolean meta = path.getFileName().toString().equals("meta");
            return new ForwardingLogFile(super.open(path, create))
            {
                @Override
                public void write(final ByteBuffer src, final long position) throws IOException
                {
                    if (meta && armed)
                    {
                        armed = false;
                        heldPath = path;
                        held.countDown();
                        try
                        {
                            release.await(30, TimeUnit.SECONDS);
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.write(src, position);
                }
            };
        }
    }
}
