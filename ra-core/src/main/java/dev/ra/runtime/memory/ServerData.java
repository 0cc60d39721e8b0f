package dev.ra.runtime.memory;

import dev.ra.ServerId;
import dev.ra.codec.Bytes;
import dev.ra.protocol.LogEntry;
import dev.ra.protocol.SnapshotMeta;

/**
 * What {@link InMemoryStorage} keeps for one server between opens: the durable part of its log, meta and snapshot.
 * Guarded by its own monitor.
 */
final class ServerData
{
    LogEntry[] entries = new LogEntry[64];
    /** Index of {@code entries[0]}. */
    long firstIndex = 1;
    /** Number of entries held. */
    int count;
    /** Index and term the log was last reset or truncated to, answered by {@code term(baseIndex)}. */
    long baseIndex;
    long baseTerm;
    long durableIndex;

    long currentTerm;
    ServerId votedFor;
    long lastApplied;
    byte[] serverConfig;

    SnapshotMeta snapshotMeta;
    Bytes snapshotState;
    /** The snapshot before the newest, kept readable while a leader may still be sending it. */
    SnapshotMeta previousSnapshotMeta;
    Bytes previousSnapshotState;
}
