package dev.ra.bench.jmh;

import dev.ra.ServerId;
import dev.ra.bench.DirectoryTrees;
import dev.ra.bench.Workload;
import dev.ra.codec.Bytes;
import dev.ra.log.FileStorage;
import dev.ra.log.SyncMethod;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ra-log write path for one server: {@code LogStore.append} of a batch of {@code batch} workload puts (encode,
 * checksum, hand-off to the shared WAL writer), then wait until the listener reports the batch durable. With
 * {@code DATASYNC} the time includes one {@code fdatasync} per batch; {@code NONE} (UNSAFE, never for production) shows
 * the software path alone. Per operation (one batch).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WalAppendBenchmark
{
    private static final ServerId SELF = new ServerId("w", "n1");

    /** Entries per append. */
    @Param({"64"})
    public int batch;

    /** WAL sync method; NONE is unsafe and reported as such. */
    @Param({"DATASYNC", "NONE"})
    public String sync;

    private Path dir;
    private FileStorage files;
    private ServerStorage storage;
    private final AtomicLong durable = new AtomicLong();
    private volatile Thread waiter;
    private long last;
    private UserCommand payload;

    /**
     * Open a fresh storage.
     *
     * @throws IOException if the directory cannot be created.
     */
    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        dir = Files.createTempDirectory("ra-wal-jmh");
        files = FileStorage.builder().directory(dir).syncMethod(SyncMethod.valueOf(sync)).build();
        storage = files.open(SELF, new LogListener()
        {
            @Override
            public void onWritten(final long index, final long term)
            {
                durable.set(index);
                final Thread t = waiter;
                if (null != t)
                {
                    LockSupport.unpark(t);
                }
            }

            @Override
            public void onFailure(final Throwable cause)
            {
                cause.printStackTrace();
            }
        });
        payload = UserCommand.ofData(Bytes.wrap(Workload.put(1)));
        waiter = Thread.currentThread();
    }

    /**
     * Close and delete.
     *
     * @throws IOException if deleting fails.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        storage.close();
        files.close();
        DirectoryTrees.delete(dir);
    }

    /**
     * @return the durable index.
     */
    @Benchmark
    public long appendAndAwaitDurable()
    {
        waiter = Thread.currentThread();
        final List<LogEntry> entries = new ArrayList<>(batch);
        for (int i = 1; i <= batch; i++)
        {
            entries.add(new LogEntry(last + i, 1, 0, payload));
        }
        storage.log().append(entries);
        last += batch;
        while (durable.get() < last)
        {
            LockSupport.parkNanos(100_000);
        }
        return durable.get();
    }
}
