package dev.ra.bench;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Linearizable reads issued on the leader's own JVM, as SOFAJRaft's node issues its {@code readIndex} in the reads
 * figure ({@link ReadsAcrossJvms}): the closed-loop {@link Driver} runs inside the node's JVM and calls
 * {@link RaSystem#consistentQueryAsync} on the member this node hosts, which leads; each read is still a heartbeat
 * round confirmed by a quorum after it arrived (ReadIndex), answered once the leader has applied the read index. The
 * {@code reads} command of {@link FailoverNode}.
 */
final class LeaderReads
{
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private LeaderReads()
    {
    }

    /**
     * One window of reads on the member this node hosts.
     *
     * @param system   this node.
     * @param self     the member this node hosts (the leader).
     * @param inFlight reads in flight.
     * @param seconds  window length.
     * @return {@code reads <ops/s> <p50 ms> <p99 ms> <failed>}, the line the peers' node prints (plus failures).
     */
    static String window(final RaSystem system, final ServerId self, final int inFlight, final double seconds)
    {
        final Function<BenchKv.State, Long> puts = state -> state.puts;
        final Function<Long, CompletableFuture<?>> read = i -> system.consistentQueryAsync(self, puts, READ_TIMEOUT);
        final Driver.Window w = Driver.pipelined(inFlight, seconds, read);
        return "reads " + w.opsPerSecond() + " " + w.ms(50) + " " + w.ms(99) + " " + w.failed();
    }
}
