/**
 * Group membership: processes join and leave named groups and are removed automatically when they end.
 *
 * <p>{@link dev.ra.examples.group.GroupMachine} is the state machine and {@link dev.ra.examples.group.GroupCommand}
 * its commands.
 */
package dev.ra.examples.group;
