package dev.ra.bench.jmh;

import dev.ra.bench.Workload;
import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Bytes;
import dev.ra.protocol.EntryCodec;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.UserCommand;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Log entry codec ({@link EntryCodec}, used for the WAL, segments and entries on the wire): encode one entry carrying
 * the workload's 116-byte put into a reused buffer, and decode it back.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark
{
    private LogEntry entry;
    private BufferWriter writer;
    private byte[] encoded;

    /**
     * Build the entry and its encoding.
     */
    @Setup
    public void setup()
    {
        entry = new LogEntry(1_000_000, 7, 1_700_000_000_000L, UserCommand.ofData(Bytes.wrap(Workload.put(42))));
        writer = new BufferWriter(256);
        EntryCodec.INSTANCE.encode(entry, writer);
        encoded = writer.toByteArray();
    }

    /**
     * @return the encoded length (consumed by JMH).
     */
    @Benchmark
    public int encode()
    {
        writer.reset();
        EntryCodec.INSTANCE.encode(entry, writer);
        return writer.position();
    }

    /**
     * @return the decoded entry.
     */
    @Benchmark
    public LogEntry decode()
    {
        return EntryCodec.INSTANCE.decode(new BufferReader(encoded));
    }
}
