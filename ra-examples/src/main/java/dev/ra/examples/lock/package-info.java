/**
 * A lock with fencing tokens: FIFO waiters, hand-off on release or holder death, and a validator for the resources the
 * lock protects.
 *
 * <p>{@link dev.ra.examples.lock.LockMachine} is the state machine, {@link dev.ra.examples.lock.LockCommand} its
 * commands, {@link dev.ra.examples.lock.LockReply} its replies, {@link dev.ra.examples.lock.LockGranted} the message a
 * waiter receives, and {@link dev.ra.examples.lock.FencingTokenValidator} the resource-side check.
 */
package dev.ra.examples.lock;
