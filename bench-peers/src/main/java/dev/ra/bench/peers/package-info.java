/**
 * Benchmark-only runners of the harness workload on Apache Ratis and SOFAJRaft (child JVMs of the bench harness).
 */
package dev.ra.bench.peers;
