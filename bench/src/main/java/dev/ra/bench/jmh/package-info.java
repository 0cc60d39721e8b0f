/**
 * JMH micro-benchmarks of the hot paths: entry encoding and decoding, the core handling an AppendEntries batch, and a
 * WAL append until durable. Run them with {@code -prof gc}: bytes per operation are the figure to watch.
 */
package dev.ra.bench.jmh;
