/**
 * A transport ({@link dev.ra.spi.Transport}) connecting several {@link dev.ra.RaSystem}s in one JVM, with fault hooks
 * (drop, delay, one-way cuts, partitions) for tests.
 */
package dev.ra.runtime.injvm;
