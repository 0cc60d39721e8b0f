/**
 * Watches, after etcd v3's: watch a key or a prefix from a revision; the events reach the watcher's process as
 * messages, none missed and none duplicated across a leader failover, from a history kept for a bounded window.
 *
 * <p>{@link dev.ra.examples.watch.WatchHub} is the pure part any machine embeds (registrations and history);
 * {@link dev.ra.examples.watch.Watcher} is the client side that de-duplicates, detects gaps and re-registers from the
 * last revision it delivered.
 */
package dev.ra.examples.watch;
