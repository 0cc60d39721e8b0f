/**
 * The data that crosses process boundaries: log entries and their payloads ({@link dev.ra.protocol.LogEntry},
 * {@link dev.ra.protocol.EntryPayload}), Raft's RPCs ({@link dev.ra.protocol.RaftRpc}), node-level messages between
 * runtimes ({@link dev.ra.protocol.NodeMessage}), membership and snapshot metadata, and their binary encodings
 * ({@link dev.ra.protocol.EntryCodec}). The same encodings are used in the WAL, in segments and on the wire, so a
 * change here is a change of the formats described in {@code docs/log-format.md} and {@code docs/TRANSPORT.md}.
 */
package dev.ra.protocol;
