package dev.ra.runtime;

/**
 * The servers this node saw deleted (with their cluster, or alone by {@code forceDeleteServer} or a committed
 * removal), with how, so that a call to one fails at once naming the deletion instead of waiting out its timeout
 * against members that no longer exist, and so that the node can tell a calling node the same. Starting or
 * registering a cluster with such a member again clears its record. Past {@link #CAPACITY} the oldest records go, and
 * a call to such a server fails as for any server that does not run. Thread-safe.
 */
final class DeletedServers extends ServerReasons
{
}
