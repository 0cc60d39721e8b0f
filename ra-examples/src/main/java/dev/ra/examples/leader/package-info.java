/**
 * Follow-the-leader: run an application "companion" next to whichever member is the Raft leader, with a grace period
 * and a fencing epoch, as the ra-toolbox talk describes.
 *
 * <p>{@link dev.ra.examples.leader.FollowTheLeaderMachine} is the state machine; it starts companions through a
 * {@link dev.ra.Effect.ModCall} whose argument is {@link dev.ra.examples.leader.StartCompanion}.
 */
package dev.ra.examples.leader;
