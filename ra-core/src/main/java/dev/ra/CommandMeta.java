package dev.ra;

/**
 * What a machine may know about the entry it is applying: its position in the log and the time the leader received
 * it.
 *
 * <p>The time is stamped by the leader and stored in the log entry, so that {@link StateMachine#apply} stays
 * deterministic on every member and during replay. A machine must take time only from here, never from a clock.
 *
 * @param index          of the log entry being applied.
 * @param term           in which the entry was appended.
 * @param systemTimeMs   milliseconds since the epoch on the leader when it appended the entry: its node's wall clock
 *                       as read when the node started, carried forward by its monotonic clock, so a step of the wall
 *                       clock while the node runs does not move it (it shows after a restart, as a clock difference
 *                       between leaders does).
 * @param machineVersion the cluster's effective machine version at this entry (the same on every member), whose
 *                       {@link StateMachine#machineFor machine} applies it; at most {@link StateMachine#version()}.
 */
public record CommandMeta(long index, long term, long systemTimeMs, int machineVersion)
{
}
