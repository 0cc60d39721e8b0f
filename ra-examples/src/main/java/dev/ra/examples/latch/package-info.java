/**
 * Counting latches and cyclic barriers, held by one small machine.
 *
 * <p>{@link dev.ra.examples.latch.LatchMachine} is the state machine and {@link dev.ra.examples.latch.LatchCommand}
 * its commands; {@link dev.ra.examples.latch.LatchClient} and {@link dev.ra.examples.latch.BarrierClient} are the
 * typed clients, with a blocking {@code await(timeout)}.
 */
package dev.ra.examples.latch;
