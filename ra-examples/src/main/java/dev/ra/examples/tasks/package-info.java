/**
 * A task queue: enqueuers submit tasks and are told when they are done; workers grab one task at a time and
 * complete it; a crashed worker's task is redone.
 *
 * <p>{@link dev.ra.examples.tasks.TaskQueueMachine} is the state machine, {@link dev.ra.examples.tasks.TaskCommand}
 * its commands, {@link dev.ra.examples.tasks.TaskReply} its replies and {@link dev.ra.examples.tasks.TaskCompleted}
 * the message an enqueuer receives.
 */
package dev.ra.examples.tasks;
