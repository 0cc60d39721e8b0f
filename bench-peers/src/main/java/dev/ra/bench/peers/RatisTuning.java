package dev.ra.bench.peers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The throughput settings of Apache Ratis's configuration reference (ratis-docs, "Ratis Configuration Reference") and
 * its log service's tuning notes (ratis-logservice/TUNING.md), for the {@code ratis-tuned} line of the peer comparison.
 * Durability stays as in the defaults: {@code unsafe-flush} and {@code async-flush} are not touched, so an entry is
 * still flushed before it is acknowledged; nothing here trades safety for speed.
 */
final class RatisTuning
{
    /** Each setting, with its default in Ratis 3.3.0 and why it is changed. */
    static final Map<String, String> SETTINGS = settings();

    private RatisTuning()
    {
    }

    private static Map<String, String> settings()
    {
        final Map<String, String> s = new LinkedHashMap<>();
        // "wait time between two subsequent AppendEntries", 10 ms by default: a follower's next batch waits for it
        // (1 ms rather than 0, so that an appender with nothing to send never spins).
        s.put("raft.server.log.appender.wait-time.min", "1ms");
        // "size of direct byte buffer for SegmentedRaftLog FileChannel", 64 KB in the tuning notes (larger in 3.3.0):
        // the log's write buffer, which must hold the appender's largest entry (its byte limit, 4 MB, plus 8 bytes).
        s.put("raft.server.log.write.buffer.size", "8MB");
        // "max file size for a single Raft Log Segment", 8 MB: fewer segment rollovers (each closes, syncs and opens
        // a file) during a run. The preallocation (4 MB) is left alone: it is written when a segment opens.
        s.put("raft.server.log.segment.size.max", "32MB");
        // "perform RaftLog flush tasks when pending flush tasks num exceeds force.sync.num", 128: more entries per
        // flush under load (group commit).
        s.put("raft.server.log.force.sync.num", "512");
        // Pending write requests and log tasks, 4096 each, and their byte limits, 64 MB: never the bound here.
        s.put("raft.server.write.element-limit", "16384");
        s.put("raft.server.write.byte-limit", "256MB");
        s.put("raft.server.log.queue.element-limit", "16384");
        s.put("raft.server.log.queue.byte-limit", "256MB");
        // gRPC's flow-control window, 1 MB: room for more AppendEntries bytes in flight per stream.
        s.put("raft.grpc.flow.control.window", "8MB");
        return s;
    }
}
