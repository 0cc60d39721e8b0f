/**
 * Benchmarks of ra-log alone, run by hand from the test class path (not unit tests): WAL throughput and
 * append-to-durable latency, with the bytes allocated per entry.
 */
package dev.ra.log.bench;
