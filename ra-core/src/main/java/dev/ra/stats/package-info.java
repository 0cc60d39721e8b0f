/**
 * Plain, dependency-free statistics of a running node, for monitoring: latency histograms with fixed buckets
 * ({@link dev.ra.stats.LatencyHistogram}) and the caller's side of client calls
 * ({@link dev.ra.stats.CallStatistics}). Recording is lock-free and allocation-free, so it stays on the hot path
 * whether or not anything reads it; an exporter (such as the optional ra-metrics module) reads snapshots.
 */
package dev.ra.stats;
