/**
 * Micrometer metrics for a Ra node (optional module ra-metrics): {@link dev.ra.metrics.RaMetrics} is a
 * {@code MeterBinder} the application binds to its own registry. It exports every server's role, term, indexes,
 * followers' lag and activity counters, the node's client calls, and, when given, the WAL of a
 * {@code dev.ra.log.FileStorage} and the per-peer traffic of a {@code dev.ra.transport.netty.NettyTransport}. The
 * names, tags and units are listed in docs/OPERATIONS.md ("Metrics").
 */
package dev.ra.metrics;
