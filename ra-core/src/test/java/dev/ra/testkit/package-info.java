/**
 * Building blocks for tests of the runtime, shared with the other modules through ra-core's test jar: an in-JVM
 * cluster of {@link dev.ra.RaSystem}s ({@link dev.ra.testkit.InJvmCluster}), the cluster scenarios every transport
 * must pass ({@link dev.ra.testkit.ClusterScenarios}), and small state machines (a counter, a key-value map, one that
 * misbehaves on demand and one that exercises effects).
 */
package dev.ra.testkit;
