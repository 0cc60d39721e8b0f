/**
 * Benchmarks of ra-core alone, run by hand from the test class path (not unit tests): throughput of an in-JVM cluster
 * with the in-memory log.
 */
package dev.ra.bench;
