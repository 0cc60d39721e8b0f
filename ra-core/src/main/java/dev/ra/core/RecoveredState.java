package dev.ra.core;

import dev.ra.ServerId;
import dev.ra.protocol.SnapshotMeta;

/**
 * What a server finds on disk when it starts, read by the runtime from its meta and snapshot stores.
 *
 * @param currentTerm   last durable term (0 for a new server).
 * @param votedFor      durable vote in that term, or null.
 * @param lastApplied   last durable applied index; entries up to it are replayed without effects.
 * @param snapshot      metadata of the newest valid snapshot, or null.
 * @param snapshotState decoded machine state of that snapshot, or null.
 */
public record RecoveredState(long currentTerm, ServerId votedFor, long lastApplied, SnapshotMeta snapshot,
    Object snapshotState)
{
    /** The state of a server that has never run. */
    public static final RecoveredState NEW = new RecoveredState(0, null, 0, null, null);
}
