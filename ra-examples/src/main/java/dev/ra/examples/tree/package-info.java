/**
 * A ZooKeeper-like tree of znodes as one Ra machine: data with versions, ephemeral (session-bound) and sequential
 * nodes, all-or-nothing multi, one-shot and persistent watches, and the typed {@link dev.ra.examples.tree.TreeClient}
 * that works from any node. Sessions reuse {@link dev.ra.examples.lease.SessionTable} and the
 * {@link dev.ra.examples.lease.LessorHost}.
 */
package dev.ra.examples.tree;
