package dev.ra.bench.jmh;

import dev.ra.ServerId;
import dev.ra.bench.BenchKv;
import dev.ra.bench.Workload;
import dev.ra.codec.Bytes;
import dev.ra.core.CoreConfig;
import dev.ra.core.RaftAction;
import dev.ra.core.RaftEvent;
import dev.ra.core.RecoveredState;
import dev.ra.core.ServerCore;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.Member;
import dev.ra.protocol.RaftRpc;
import dev.ra.protocol.UserCommand;
import dev.ra.runtime.memory.InMemoryStorage;
import dev.ra.spi.LogListener;
import dev.ra.spi.ServerStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * The pure core as a follower handling one AppendEntries batch of {@code batch} workload puts, as the runtime drives
 * it: {@code handle(RpcReceived)}, then the {@code AppendToLog} action executed on the in-memory log, then
 * {@code handle(LogWritten)} (which yields the reply to the leader). The batch is built in the benchmark method (one
 * {@link LogEntry} per entry; the payload bytes are shared), so bytes/op include that construction. Per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreAppendBenchmark
{
    private static final ServerId LEADER = new ServerId("b", "n1");
    private static final ServerId SELF = new ServerId("b", "n2");

    /** Entries per AppendEntries. */
    @Param({"1", "64"})
    public int batch;

    private ServerCore core;
    private ServerStorage storage;
    private InMemoryStorage store;
    private long last;
    private long now;
    private UserCommand payload;

    /**
     * A fresh follower per iteration (the in-memory log grows during one).
     */
    @Setup(Level.Iteration)
    public void setup()
    {
        store = new InMemoryStorage();
        storage = store.open(SELF, new LogListener()
        {
            @Override
            public void onWritten(final long index, final long term)
            {
            }

            @Override
            public void onFailure(final Throwable cause)
            {
            }
        });
        final List<Member> members = List.of(Member.voter(LEADER), Member.voter(SELF),
            Member.voter(new ServerId("b", "n3")));
        core = new ServerCore(CoreConfig.defaults(SELF, "b", members), new BenchKv(), storage.log(),
            storage.snapshots(), RecoveredState.NEW, new SplittableRandom(1));
        core.start(0);
        payload = UserCommand.ofData(Bytes.wrap(Workload.put(1)));
        last = 0;
        now = 1;
    }

    /**
     * Release the log.
     */
    @TearDown(Level.Iteration)
    public void tearDown()
    {
        storage.close();
        store.close();
    }

    /**
     * @return the actions of the LogWritten step.
     */
    @Benchmark
    public List<RaftAction> appendBatch()
    {
        final List<LogEntry> entries = new ArrayList<>(batch);
        for (int i = 1; i <= batch; i++)
        {
            entries.add(new LogEntry(last + i, 1, now, payload));
        }
        final RaftRpc.AppendEntriesRpc rpc = new RaftRpc.AppendEntriesRpc(1, LEADER, last, last == 0 ? 0 : 1, last,
            entries);
        final List<RaftAction> actions = core.handle(new RaftEvent.RpcReceived(LEADER, rpc), now++);
        for (final RaftAction action : actions)
        {
            if (action instanceof RaftAction.AppendToLog append)
            {
                storage.log().append(append.entries());
            }
        }
        last += batch;
        return core.handle(new RaftEvent.LogWritten(last, 1), now);
    }
}
