/**
 * A session lock: a lock whose holder keeps it for a grace period while its node is unreachable.
 *
 * <p>{@link dev.ra.examples.sessionlock.SessionLockMachine} is the state machine and
 * {@link dev.ra.examples.sessionlock.SessionLockCommand} its commands; replies and grant messages are those of the
 * fencing-token lock ({@link dev.ra.examples.lock.LockReply}, {@link dev.ra.examples.lock.LockGranted}).
 */
package dev.ra.examples.sessionlock;
