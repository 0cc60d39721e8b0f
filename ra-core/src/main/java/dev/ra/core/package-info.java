/**
 * The pure Raft core: {@link dev.ra.core.ServerCore} is a deterministic state machine for one member of one cluster,
 * driven by {@link dev.ra.core.RaftEvent}s (messages, durability reports, timer expiries, client requests, with the
 * current time passed in) and returning {@link dev.ra.core.RaftAction}s (persist, send, arm a timer, reply, apply
 * effects) for the runtime shell to execute. It does no I/O, reads no clock and starts no thread
 * ({@code CorePurityTest} checks the imports), which is what lets the deterministic simulation and the scenario tests
 * drive it step by step. See {@code docs/INTERNALS.md}.
 */
package dev.ra.core;
